"""End to end: the real ``kindroute`` command in tmux, driven by keys, checked through the CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

TMUX = shutil.which("tmux")
KINDROUTE = shutil.which("kindroute", path=str(Path(sys.executable).parent)) or shutil.which("kindroute")


def _run(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([KINDROUTE, *args], check=True, capture_output=True, text=True, env=env).stdout


class Pane:
    def __init__(self, socket: str, session: str) -> None:
        self.base = [TMUX, "-L", socket]
        self.session = session

    def text(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p", "-t", self.session],
                              capture_output=True, text=True).stdout

    def send(self, *keys: str, literal: bool = False) -> None:
        extra = ["-l"] if literal else []
        subprocess.run([*self.base, "send-keys", "-t", self.session, *extra, *keys], check=True)

    def wait_for(self, pattern: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if re.search(pattern, text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {pattern!r}; screen:\n{text}")


@pytest.mark.skipif(TMUX is None or KINDROUTE is None, reason="tmux or the kindroute command is missing")
def test_take_a_step_in_the_real_app(tmp_path):
    db = tmp_path / "e2e.sqlite"
    env = {**os.environ, "KINDROUTE_CONFIG": str(tmp_path / "config.toml"), "TERM": "xterm-256color"}
    env.pop("KINDROUTE_USER", None)
    env.pop("KINDROUTE_DB", None)
    _run("demo", "--db", str(db), "--seed", "1", env=env)
    me = ["--db", str(db), "--as", "Ingrid Bakker"]
    worklist = json.loads(_run("cases", "--mine", "--format", "json", *me, env=env))
    position, before = -1, {}
    for position, row in enumerate(worklist):  # noqa: B007 - the position is what we need
        before = json.loads(_run("case", "show", str(row["id"]), "--format", "json", *me, env=env))
        if any(n["allowed"] for n in before["next"]):
            break
    allowed = [i for i, n in enumerate(before["next"]) if n["allowed"]]

    socket, session = f"kr-e2e-{os.getpid()}", "kindroute"
    pane = Pane(socket, session)
    command = f"{KINDROUTE} --db {db} --as 'Ingrid Bakker'"
    subprocess.run([TMUX, "-L", socket, "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    "env", *[f"{k}={v}" for k, v in env.items() if k.startswith(("KINDROUTE", "TERM"))],
                    "sh", "-c", command], check=True, env=env)
    try:
        pane.wait_for(r"Werkvoorraad · aan mij\s+\d+ casus")
        for _ in range(position):
            pane.send("j")
        pane.send("Enter")
        screen = pane.wait_for(r"· casus \d+")
        assert re.search(r"casus (\d+)", screen).group(1) == str(before["id"])
        pane.send("s")
        pane.wait_for(r"1–9 kies")
        pane.send(str(allowed[0] + 1))
        pane.wait_for(r"Nieuwe stap")
        pane.send("via tmux gezet", literal=True)
        pane.send("Enter")
        pane.wait_for(r"Stap gezet")
        pane.send("q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and subprocess.run(
                [TMUX, "-L", socket, "has-session", "-t", session], capture_output=True).returncode == 0:
            time.sleep(0.1)
    finally:
        subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True)

    after = json.loads(_run("case", "show", str(before["id"]), "--format", "json", *me, env=env))
    assert len(after["history"]) == len(before["history"]) + 1
    assert after["history"][-1]["by"] == "Ingrid Bakker"
    assert after["history"][-1]["note"] == "via tmux gezet"
