"""bench/events.py runs end to end on a small seed (speed is not asserted here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "events.py"


def test_the_events_benchmark_runs_and_agrees_with_a_full_scan(tmp_path: Path) -> None:
    output = tmp_path / "events.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FREEDOMCITIES_DATA")}
    done = subprocess.run(
        [sys.executable, str(BENCH), "--events", "400", "--queries", "8", "--output", str(output)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "baseline: bbox count" in done.stdout
    report = json.loads(output.read_text())
    assert report["events"] == 400 and report["agree"] == 8
    assert "event_near" in report["plan"]
    names = [row["name"] for row in report["rows"]]
    assert names[0] == "nearby search (page)" and "baseline: date range" in names
