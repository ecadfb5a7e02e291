"""Exit statuses and the error a command raises for bad input (worded for the terminal).

0 success; 1 the work failed (a check failed, a file could not be written, the operator declined);
2 a usage or configuration error (bad arguments, an invalid or missing configuration file, a
database that is missing or needs migrating). Every command follows this; ``bot.cli.main`` turns
the exceptions below into the status and one line on stderr.
"""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or set-up, worded for the person at the terminal (exit status 2)."""


class CommandFailed(Exception):
    """The work could not be done, worded for the person at the terminal (exit status 1)."""
