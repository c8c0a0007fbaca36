"""Workspace members who sign in to the console: credentials, roles, sessions and links."""
