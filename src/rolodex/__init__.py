"""Rolodex: a self-hostable, headless CRM server."""

__version__ = "0.1.0"
