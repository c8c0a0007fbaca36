"""The console: server-rendered pages at ``/console`` for members of a workspace.

An interface like REST: a signed-in member is a principal
(``members.schemas.MemberPrincipal``), each page opens a workspace session
from it and calls the services; no SQL and no rules here.
"""
