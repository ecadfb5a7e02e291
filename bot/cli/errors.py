"""Exit statuses and the error a command raises for bad input (worded for the terminal)."""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments, worded for the person at the terminal."""
