"""Telegram plumbing: application assembly, update journal, per-chat processing, persistence, outbox, jobs."""
