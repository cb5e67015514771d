"""End to end on PostgreSQL: the real ``kindroute --db URL --as NAME`` in tmux asks the password."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from test_e2e_tmux import KINDROUTE, TMUX, Pane
from test_trust_support import needs_pg, pg_database

pytestmark = [pytest.mark.e2e, pytest.mark.pg, needs_pg]

PASSWORD = "ilse-wachtwoord-1"


def _cli(*args: str, env: dict[str, str], input: str | None = None) -> str:  # noqa: A002
    done = subprocess.run([KINDROUTE, *args], capture_output=True, text=True, env=env, input=input)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(TMUX is None or KINDROUTE is None, reason="tmux or the kindroute command is missing")
def test_shared_database_opens_only_with_the_password(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("KINDROUTE_DB", "KINDROUTE_USER", "KINDROUTE_PASSWORD", "KINDROUTE_NOW")}
    # a shared database takes its history key from the file the administrator names
    env.update(KINDROUTE_CONFIG=str(tmp_path / "config.toml"), TERM="xterm-256color",
               KINDROUTE_HISTORY_KEY_FILE=str(tmp_path / "swv-geschiedenis.key"))
    with pg_database() as url:
        _cli("demo", "--db", url, "--cases", "12", env=env)
        added = _cli("user", "add", "Ilse Inlog", "--role", "ib", "--school", "21KL", "--password-stdin",
                     "--db", url, env=env, input=PASSWORD + "\n")
        assert "wachtwoord ingesteld" in added

        socket, session = f"kr-e2e-login-{os.getpid()}", "kindroute"
        pane = Pane(socket, session)
        passed = [f"{k}={v}" for k, v in env.items() if k.startswith(("KINDROUTE", "TERM"))]
        command = f"{KINDROUTE} --db '{url}' --as 'Ilse Inlog'"
        subprocess.run([TMUX, "-L", socket, "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                        "env", *passed, "sh", "-c", command], check=True, env=env)
        try:
            screen = pane.wait_for(r"Wachtwoord")
            assert "Aanmelden" in screen and "Ilse Inlog" in screen
            assert "Werkvoorraad" not in screen, "a name alone opens nothing"
            pane.send("fout-wachtwoord-9", literal=True)
            pane.send("Enter")
            screen = pane.wait_for(r"Aanmelden mislukt")
            assert "fout-wachtwoord" not in screen, "the password is masked"
            pane.wait_for(r"Probeer het opnieuw")  # the wait is over: the fields take keys again
            pane.send(PASSWORD, literal=True)
            pane.send("Enter")
            screen = pane.wait_for(r"Werkvoorraad · aan mij")
            assert "Ilse Inlog · Intern begeleider" in screen
            pane.send("q")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and subprocess.run(
                    [TMUX, "-L", socket, "has-session", "-t", session], capture_output=True).returncode == 0:
                time.sleep(0.1)
        finally:
            subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True)
