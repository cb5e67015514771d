"""The benchmark script keeps working: a tiny run of bench/run.py (benchmarks are not tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, only: str, *extra: str, timeout: int = 120) -> dict:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--cases", "200", "--quick", "--reps", "2",
         "--only", only, "--json", str(out), *extra],
        capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
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
    p5 = figures["P5"]
    # the demo against raw executemany of its own rows: one floor sample per demo build
    assert p5["samples"][0] > 0 and len(p5["floor"]) == len(p5["samples"]) and p5["floor"][0] > 0
    assert p5["target"] == "≤ 2.5×" and "rows" in p5["note"]


def test_bench_start_up_runs_in_a_pty(tmp_path):
    pytest.importorskip("pty")
    result = _run(tmp_path, "P1")
    figures = {f["id"]: f for f in result["figures"]}
    assert set(figures) == {"P1", "P1c", "P1k"}
    rows, keys, cold = figures["P1"], figures["P1k"], figures["P1c"]
    assert "second start" in rows["note"] and len(rows["samples"]) == 2 and len(rows["floor"]) == 2
    # the first starts (no kept first page) are interleaved with the same floor samples
    assert len(cold["samples"]) == 2 and cold["floor"] == rows["floor"] and cold["target"] == ""
    assert rows["ratio"] > 0 and rows["target"] == "≤ 1.5×"
    # the rows come after the first interactive frame of the same starts, against the same floor
    assert len(keys["samples"]) == 2 and keys["floor"] == rows["floor"] and keys["target"] == ""
    assert all(r >= k for r, k in zip(rows["samples"], keys["samples"], strict=True))


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


def test_bench_case_open_and_stroomschema_run_with_pilot(tmp_path):
    result = _run(tmp_path, "P7,P8,P2m", "--million", "300", timeout=240)
    figures = {f["id"]: f for f in result["figures"]}
    assert set(figures) == {"P7", "P8", "P8m", "P2m"}  # P8m: the Inzicht screen beside the stroomschema
    p8m = figures["P8m"]
    assert not p8m["note"].startswith("failed") and len(p8m["samples"]) == len(p8m["floor"]) > 0
    for fid in ("P7", "P8"):
        fig = figures[fid]
        assert not fig["note"].startswith("failed"), fig["note"]
        assert len(fig["samples"]) == len(fig["floor"]) == 2 and fig["ratio"] > 0
    # P7's first frame with the case comes before (or with) the screen settling
    settled = result["p7_settled"]
    assert len(settled["samples"]) == len(settled["floor"]) == 2
    assert all(s >= f for s, f in zip(settled["samples"], figures["P7"]["samples"], strict=True))
    assert "failed" not in figures["P2m"]["note"] and len(figures["P2m"]["samples"]) == 16


PG_URL = os.environ.get("KINDROUTE_TEST_PG_URL")


@pytest.mark.skipif(not PG_URL, reason="KINDROUTE_TEST_PG_URL is not set")
def test_bench_postgresql_figures_and_load_run(tmp_path):
    before = _bench_databases()
    result = _run(tmp_path, "P9,P10", "--pg", str(PG_URL), "--sessions", "3", "--seconds", "1.5",
                  "--think", "0.05", timeout=300)
    figures = {f["id"]: f for f in result["figures"]}
    assert set(figures) == {"P9a", "P9b", "P10"}
    for fid in ("P9a", "P9b"):
        assert not figures[fid]["note"].startswith("failed"), figures[fid]["note"]
        assert figures[fid]["ratio"] > 0
    # the demo's load is written out before anything is timed (the test's login may checkpoint)
    assert result["pg_settle"].startswith("CHECKPOINT in "), result["pg_settle"]
    p10 = result["p10"]
    assert p10["many"]["sessions"] == 3 and p10["alone"]["sessions"] == 1
    # the sessions are people with a think time, and the floor is one of them alone (pausing the
    # same way, for three times as long); one session back to back is context beside it
    assert p10["floor"] == "alone_pausing"
    lone = p10["alone_pausing"]
    assert lone["sessions"] == 1 and lone["think_s"] == 0.05 and lone["seconds"] == 4.5
    assert figures["P10"]["floor"] == [lone["ops"][op]["p95"] for op in ("list", "open", "step")
                                       if lone["ops"][op]["p95"] and p10["many"]["ops"][op]["p95"]]
    assert p10["many"]["think_s"] == 0.05 and p10["alone"]["think_s"] == 0
    # beside it, what a pause of as long costs this machine without a database
    probe = p10["pause_probe"]["figures"]
    assert set(probe) == {"tight", "scattered"}
    assert all(r["back_to_back"] > 0 and r["after_sleep"] > 0 and r["after_busy_wait"] > 0
               for r in probe.values())
    assert "bench/pause_probe.py" in figures["P10"]["note"]
    assert p10["back_to_back"]["think_s"] == 0 and p10["back_to_back"]["errors"] == 0
    assert p10["back_to_back_events"] == p10["back_to_back"]["steps"]
    assert p10["many"]["errors"] == 0, p10["many"]["error_examples"]
    # every step the sessions took is one event in the database, no more, no less
    assert p10["events"] == p10["many"]["steps"]
    assert p10["many"]["ops"]["list"]["n"] > 0 and p10["many"]["ops"]["list"]["p95"] > 0
    assert "ops/s" in figures["P10"]["note"]
    # the databases the bench made are gone again
    assert not _bench_databases() - before


def _bench_databases() -> set[str]:
    import psycopg

    url = str(PG_URL).replace("postgresql+psycopg://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(url) as con:
        return {r[0] for r in con.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'kindroute_bench_%'")}
