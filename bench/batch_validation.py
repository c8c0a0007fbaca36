"""What validating a batch costs: 1,000 people with 100 custom fields, old code against new.

Run from the repository root with ``.venv/bin/python bench/batch_validation.py``.
No database or server: it builds the person object of a registry holding
``bench/batch_insert.py``'s 100 custom fields and times, in-process, what a
batch create does per row before any SQL (``validate``, the object's rules and
``check_required``) over the same bodies as that bench, with every custom
field set and with none. The "old" side runs the code of git ref ``--old``
(default ``main``, exported with ``git archive``), the "new" side this checkout,
each in its own process, alternating, in the same run. It prints the median
ms per batch of each side and the ratios. (``bench/batch_insert.py`` measures
the whole request against PostgreSQL.)
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _bodies(custom: bool) -> list[dict[str, Any]]:
    from bench import batch_insert, rest

    defs = batch_insert.fields() if custom else []
    out = []
    for n in range(batch_insert.BATCH):
        p = rest.person(n, tag="v")
        p.pop("companyId")
        p.update({f["name"]: batch_insert.value(f, n) for f in defs})
        out.append(p)
    return out


def _person() -> Any:
    """The person object of a registry with the bench's 100 custom fields."""
    from bench import batch_insert

    from rolodex.metadata import registry, repository

    rows = []
    for f in batch_insert.fields():
        definition: dict[str, Any] = {"nullable": True, "indexed": f.get("isIndexed", False)}
        if "options" in f:
            definition["options"] = [{"value": o, "label": o} for o in f["options"]]
        rows.append(
            repository.FieldRow(  # type: ignore[call-arg]
                id=uuid.uuid4(),
                object_name="person",
                name=f["name"],
                type=f["type"],
                label=f["name"],
                description="",
                definition=definition,
            )
        )
    return registry.build(1, rows).object("person")


def inner(runs: int) -> None:
    """One side: print the ms per batch, as JSON, for each kind of body."""
    from rolodex.records import rules
    from rolodex.records.schemas import check_required, validate

    obj = _person()
    # Older code took the object's name; since the behaviours moved onto the
    # definition it takes the definition.
    target: Any = obj if "ObjectDef" in str(inspect.signature(rules.apply)) else obj.name
    out: dict[str, list[float]] = {}
    for label in ("custom", "plain"):
        bodies = _bodies(label == "custom")
        times = []
        for _ in range(runs + 1):  # the first run warms the caches
            t0 = time.perf_counter()
            for data in bodies:
                inp = validate(obj, data, creating=True)
                rules.apply(target, inp.values, None)
                check_required(obj, inp.values)
            times.append((time.perf_counter() - t0) * 1000)
        out[label] = times[1:]
    print(json.dumps(out))


def _side(src: Path, runs: int) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{ROOT}"}
    done = subprocess.run(
        [sys.executable, __file__, "--inner", str(runs)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{src}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--old", default="main", help="git ref of the old code (default main)")
    parser.add_argument("--runs", type=int, default=10, help="batches per round")
    parser.add_argument("--rounds", type=int, default=3, help="old/new rounds, alternating")
    parser.add_argument("--inner", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner is not None:
        inner(args.inner)
        return 0
    from bench.batch_insert import BATCH, old_source

    results: dict[str, dict[str, list[float]]] = {
        "old": {"custom": [], "plain": []},
        "new": {"custom": [], "plain": []},
    }
    with old_source(args.old) as old_src:
        for _ in range(args.rounds):
            for side, src in (("old", old_src), ("new", ROOT / "src")):
                for k, v in _side(src, args.runs).items():
                    results[side][k].extend(v)
    print(f"\nvalidating {BATCH:,} people per batch (no SQL); old = {args.old}")
    print(f"{'side':<6}{'custom fields':>15}{'median ms':>11}{'min ms':>9}")
    med: dict[tuple[str, str], float] = {}
    for side, by_kind in results.items():
        for kind, label in (("plain", "none"), ("custom", "100")):
            med[side, kind] = statistics.median(by_kind[kind])
            print(f"{side:<6}{label:>15}{med[side, kind]:>11.1f}{min(by_kind[kind]):>9.1f}")
    print(
        f"\n100 custom fields: new {med['new', 'custom']:.1f} ms, old {med['old', 'custom']:.1f}"
        f" ms ({med['old', 'custom'] / med['new', 'custom']:.2f}x faster); with custom fields"
        f" / without: old {med['old', 'custom'] / med['old', 'plain']:.1f}x,"
        f" new {med['new', 'custom'] / med['new', 'plain']:.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
