"""The benchmark script keeps working: a tiny run of bench/run.py (benchmarks are not tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, only: str) -> dict:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--cases", "200", "--quick", "--reps", "2",
         "--only", only, "--json", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text())


def test_bench_steps_and_demo_run_in_quick_mode(tmp_path):
    result = _run(tmp_path, "P3,P5")
    figures = {f["id"]: f for f in result["figures"]}
    assert set(figures) == {"P3", "P5"}
    p3 = figures["P3"]
    assert len(p3["samples"]) == 2 and len(p3["floor"]) == 2
    assert all(x > 0 for x in p3["samples"] + p3["floor"]) and p3["ratio"] > 0
    assert figures["P5"]["samples"][0] > 0


def test_bench_start_up_runs_in_a_pty(tmp_path):
    pytest.importorskip("pty")
    result = _run(tmp_path, "P1")
    figures = {f["id"]: f for f in result["figures"]}
    assert set(figures) == {"P1", "P1b"}
    p1, rows = figures["P1"], figures["P1b"]
    assert p1["note"] == "" and len(p1["samples"]) == 2 and len(p1["floor"]) == 2
    assert p1["ratio"] > 0
    # the rows come after the first interactive frame of the same starts, against the same floor
    assert len(rows["samples"]) == 2 and rows["floor"] == p1["floor"] and rows["target"] == ""
    assert all(r >= f for r, f in zip(rows["samples"], p1["samples"], strict=True))


def test_bench_filter_keystrokes_and_memory_run_with_pilot(tmp_path):
    result = _run(tmp_path, "P2,P4")
    figures = {f["id"]: f for f in result["figures"]}
    assert set(figures) == {"P2", "P4"}
    p2, p4 = figures["P2"], figures["P4"]
    assert "failed" not in p2["note"] and "failed" not in p4["note"]
    keys = result["probes"]["big"]["keys"]
    # 'jans' and four backspaces, two rounds with --quick
    assert [k["key"] for k in keys] == (list("jans") + ["backspace"] * 4) * 2
    assert all(k["ms"] >= k["data_ms"] > 0 and k["count_ms"] >= k["data_ms"] for k in keys)
    assert len(p2["samples"]) == len(p2["floor"]) == 16 and p2["ratio"] > 0
    assert p4["samples"][0] > 10 and p4["floor"][0] > 10  # MB of a real Python + Textual process


def test_bench_monitor_first_frame_and_report_run(tmp_path):
    result = _run(tmp_path, "M,R")
    figures = {f["id"]: f for f in result["figures"]}
    assert set(figures) == {"M", "R"}
    m, r = figures["M"], figures["R"]
    assert "failed" not in m["note"] and len(m["samples"]) == len(m["floor"]) == 3
    assert all(x > 0 for x in m["samples"] + m["floor"]) and m["ratio"] > 0
    assert len(r["samples"]) == len(r["floor"]) == 2 and r["ratio"] > 0
    assert "as the SWV" in r["note"]
