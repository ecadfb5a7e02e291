"""The layering the project promises: domain rules never import Telegram."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ["bot.workcalendar", "bot.tiers", "bot.models", "bot.tickets", "bot.notices", "bot.packages",
          "bot.watch", "bot.offline", "bot.report", "bot.service_info", "bot.package_csv",
          "bot.personal_data", "bot.texts.desk", "bot.texts.filing", "bot.texts.common"]


def test_domain_modules_do_not_import_telegram() -> None:
    probe = (
        "import importlib, sys\n"
        f"for name in {DOMAIN!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
