"""The ``kindroute`` console script (kindroute/__main__.py): plain ``kindroute`` opens the app
without click, with the command line's defaults, and reports failures as the command line does."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

import kindroute
from kindroute.errors import InvalidInput


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    import gc

    for name in ("KINDROUTE_DB", "KINDROUTE_USER", "KINDROUTE_ROUTE", "KINDROUTE_DEBUG", "KINDROUTE_NOW"):
        monkeypatch.delenv(name, raising=False)
    yield
    gc.unfreeze()  # plain kindroute froze what the start made (kindroute.services.early_page)
    gc.enable()


def plain(monkeypatch, argv: list[str], run_app: Any) -> int:
    """Run the console script with ``argv``; its exit code."""
    import kindroute.app
    from kindroute.__main__ import run

    monkeypatch.setattr(kindroute.app, "run_app", run_app)
    monkeypatch.setattr(sys, "argv", ["kindroute", *argv])
    with pytest.raises(SystemExit) as ended:
        run()
    code = ended.value.code
    return code if isinstance(code, int) else (0 if code is None else 1)


def test_plain_kindroute_takes_the_command_lines_defaults(monkeypatch):
    seen: dict[str, Any] = {}

    def run_app(db, who, route=None, early=None):  # type: ignore[no-untyped-def]
        seen.update(db=db, who=who, route=route, early=(early.db, early.who, early.route))
        return 3

    monkeypatch.setenv("KINDROUTE_DB", "x.sqlite")
    monkeypatch.setenv("KINDROUTE_USER", "Ingrid Bakker")
    monkeypatch.setenv("KINDROUTE_ROUTE", "")  # empty: unset, as click takes it
    assert plain(monkeypatch, [], run_app) == 3
    assert seen == {"db": "x.sqlite", "who": "Ingrid Bakker", "route": None,
                    "early": ("x.sqlite", "Ingrid Bakker", None)}


def test_arguments_go_to_the_command_line(monkeypatch, capsys):
    def run_app(**kw: Any) -> int:
        raise AssertionError("not the app")

    assert plain(monkeypatch, ["--version"], run_app) == 0
    assert capsys.readouterr().out.strip() == f"kindroute {kindroute.__version__}"


def test_a_failure_is_reported_as_the_command_line_does(monkeypatch, capsys):
    def refused(**kw: Any) -> int:
        raise InvalidInput("KINDROUTE_NOW 'gisteren' is geen datum en tijd.")

    assert plain(monkeypatch, [], refused) == InvalidInput("").exit_code
    assert capsys.readouterr().err.strip() == "KINDROUTE_NOW 'gisteren' is geen datum en tijd."

    def broken(**kw: Any) -> int:
        raise RuntimeError("kapot")

    assert plain(monkeypatch, [], broken) == 70
    err = capsys.readouterr().err
    assert "onverwachts mis (RuntimeError)" in err and "Traceback" not in err

    monkeypatch.setenv("KINDROUTE_DEBUG", "1")  # the developer's traceback
    with pytest.raises(RuntimeError):
        plain(monkeypatch, [], broken)


def test_plain_kindroute_imports_no_click():
    code = (
        "import sys\n"
        "import kindroute.app\n"
        "kindroute.app.run_app = lambda **kw: print(sorted(\n"
        "    m for m in sys.modules if m.split('.')[0] == 'click' or m.startswith('kindroute.cli'))) or 0\n"
        "sys.argv = ['kindroute']\n"
        "from kindroute.__main__ import run\n"
        "run()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINDROUTE_")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
