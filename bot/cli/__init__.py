"""Command line: ``pbj-helpdesk <subcommand>``; one module per command."""

from bot.cli.main import main

__all__ = ["main"]
