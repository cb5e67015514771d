"""Shared fixtures: a fresh migrated SQLite file, services with a frozen clock, a small seeded world.

Every test also runs with the user's own kindroute settings out of the way: no
KINDROUTE_DB/USER/ROUTE/NOW/DEBUG from the environment, and config, data, logs and cache
in the test's own temporary directories.
"""

from __future__ import annotations

from datetime import datetime

import pytest

#: The frozen "now" of the ``services`` fixture (a Monday morning).
FROZEN_NOW = datetime(2026, 11, 23, 9, 30)

#: The small world of the ``seeded`` fixture (name, roles, school BRIN or organisation).
SEED_SCHOOLS = (("OBS De Regenboog", "12AB"), ("CBS Het Anker", "34CD"))
SEED_PEOPLE = (
    ("Ingrid Bakker", ["ib"], "12AB", None),
    ("Tom de Wit", ["leerkracht"], "12AB", None),
    ("Lotte Jansen", ["leerkracht"], "12AB", None),
    ("Dirk Vos", ["directeur"], "12AB", None),
    ("Anna Anker", ["ib"], "34CD", None),
    ("Sara Smit", ["so_expert"], None, "SWV Passend Primair"),
    ("Jeroen Wijk", ["jeugdhulp"], None, "Wijkteam Noord"),
    ("Petra Plus", ["plusklas"], None, "Plusklas De Brug"),
    ("Willem Hof", ["swv"], None, "SWV Passend Primair"),
)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Keep the developer's own kindroute data, settings and environment out of every test."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    for var in ("KINDROUTE_DB", "KINDROUTE_USER", "KINDROUTE_ROUTE", "KINDROUTE_NOW", "KINDROUTE_DEBUG",
                "KINDROUTE_PASSWORD", "KINDROUTE_CONFIG", "KINDROUTE_HISTORY_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db_path(tmp_path):
    """Where the ``db`` fixture's database file lives."""
    return tmp_path / "kindroute.sqlite"


@pytest.fixture
def db(db_path):
    """A freshly created and migrated SQLite database file (no route stored yet: the first
    ``Services`` over it stores theirs)."""
    from kindroute.store.db import open_database

    database = open_database(str(db_path))
    yield database
    database.dispose()


@pytest.fixture
def front(db, db_path):
    """The front door (kindroute.bootstrap) to the ``db`` file, with the default route and a clock
    frozen at FROZEN_NOW."""
    from kindroute.bootstrap import open_services

    opened = open_services(str(db_path), clock=lambda: FROZEN_NOW)
    yield opened
    opened.close()


@pytest.fixture
def services(front):
    """Services over ``db`` with the default route and a clock frozen at FROZEN_NOW."""
    return front.services


@pytest.fixture
def seeded(services):
    """``services`` with two schools and a person for every role (see SEED_PEOPLE)."""
    for name, brin in SEED_SCHOOLS:
        services.add_school(name, brin)
    for name, roles, school, org in SEED_PEOPLE:
        services.add_person(name, roles, school=school, organisation=org)
    return services
