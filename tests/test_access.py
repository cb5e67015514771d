"""Who may see and do what (domain.md, "Who sees what"), enforced in the service layer."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from test_trust_support import (
    Clock,
    actor,
    open_case,
    run_cli,
    sqlite_services,
    tick_all,
    to_ondersteuningsteam,
    walk,
)

from kindroute.errors import AccessDenied
from kindroute.services import CaseFilter, Services
from kindroute.store.models import AccessLog


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def svc(tmp_path, clock):
    s = sqlite_services(tmp_path / "kr.sqlite", clock)
    yield s
    s.db.dispose()


def visible(svc: Services, name: str) -> set[int]:
    return {r.id for r in svc.list_cases(actor(svc, name), CaseFilter(status=None))}


def assert_sees_exactly(svc: Services, name: str, expected: set[int], all_ids: set[int]) -> None:
    a = actor(svc, name)
    assert visible(svc, name) == expected, name
    assert svc.count_cases(a, CaseFilter(status=None)) == len(expected)
    for cid in all_ids - expected:
        with pytest.raises(AccessDenied, match=f"geen toegang tot casus {cid}"):
            svc.case_detail(a, cid)
    for cid in expected:
        assert svc.case_detail(a, cid).id == cid


@pytest.fixture
def world(svc):
    """Case 1: Tom's pupil at school 12AB, in the MDO with so_expert + jeugdhulp consented and
    assigned. Case 2: Lotte's pupil at 12AB, nothing shared. Case 3: at school 34CD."""
    ib = actor(svc)
    c1 = open_case(svc, "Sanne de Vries")
    c2 = open_case(svc, "Daan Visser", teacher="Lotte Jansen")
    c3 = svc.open_case(actor(svc, "Anna Anker"), pupil="Mila Yilmaz", school="34CD", group=4,
                       born="2018-01-01")
    svc.assign_role(ib, c1, "so_expert", "Sara Smit")
    svc.assign_role(ib, c1, "jeugdhulp", "Jeroen Wijk")
    svc.assign_role(ib, c1, "smw", "Siem Smw")
    svc.assign_role(ib, c1, "ggd", "Gerda GGD")
    svc.assign_role(ib, c1, "plusklas", "Petra Plus")
    for role in ("so_expert", "jeugdhulp", "smw", "ggd", "plusklas"):
        svc.record_consent(ib, c1, role=role, purpose="Meedenken in het MDO", given_by="Moeder")
    to_ondersteuningsteam(svc, c1)
    return c1, c2, c3


def test_each_role_sees_exactly_what_the_rules_allow(svc, world):
    c1, c2, c3 = world
    everything = {c1, c2, c3}
    assert_sees_exactly(svc, "Ingrid Bakker", {c1, c2}, everything)      # ib: own school
    assert_sees_exactly(svc, "Dirk Directeur", {c1, c2}, everything)     # directeur: own school
    assert_sees_exactly(svc, "Anna Anker", {c3}, everything)             # other school's ib
    assert_sees_exactly(svc, "Tom de Wit", {c1}, everything)             # teacher: own pupils
    assert_sees_exactly(svc, "Lotte Jansen", {c2}, everything)
    for outside in ("Sara Smit", "Jeroen Wijk", "Siem Smw", "Gerda GGD", "Petra Plus"):
        assert_sees_exactly(svc, outside, {c1}, everything)              # assigned + consent
    assert_sees_exactly(svc, "Willem SWV", set(), everything)            # nothing asked of the SWV yet
    assert svc.list_cases(None, CaseFilter(status=None))  # the file's owner sees all


def test_outside_role_needs_assignment_and_consent(svc, world):
    c1, c2, _ = world
    ib = actor(svc)
    # consent without assignment: not enough
    svc.record_consent(ib, c2, role="so_expert", purpose="Observatie", given_by="Vader")
    assert c2 not in visible(svc, "Sara Smit")
    # assignment without consent: not enough
    svc.assign_role(ib, c2, "ggd", "Gerda GGD")
    assert c2 not in visible(svc, "Gerda GGD")
    # both: visible
    svc.assign_role(ib, c2, "so_expert", "Sara Smit")
    assert c2 in visible(svc, "Sara Smit")
    # assignment ended: gone again
    svc.end_assignment(ib, c2, "so_expert")
    assert c2 not in visible(svc, "Sara Smit")


def test_withdrawn_consent_hides_the_case_from_that_role_only(svc, world):
    c1, _, _ = world
    ib = actor(svc)
    consent = next(c for c in svc.case_detail(None, c1).consents if c.role == "jeugdhulp")
    svc.withdraw_consent(ib, c1, consent.id, reason="Ouders willen het niet meer")
    assert c1 not in visible(svc, "Jeroen Wijk")
    with pytest.raises(AccessDenied):
        svc.case_detail(actor(svc, "Jeroen Wijk"), c1)
    assert c1 in visible(svc, "Sara Smit")  # other consents unaffected


def test_consent_withdrawn_from_a_later_date_holds_until_that_date(svc, world, clock):
    c1, _, _ = world
    ib = actor(svc)
    consent = next(c for c in svc.case_detail(None, c1).consents if c.role == "smw")
    later = (clock.now + timedelta(days=3)).date()
    svc.withdraw_consent(ib, c1, consent.id, on=later)
    assert c1 in visible(svc, "Siem Smw")
    clock.now += timedelta(days=3)
    assert c1 not in visible(svc, "Siem Smw")


def test_expired_and_not_yet_valid_consent(svc, world, clock):
    c1, c2, _ = world
    ib = actor(svc)
    today = clock.now.date()
    svc.assign_role(ib, c2, "so_expert", "Sara Smit")
    svc.record_consent(ib, c2, role="so_expert", purpose="Observatie", given_by="Vader",
                       valid_from=today, valid_until=today + timedelta(days=10))
    assert c2 in visible(svc, "Sara Smit")
    clock.now += timedelta(days=10)
    assert c2 in visible(svc, "Sara Smit")  # valid through the last day
    clock.now += timedelta(days=1)
    assert c2 not in visible(svc, "Sara Smit")
    with pytest.raises(AccessDenied):
        svc.case_detail(actor(svc, "Sara Smit"), c2)
    # a consent starting tomorrow does not count today
    svc.assign_role(ib, c2, "ggd", "Gerda GGD")
    svc.record_consent(ib, c2, role="ggd", purpose="Gezondheid", given_by="Moeder",
                       valid_from=clock.now.date() + timedelta(days=1))
    assert c2 not in visible(svc, "Gerda GGD")


def test_swv_sees_cases_that_reached_an_swv_step_and_keeps_seeing_them(svc, world):
    c1, _, _ = world
    ib = actor(svc)
    walk(svc, c1, "naar_opp_opstellen")
    svc.record_document(ib, c1, "opp", outcome="vastgesteld")
    assert c1 not in visible(svc, "Willem SWV")
    walk(svc, c1, "naar_arrangement_aanvraag")
    assert visible(svc, "Willem SWV") == {c1}
    svc.record_document(actor(svc, "Willem SWV"), c1, "swv_besluit", outcome="afgewezen")
    svc.advance_case(ib, c1, "arrangement_afgewezen")
    assert visible(svc, "Willem SWV") == {c1}  # what was requested of it stays visible


def test_only_the_role_at_turn_or_the_ib_may_take_a_step(svc, world):
    c1, c2, _ = world
    # signalering: leerkracht at turn; the other teacher may not, the assigned one may
    tick_all(svc, c2)
    with pytest.raises(AccessDenied):
        svc.advance_case(actor(svc, "Tom de Wit"), c2, "naar_aanpak_groep")
    svc.advance_case(actor(svc, "Lotte Jansen"), c2, "naar_aanpak_groep")
    # ondersteuningsteam: ib at turn; the teacher sees the case but is not at turn
    tick_all(svc, c1)
    with pytest.raises(AccessDenied, match="niet aan zet"):
        svc.advance_case(actor(svc, "Tom de Wit"), c1, "naar_opp_opstellen")
    # an outside role that can see the case may not take the IB's step either
    with pytest.raises(AccessDenied, match="niet aan zet"):
        svc.advance_case(actor(svc, "Sara Smit"), c1, "naar_consultatie_so_expert")
    # in consultatie_so_expert the so_expert is at turn and may step
    svc.advance_case(actor(svc), c1, "naar_consultatie_so_expert")
    tick_all(svc, c1)
    svc.advance_case(actor(svc, "Sara Smit"), c1, "terug_naar_ondersteuningsteam")
    assert svc.case_detail(None, c1).step == "ondersteuningsteam"


def test_managing_actions_are_refused_with_a_reason(svc, world):
    c1, _, c3 = world
    teacher = actor(svc, "Tom de Wit")
    with pytest.raises(AccessDenied, match="intern begeleider of directeur"):
        svc.assign_role(teacher, c1, "leerkracht", "Lotte Jansen")
    with pytest.raises(AccessDenied, match="intern begeleider of directeur"):
        svc.record_consent(teacher, c1, role="ggd", purpose="x", given_by="Moeder")
    with pytest.raises(AccessDenied):  # another school's IB cannot even see it
        svc.add_note(actor(svc, "Anna Anker"), c1, "hallo")
    with pytest.raises(AccessDenied, match="kunt geen casus openen"):
        svc.open_case(actor(svc, "Sara Smit"), pupil="Bo Bos", school="12AB", group=3, born="2019-02-02")
    with pytest.raises(AccessDenied):
        svc.advance_case(actor(svc), c3, "naar_aanpak_groep")


def test_reads_by_outside_roles_are_logged_school_reads_are_not(svc, world, clock):
    c1, _, _ = world

    def log_rows():
        with svc.db.sessions() as s:
            return [(r.person_id, r.case_id, r.at, r.action) for r in s.scalars(select(AccessLog))]

    assert log_rows() == []
    svc.case_detail(actor(svc), c1)
    svc.case_detail(actor(svc, "Tom de Wit"), c1)
    assert log_rows() == []
    sara = actor(svc, "Sara Smit")
    svc.case_detail(sara, c1)
    clock.now += timedelta(minutes=5)
    willem = actor(svc, "Willem SWV")
    with pytest.raises(AccessDenied):
        svc.case_detail(willem, c1)
    jeroen = actor(svc, "Jeroen Wijk")
    svc.case_detail(jeroen, c1)
    assert log_rows() == [
        (sara.id, c1, clock.now - timedelta(minutes=5), "read"),
        (jeroen.id, c1, clock.now, "read"),
    ]


def test_list_filters_cannot_widen_what_a_person_sees(svc, world):
    c1, c2, c3 = world
    tom = actor(svc, "Tom de Wit")
    for f in (CaseFilter(status=None, school="34CD"), CaseFilter(status=None, school_id=2),
              CaseFilter(status=None, text="Mila"), CaseFilter(status=None, at_turn_role="ib")):
        assert {r.id for r in svc.list_cases(tom, f)} <= {c1}
    assert sum(svc.step_counts(tom).values()) == 1


# ---------------------------------------------------------------------- the command line

def test_cli_cases_and_case_show_respect_the_rules(tmp_path):
    path = tmp_path / "kr.sqlite"
    svc = sqlite_services(path, Clock())
    c1 = open_case(svc, "Sanne de Vries")
    c2 = open_case(svc, "Daan Visser", teacher="Lotte Jansen")
    svc.db.dispose()
    db = str(path)
    for who, sees, hidden in (("Tom de Wit", c1, c2), ("Lotte Jansen", c2, c1)):
        r = run_cli("cases", "--db", db, "--as", who, "--format", "json")
        assert r.returncode == 0, r.stderr
        ids = {row["id"] for row in json.loads(r.stdout)}
        assert ids == {sees}
        shown = run_cli("case", "show", str(sees), "--db", db, "--as", who)
        assert shown.returncode == 0, shown.stderr
        refused = run_cli("case", "show", str(hidden), "--db", db, "--as", who)
        assert refused.returncode == AccessDenied.exit_code
        assert "geen toegang" in refused.stderr + refused.stdout
        assert "Traceback" not in refused.stderr
    r = run_cli("cases", "--db", db, "--as", "Sara Smit", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == []
