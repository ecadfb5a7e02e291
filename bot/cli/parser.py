"""argparse in Indonesian: help, usage lines and argument errors.

argparse words its own parts through ``gettext`` with English source strings. Rather than
installing a catalogue, the few places are overridden: the usage prefix (formatter), the group
titles and the help option (parser), and the error messages, translated by one table of patterns
over argparse's English messages. ``tests/test_cli_indonesian.py`` runs the real CLI and fails on
any English argparse phrase that slips through.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

from bot.cli.errors import EXIT_USAGE

# (pattern over argparse's English message, Indonesian replacement), applied in order.
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^argument ([^:]+): ", r"\1: "),
        (r"invalid int value: (.+)$", r"\1 bukan bilangan bulat"),
        (r"invalid float value: (.+)$", r"\1 bukan angka"),
        (r"invalid \S+ value: (.+)$", r"nilai \1 tidak sah"),
        (r"invalid choice: (.+?) \(choose from (.+)\)$", r"pilihan \1 tidak dikenal (pilih salah satu: \2)"),
        (r"the following arguments are required: (.+)$", r"argumen berikut wajib diisi: \1"),
        (r"unrecognized arguments: (.+)$", r"argumen tidak dikenal: \1"),
        (r"expected one argument$", "butuh satu nilai"),
        (r"expected at most one argument$", "paling banyak satu nilai"),
        (r"expected at least one argument$", "butuh paling sedikit satu nilai"),
        (r"expected (\d+) arguments?$", r"butuh \1 nilai"),
        (r"ambiguous option: (\S+) could match (.+)$", r"opsi \1 ambigu, bisa berarti \2"),
        (r"not allowed with argument (.+)$", r"tidak boleh dipakai bersama \1"),
        (r"one of the arguments (.+) is required$", r"salah satu argumen ini wajib diisi: \1"),
        (r"ignored explicit argument (.+)$", r"nilai \1 tidak dipakai"),
        (r"can't open '(.+)': (.+)$", r"tidak dapat membuka \1: \2"),
    )
)


def translate(message: str) -> str:
    for pattern, replacement in _MESSAGES:
        message = pattern.sub(replacement, message)
    return message


class Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Penggunaan: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """ArgumentParser with Indonesian help and errors; sub-parsers inherit it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        add_help = kwargs.pop("add_help", True)
        parents = kwargs.pop("parents", [])
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        # Titles first: argparse merges a parent's groups into the child's by title.
        self._positionals.title = "argumen"
        self._optionals.title = "opsi"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="tampilkan bantuan ini lalu keluar")
        for parent in parents:  # what ArgumentParser.__init__ does with parents=
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {translate(message)}\n")
