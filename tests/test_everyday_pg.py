"""The everyday use cases on PostgreSQL: migration from 0002 with data, people, import, rollover."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, select, text
from test_pupil_import import PARNASSYS, write
from test_trust_support import needs_pg, pg_database

from kindroute.errors import InvalidInput
from kindroute.services import staff as people
from kindroute.services.pupil_import import import_pupils
from kindroute.services.school_year import start_school_year, undo_school_year
from kindroute.store import schema
from kindroute.store.db import open_database
from kindroute.store.models import Pupil

pytestmark = [needs_pg, pytest.mark.pg]


def test_upgrade_from_0002_then_people_import_and_rollover(tmp_path):
    from kindroute.services import Services

    with pg_database() as url:
        engine = create_engine(url)
        schema.upgrade(engine, "0002")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schools (name, brin) VALUES ('OBS X', '11XX')"))
            conn.execute(text("INSERT INTO people (name, roles, school_id, active, created_at) "
                              "SELECT 'Ingrid Bakker', 'ib', id, true, '2026-01-01' FROM schools"))
        engine.dispose()
        db = open_database(url)
        try:
            svc = Services(db, clock=lambda: datetime(2026, 11, 23, 9, 30))
            ib = svc.resolve_actor("Ingrid Bakker")
            people.add_person(svc, ib, "Tom de Wit", ["leerkracht"], school="11XX")
            with pytest.raises(InvalidInput, match="uniek"):
                people.add_person(svc, ib, "TOM DE WIT", ["leerkracht"], school="11XX")
            report = import_pupils(svc, ib, "11XX", write(tmp_path, PARNASSYS, "cp1252"))
            assert report.written and len(report.new) == 5
            start_school_year(svc, ib, 2026)
            with db.sessions() as s:
                groups = {p.name: (p.group, p.left_school_on) for p in s.scalars(select(Pupil))}
            assert groups["Jan-Willem Bos"] == (8, date(2026, 11, 23)) and groups["Eva de Vries"][0] == 5
            undo_school_year(svc, ib)
            with db.sessions() as s:
                assert {p.name: p.group for p in s.scalars(select(Pupil))}["Eva de Vries"] == 4
        finally:
            db.dispose()
