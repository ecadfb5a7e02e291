"""One line per event, as text (key=value) or JSON; library noise kept quiet.

Log calls in this project only carry ids and codes, never message text, names, phone
numbers or e-mail addresses (personal data protection, UU No. 27/2022).
"""

from __future__ import annotations

import json
import logging
import sys

from bot.config import LoggingConfig

_HANDLER_NAME = "pbj-helpdesk"
_LIBRARY_LEVELS = {
    "telegram": logging.INFO,
    "aiosqlite": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "tornado.access": logging.WARNING,
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(config: LoggingConfig) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if config.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("time=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")
        )
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if h.get_name() != _HANDLER_NAME] + [handler]
    root.setLevel(config.level)
    # Libraries stay at INFO or above even when the bot logs DEBUG: PTB's and aiosqlite's debug
    # lines carry whole updates and SQL parameters (personal data); httpx logs URLs with the token.
    for name, level in _LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(level)
