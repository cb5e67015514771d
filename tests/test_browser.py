"""In a browser: ``kindroute serve`` driven by keys in the system's headless Chromium, checked via the CLI.

Playwright drives Debian's ``chromium`` (never a downloaded browser build). The terminal in the
page is drawn on a canvas, so the test waits for what the app leaves behind instead of reading
text: the page's first byte, the config file that remembers who logged in, the file
``KINDROUTE_ROWS_FILE`` names once the worklist shows rows, and the database itself; between
keys that only change the screen it waits until the picture changed and then stood still.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kindroute.cli.serve import app_command, session_environment

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
KINDROUTE = shutil.which("kindroute", path=str(Path(sys.executable).parent)) or shutil.which("kindroute")
IB = "Ingrid Bakker"


def test_session_environment_never_hands_down_a_password():
    env = {"KINDROUTE_PASSWORD": "geheim-wachtwoord", "KINDROUTE_USER": IB, "PATH": "/bin"}
    assert session_environment(env, sqlite=True) == {"KINDROUTE_USER": IB, "PATH": "/bin"}
    assert session_environment(env, sqlite=False) == {"PATH": "/bin"}
    assert app_command("/tmp/a b.sqlite", None).endswith("-m kindroute --db '/tmp/a b.sqlite'")


def test_serve_refuses_as():
    from click.testing import CliRunner

    from kindroute.cli import main

    result = CliRunner().invoke(main, ["serve", "--as", IB, "--db", "x.sqlite"])
    assert result.exit_code == 2 and "meldt zich zelf aan" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([KINDROUTE, *args], check=True, capture_output=True, text=True, env=env).stdout


def _until(check, what: str, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Screen:
    """The page's picture: wait until a key changed it and it stands still again.

    "Still" allows a blinking cursor: the screen has settled when no picture *new* to this wait
    has shown for a while; the pictures of that settled state (cursor on and off) are what the
    next key must change.
    """

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.settled: set[bytes] = {self._shot()}

    def _shot(self) -> bytes:
        return hashlib.sha256(self.page.screenshot()).digest()

    def settle(self, changed: bool = True, timeout: float = 20.0, still: float = 1.2) -> None:
        deadline = time.monotonic() + timeout
        seen = set(self.settled)
        moved = not changed
        last_new = time.monotonic()
        recent: list[tuple[float, bytes]] = []
        while time.monotonic() < deadline:
            time.sleep(0.12)
            shot, now = self._shot(), time.monotonic()
            recent.append((now, shot))
            if shot not in seen:
                seen.add(shot)
                last_new = now
                moved = moved or shot not in self.settled
            if moved and now - last_new > still:
                self.settled = {d for t, d in recent if t >= last_new}
                return
        raise AssertionError("the page did not change and settle")

    def press(self, key: str, changed: bool = True) -> None:
        self.page.keyboard.press(key)
        self.settle(changed)


@pytest.mark.skipif(CHROMIUM is None or KINDROUTE is None,
                    reason="chromium or the kindroute command is missing")
def test_log_in_open_a_case_and_take_a_step_in_the_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    db = tmp_path / "demo.sqlite"
    config = tmp_path / "config.toml"
    rows_file = tmp_path / "rows"
    env = {**os.environ, "KINDROUTE_CONFIG": str(config), "KINDROUTE_NOW": "2026-03-02T09:00",
           "KINDROUTE_ROWS_FILE": str(rows_file)}
    for var in ("KINDROUTE_USER", "KINDROUTE_DB", "KINDROUTE_ROUTE", "KINDROUTE_PASSWORD"):
        env.pop(var, None)
    _cli("demo", "--db", str(db), "--cases", "30", "--seed", "1", env=env)
    me = ["--db", str(db), "--as", IB]
    people = json.loads(_cli("people", "--format", "json", "--db", str(db), env=env))
    me_at = [p["name"] for p in people].index(IB)
    worklist = json.loads(_cli("cases", "--mine", "--format", "json", *me, env=env))
    position, before = -1, {}
    for position, row in enumerate(worklist):  # noqa: B007 - the position is what we need
        before = json.loads(_cli("case", "show", str(row["id"]), "--format", "json", *me, env=env))
        if any(n["allowed"] for n in before["next"]):
            break
    choice = next(i for i, n in enumerate(before["next"]) if n["allowed"]) + 1

    port = _free_port()
    server = subprocess.Popen([KINDROUTE, "serve", "--port", str(port), "--db", str(db)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        def up() -> bool:
            try:
                return urllib.request.urlopen(url, timeout=2).status == 200
            except OSError:
                return False

        _until(up, "kindroute serve to answer")
        with urllib.request.urlopen(url, timeout=5) as page_response:
            html = page_response.read().decode()
            assert "/ws" in html and "googleapis" not in html  # no third party sees a session open
            assert page_response.headers["X-Frame-Options"] == "DENY"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                ingrid = next(p["id"] for p in people if p["name"] == IB)
                for still in (2.5, 6.0, 12.0):
                    page.goto(url)
                    page.wait_for_selector("body.-first-byte", timeout=30_000)
                    page.click("body")
                    screen = Screen(page)
                    # the database opens, then "Wie bent u?" shows: wait until the screen stands still
                    screen.settle(changed=False, still=still, timeout=still + 30)
                    # log in: on a local file the owner says who they are ("Wie bent u?")
                    for _ in range(me_at):
                        screen.press("ArrowDown")
                    page.keyboard.press("Enter")
                    _until(lambda: config.exists() and rows_file.exists(), "the login and the worklist")
                    if f'"{ingrid}"' in config.read_text(encoding="utf-8"):
                        break
                    # a key went in before the list was there (a slow machine): a fresh session, again
                    config.unlink()
                    rows_file.unlink()
                else:
                    raise AssertionError("could not log in as the IB")
                screen.settle(changed=False)
                for _ in range(position):
                    screen.press("j")
                screen.press("Enter")  # the case
                screen.press("s")  # stap zetten
                screen.press(str(choice), changed=choice != 1)  # the first is chosen already
                page.keyboard.type("via de browser gezet")
                screen.settle()
                page.keyboard.press("Enter")

                def stepped() -> dict | None:
                    shown = _cli("case", "show", str(before["id"]), "--format", "json", *me, env=env)
                    case = json.loads(shown)
                    return case if len(case["history"]) > len(before["history"]) else None

                after = _until(stepped, "the step in the database")
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    assert after["history"][-1]["by"] == IB
    assert after["history"][-1]["note"] == "via de browser gezet"
    assert after["history"][-1]["to"] == before["next"][choice - 1]["to"]
