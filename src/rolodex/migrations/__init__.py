"""Alembic migrations; ``rolodex migrate`` and the first ``rolodex serve`` apply them."""
