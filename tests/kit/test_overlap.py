"""kit.overlap: work done while a statement runs, and both outcomes reported."""

from __future__ import annotations

import asyncio

import pytest

from rolodex.kit.overlap import overlapped


def test_work_runs_while_the_statement_waits() -> None:
    seen: list[str] = []

    async def statement() -> None:
        seen.append("sent")
        await asyncio.sleep(0.01)
        seen.append("answered")

    def work() -> int:
        seen.append("work")
        return 7

    assert asyncio.run(overlapped(statement(), work)) == 7
    assert seen == ["sent", "work", "answered"]


def test_the_statement_error_is_raised() -> None:
    async def statement() -> None:
        await asyncio.sleep(0)
        raise LookupError("clash")

    with pytest.raises(LookupError, match="clash"):
        asyncio.run(overlapped(statement(), lambda: 1))


def test_failed_work_still_waits_for_the_statement() -> None:
    done: list[bool] = []

    async def statement() -> None:
        await asyncio.sleep(0.01)
        done.append(True)

    def work() -> None:
        raise ValueError("bad record")

    with pytest.raises(ValueError, match="bad record"):
        asyncio.run(overlapped(statement(), work))
    assert done == [True]
