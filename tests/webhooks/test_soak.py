"""The short soak: bench/soak.py for a few seconds of faults, with nothing lost.

Servers and a worker are killed with SIGKILL, the receiver goes down, fails
and slows, and the database is unreachable for a while, during REST writes;
the script exits 1 when any event is lost, phantom or out of order, or the
deliveries do not drain. The long run and its figures are in
docs/performance.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_short_soak_loses_nothing(backend: str, tmp_path: Path) -> None:
    if backend != "postgresql":
        pytest.skip("several processes and workers share one PostgreSQL")
    figures = tmp_path / "soak.json"
    argv = [sys.executable, str(ROOT / "bench" / "soak.py"), "--seconds", "14", "--outage", "5"]
    argv += ["--writers", "4", "--seed", "7", "--drain", "90"]
    argv += ["--workdir", str(tmp_path), "--json", str(figures)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    logs = {p.name: p.read_text()[-2000:] for p in tmp_path.glob("*.log")}
    assert done.returncode == 0, (done.stdout, done.stderr[-4000:], logs)
    result = json.loads(figures.read_text())
    assert result["writes_acknowledged"] > 0 and result["kills"] > 0
    assert result["delivered_events"] == result["events"] > 0
    assert result["lost"] == result["phantom"] == result["order_violations"] == 0
