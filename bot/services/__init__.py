"""Services: each operation one transaction (change + history + outbox rows)."""
