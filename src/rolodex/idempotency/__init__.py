"""Idempotency-Key: a write retried with the same key is answered, not done again."""
