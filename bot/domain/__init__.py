"""Domain rules: no I/O, no Telegram, no storage, no texts."""
