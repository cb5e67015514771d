"""Keys: binding ids, the user's keys.toml, the help screen and the palette in Dutch."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from test_app import screen_text
from test_tui_support import demo_db, make_app, services_for, settle, type_text
from textual.binding import Binding

import kindroute.screens
import kindroute.widgets
from kindroute.keymap import BINDING_IDS, read_keymap
from kindroute.screens.case import CaseScreen
from kindroute.screens.help import HelpScreen
from kindroute.screens.worklist import WorklistScreen


@pytest.fixture
def services(tmp_path, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("KINDROUTE_USER", raising=False)
    svc = services_for(demo_db(tmp_path, tmp_path_factory))
    yield svc
    svc.db.dispose()


def all_bindings() -> list[tuple[str, Binding]]:
    """Every Binding declared by kindroute's app, screens and widgets."""
    from kindroute.app import KindrouteApp

    classes: list[type] = [KindrouteApp]
    for package in (kindroute.screens, kindroute.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            classes += [c for c in vars(module).values()
                        if isinstance(c, type) and c.__module__ == module.__name__]
    found = []
    for cls in classes:
        for binding in vars(cls).get("BINDINGS", []):
            if isinstance(binding, Binding):
                found.append((cls.__name__, binding))
    return found


def test_every_binding_has_an_id_a_dutch_description_and_a_known_id():
    found = all_bindings()
    assert len(found) > 40
    for owner, binding in found:
        if owner in ("ChooseReviewSetScreen", "ReviewSummaryScreen", "ChoosePersonScreen") \
                and binding.id is None:
            continue  # screens of another part of the app, not (yet) remappable
        assert binding.id in BINDING_IDS, (owner, binding.key, binding.id)
        assert binding.description and binding.description[0].isupper(), (owner, binding)


def test_keymap_file_reads_strings_lists_and_skips_unknown_ids(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('step = "z"\nnote = ["n", "ctrl+o"]\nbogus = "y"\n', encoding="utf-8")
    keymap = read_keymap(path)
    assert keymap.keys == {"step": "z", "note": "n,ctrl+o"}
    assert len(keymap.problems) == 1 and "bogus" in keymap.problems[0]


@pytest.mark.parametrize("content", ['step = "z', "step = 3\n", 'step = ["a b"]\n', b"\xff\xfe"])
def test_broken_keymap_gives_the_defaults_and_a_reason(tmp_path, content):
    path = tmp_path / "keys.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    keymap = read_keymap(path)
    assert keymap.keys == {} and "standaardtoetsen" in keymap.problems[0]


async def test_keys_toml_remaps_step_and_the_help_shows_it(services, tmp_path):
    (tmp_path / "keys.toml").write_text('step = "z"\nhelp = "f2"\n', encoding="utf-8")
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("s")  # no longer the step key
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert re.search(r"│\s*z\s{2,}Stap zetten", text), text
        assert not re.search(r"│\s*s\s{2,}Stap zetten", text)
        await pilot.press("escape")
        await pilot.press("z")
        await settle(pilot)
        from kindroute.screens.step import StepScreen

        assert isinstance(app.screen, StepScreen)


async def test_broken_keys_toml_starts_with_defaults_and_says_so(services, tmp_path):
    (tmp_path / "keys.toml").write_text("step = [", encoding="utf-8")
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        notices = [n.message for n in app._notifications]  # noqa: SLF001 - what the user was told
        assert any("geen geldige TOML" in m and "standaardtoetsen" in m for m in notices)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        from kindroute.screens.step import StepScreen

        assert isinstance(app.screen, StepScreen)


async def test_palette_speaks_dutch(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        text = screen_text(app)
        assert "Zoek een opdracht" in text and "Search for commands" not in text
        await type_text(pilot, "qqqzzzxx")
        await pilot.pause(0.8)
        await settle(pilot)
        text = screen_text(app)
        assert "Niets gevonden" in text and "No matches" not in text
        for _ in range(8):
            await pilot.press("backspace")
        await type_text(pilot, "Toets")
        for _ in range(3):  # the palette debounces its searches; under load it takes a while
            await pilot.pause(0.3)
            await settle(pilot)
            if "Toetsen" in screen_text(app):
                break
        assert "Toetsen" in screen_text(app)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles == ["Toetsen", "Thema", "Stoppen"]
        await pilot.press("escape")
        assert isinstance(app.screen, WorklistScreen)


async def test_palette_runs_screen_actions_and_shows_the_remapped_key(services, tmp_path):
    (tmp_path / "keys.toml").write_text('flowchart = "v"\n', encoding="utf-8")
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Stroomschema")
        await pilot.pause(0.3)
        await settle(pilot)
        text = screen_text(app)
        assert "(v)" in text and "(w)" not in text
        await pilot.press("enter")
        await settle(pilot)
        from kindroute.screens.flowchart import FlowchartScreen

        assert isinstance(app.screen, FlowchartScreen)
