"""Rights are route data: renaming the default route's roles keeps every right, and a role gets
only the rights its ``[[roles]]`` entry gives."""

from __future__ import annotations

import re

import pytest

from kindroute.errors import AccessDenied
from kindroute.services import CaseFilter, Services
from kindroute.workflow import default_route_path, parse_route

RENAMED = {"ib": "intern_begeleider", "leerkracht": "groepsleerkracht", "so_expert": "onderwijsexpert"}


def renamed_route():  # type: ignore[no-untyped-def]
    text = default_route_path().read_text(encoding="utf-8")
    for old, new in RENAMED.items():
        text = re.sub(rf'(?<![\w-]){old}(?![\w-])', new, text)
    return parse_route(text.replace('version = "2026.2"', 'version = "hernoemd"'), "hernoemd.toml")


@pytest.fixture
def svc(db):
    s = Services(db, route=renamed_route())
    s.add_school("OBS De Regenboog", "12AB")
    s.add_school("CBS Het Anker", "34CD")
    s.add_person("Ingrid Bakker", ["intern_begeleider"], school="12AB")
    s.add_person("Anna Anker", ["intern_begeleider"], school="34CD")
    s.add_person("Tom de Wit", ["groepsleerkracht"], school="12AB")
    s.add_person("Sara Smit", ["onderwijsexpert"], organisation="SWV")
    return s


def test_renamed_roles_keep_their_rights(svc) -> None:
    ib, other_ib = svc.resolve_actor("Ingrid Bakker"), svc.resolve_actor("Anna Anker")
    teacher, expert = svc.resolve_actor("Tom de Wit"), svc.resolve_actor("Sara Smit")
    assert "ib" not in svc.route.roles and svc.route.roles["intern_begeleider"].sees == "school"
    cid = svc.open_case(ib, pupil="Sanne de Vries", school="12AB", group=5, born="2017-03-01",
                        teacher="Tom de Wit")
    # the school's IB sees and runs the case, the other school's IB does not
    assert [c.id for c in svc.list_cases(ib, CaseFilter())] == [cid]
    assert svc.list_cases(other_ib, CaseFilter()) == []
    with pytest.raises(AccessDenied):
        svc.assign_role(other_ib, cid, "onderwijsexpert", "Sara Smit")
    # the teacher is assigned and at turn in the first step
    assert [c.id for c in svc.worklist(teacher)] == [cid]
    for item, _label, _done in svc.case_detail(teacher, cid).tracks[0].checklist:
        svc.tick_checklist(teacher, cid, item)
    assert svc.advance_case(teacher, cid, "naar_aanpak_groep").to == "aanpak_groep"
    # an outside role: assigned by the IB, sees the case only with consent
    svc.assign_role(ib, cid, "onderwijsexpert", "Sara Smit")
    with pytest.raises(AccessDenied):
        svc.case_detail(expert, cid)
    svc.record_consent(ib, cid, role="onderwijsexpert", purpose="Advies", given_by="Moeder")
    assert svc.case_detail(expert, cid).id == cid
    # the teacher may not assign (no assigns), the IB may
    with pytest.raises(AccessDenied):
        svc.assign_role(teacher, cid, "onderwijsexpert", "Sara Smit")
