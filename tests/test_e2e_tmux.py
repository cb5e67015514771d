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

    def styled(self) -> str:
        """The screen with its colours (a moved focus shows only in colour)."""
        return subprocess.run([*self.base, "capture-pane", "-e", "-p", "-t", self.session],
                              capture_output=True, text=True).stdout

    def press(self, *keys: str, timeout: float = 20.0) -> None:
        """Named keys one at a time, each waiting until the screen shows its effect.

        A key pressed before the app has handled the one before may go to the wrong field (a Tab
        and the text after it arriving together put the text in the old field). A blinking
        cursor changes the screen too: what counts is a picture not seen while standing still.
        """
        for key in keys:
            self._changing(key, timeout=timeout)

    def _changing(self, key: str, literal: bool = False, timeout: float = 20.0) -> None:
        before = set()
        until = time.monotonic() + 0.6
        while time.monotonic() < until:
            before.add(self.styled())
            time.sleep(0.1)
        self.send(key, literal=literal)
        deadline = time.monotonic() + timeout
        while self.styled() in before:
            if time.monotonic() > deadline:
                raise AssertionError(f"{key!r} changed nothing; screen:\n{self.text()}")
            time.sleep(0.1)

    def type(self, text: str) -> None:
        """Text into the focused field; returns once it shows."""
        self._changing(text, literal=True)
        self.wait_for(re.escape(text))

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


def _ticks(case: dict) -> int:
    return sum(1 for item in case["tracks"][0]["checklist"] if item[2])


@pytest.mark.skipif(TMUX is None or KINDROUTE is None, reason="tmux or the kindroute command is missing")
def test_a_newcomer_sets_up_everything_in_the_app(tmp_path):
    """From an empty database, only keys: school and self, two colleagues, a pupil's case, a step."""
    db = tmp_path / "new.sqlite"
    env = {**os.environ, "KINDROUTE_CONFIG": str(tmp_path / "config.toml"), "TERM": "xterm-256color",
           "KINDROUTE_NOW": "2026-03-02T09:00"}
    for var in ("KINDROUTE_USER", "KINDROUTE_DB", "KINDROUTE_ROUTE"):
        env.pop(var, None)
    socket, session = f"kr-new-{os.getpid()}", "kindroute"
    pane = Pane(socket, session)
    subprocess.run([TMUX, "-L", socket, "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    "env", *[f"{k}={v}" for k, v in env.items() if k.startswith(("KINDROUTE", "TERM"))],
                    "sh", "-c", f"{KINDROUTE} --db {db}"], check=True, env=env)
    me = ["--db", str(db), "--as", "Ingrid Bakker"]
    try:
        pane.wait_for(r"Welkom bij kindroute")
        pane.send("l")
        pane.wait_for(r"Naam van de school")
        pane.type("OBS De Linde")
        pane.press("Tab")
        pane.type("45EF")
        pane.press("Tab")
        pane.type("Ingrid Bakker")
        pane.press("Enter")
        pane.wait_for(r"Werkvoorraad")

        pane.send("p")
        pane.wait_for(r"Mensen\s+1 persoon")
        pane.send("+")
        pane.wait_for(r"Persoon toevoegen")
        pane.type("Tom de Wit")
        pane.press("Enter")
        pane.wait_for(r"Mensen\s+2 personen")
        pane.send("+")
        pane.wait_for(r"Persoon toevoegen")
        pane.type("Sanne Smit")
        pane.press("Tab")  # the role: open the list, one down (Intern begeleider), choose
        pane.press("Enter")
        pane.press("Down")
        pane.press("Enter")
        pane.press("C-s")
        pane.wait_for(r"Mensen\s+3 personen")
        pane.press("Escape")
        pane.wait_for(r"Werkvoorraad")

        pane.send("+")
        pane.wait_for(r"Naam van de leerling")
        pane.type("Eva de Vries")
        pane.press("Tab")
        pane.type("12-05-2018")
        pane.press("Tab")
        pane.type("3")
        pane.press("Enter")
        pane.wait_for(r"· casus \d+")
        case_id = re.search(r"casus (\d+)", pane.text()).group(1)
        pane.wait_for(r"Signalering")
        pane.press("3")  # the checklist: tick both items
        pane.wait_for(r"Observatie vastgelegd")
        pane.press("Space")
        _wait_cli(lambda: _ticks(_show(case_id, me, env)) == 1, pane)
        pane.press("Down")
        pane.press("Space")
        _wait_cli(lambda: _ticks(_show(case_id, me, env)) == 2, pane)
        pane.send("s")
        pane.wait_for(r"1–9 kies")
        pane.send("1")
        pane.wait_for(r"Nieuwe stap")
        pane.type("eerste stap")
        pane.press("Enter")
        pane.wait_for(r"Stap gezet")
        pane.send("q")
    finally:
        subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True)

    staff = {p["name"]: p for p in json.loads(_run("people", "--format", "json", *me, env=env))}
    assert {n: tuple(p["roles"]) for n, p in staff.items()} == {
        "Ingrid Bakker": ("ib",), "Tom de Wit": ("leerkracht",), "Sanne Smit": ("ib",)}
    assert {p["school"] for p in staff.values()} == {"OBS De Linde"}
    schools = json.loads(_run("schools", "--format", "json", *me, env=env))
    assert [(s["name"], s["brin"]) for s in schools] == [("OBS De Linde", "45EF")]
    case = _show(case_id, me, env)
    assert (case["pupil"], case["date_of_birth"], case["group"]) == ("Eva de Vries", "2018-05-12", 3)
    assert case["step"] == "aanpak_groep"
    assert case["history"][-1]["by"] == "Ingrid Bakker" and case["history"][-1]["note"] == "eerste stap"


def _show(case_id: str, me: list[str], env: dict[str, str]) -> dict:
    return json.loads(_run("case", "show", case_id, "--format", "json", *me, env=env))


def _wait_cli(done, pane: Pane, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"the database did not change in time; screen:\n{pane.text()}")
        time.sleep(0.2)
