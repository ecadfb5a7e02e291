"""All user-facing Indonesian text of the bot, grouped by area."""
