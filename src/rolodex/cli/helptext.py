"""Plain ``--help`` for every command: no Python type names, no docstring markup.

Typer labels each option with its annotation (``<str>``, ``<bool>``,
``<list[str]>``) and passes docstrings through as they are written for
Python readers (````rolodex worker````). ``PlainHelpGroup``, the class of the
top ``rolodex`` group, rewrites the whole command tree when Typer builds it,
so a new command gets the same treatment without doing anything.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from rich.markup import escape
from typer.core import TyperArgument, TyperGroup, TyperOption

# The value names users of other command-line tools know.
_LABELS: dict[Any, str] = {str: "TEXT", int: "INTEGER", float: "NUMBER", bool: "BOOLEAN"}


def _label(param: TyperArgument | TyperOption) -> str:
    desc = param.type_descriptor
    if desc.is_choice:
        return "|".join(str(c.value if isinstance(c, Enum) else c) for c in desc.choices or ())
    if desc.is_path:
        return "PATH"
    if desc.is_datetime:
        return "DATETIME"
    annotation = desc.annotation
    if desc.is_list:
        args = getattr(annotation, "__args__", None) or (str,)
        annotation = args[0]
    return _LABELS.get(annotation, "VALUE")


def plain(text: str | None) -> str | None:
    """Help text shown literally: reST/Markdown backticks dropped, brackets kept."""
    if text is None:
        return None
    text = re.sub(r"`{1,2}([^`]+)`{1,2}", r"\1", text)
    # Typer reads help as rich markup; escape it so "[eq]" survives (and "\[" too).
    return escape(text.replace("\\[", "["))


def _tidy_param(param: Any) -> None:
    if isinstance(param, TyperOption):
        param.help = plain(param.help)
        # A flag takes no value, so it shows no type at all.
        param.metavar = "" if param.is_flag else _label(param)
    elif isinstance(param, TyperArgument):
        label = _label(param)
        if param.metavar is None:
            param.metavar = (param.name or "").upper()
        # Typer shows an argument's type beside its name; give it the plain label.
        setattr(param, "display_type_rich", lambda ctx: label)  # noqa: B010 - a method, per object
        param.help = plain(param.help)


def tidy(command: Any) -> Any:
    """``command`` (Typer's Click command) and everything under it, with plain help."""
    command.help = plain(command.help)
    command.short_help = plain(command.short_help)
    for param in command.params:
        _tidy_param(param)
    made = command.get_help_option

    def help_option(ctx: Any) -> Any:
        # --help itself is made on first use; it is a flag like any other.
        option = made(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        tidy(sub)
    return command


class PlainHelpGroup(TyperGroup):
    """The top command group: built after its subcommands, it tidies the whole tree."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tidy(self)


def walk(command: Any, path: tuple[str, ...] = ()) -> Any:
    """Every command path under ``command``, itself first (for tests and docs)."""
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))
