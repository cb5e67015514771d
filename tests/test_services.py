"""The service layer on a real SQLite file with migrations applied."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from kindroute.errors import AccessDenied, Conflict, IdentityRequired, InvalidInput, NotFound, StepNotAllowed
from kindroute.services import CaseFilter, Services
from kindroute.store.chain import GENESIS
from kindroute.store.db import open_database
from kindroute.store.hmac_chain import event_mac
from kindroute.store.models import Case, CaseEvent, CaseTrack
from kindroute.workflow import get_engine

NOW = datetime(2026, 11, 23, 9, 30)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def svc(tmp_path, clock) -> Services:
    db = open_database(str(tmp_path / "kr.sqlite"))
    s = Services(db, clock=clock)
    s.add_school("OBS De Regenboog", "12AB")
    s.add_school("CBS Het Anker", "34CD")
    s.add_person("Ingrid Bakker", ["ib"], school="12AB")
    s.add_person("Tom de Wit", ["leerkracht"], school="12AB")
    s.add_person("Lotte Jansen", ["leerkracht"], school="12AB")
    s.add_person("Dirk Directeur", ["directeur"], school="12AB")
    s.add_person("Anna Anker", ["ib"], school="34CD")
    s.add_person("Sara Smit", ["so_expert"], organisation="SWV Passend Primair")
    s.add_person("Jeroen Wijk", ["jeugdhulp"], organisation="Wijkteam Noord")
    s.add_person("Petra Plus", ["plusklas"], organisation="Plusklas De Brug")
    s.add_person("Willem SWV", ["swv"], organisation="SWV Passend Primair")
    yield s
    db.dispose()


def ib(svc: Services):
    return svc.resolve_actor("Ingrid Bakker")


def open_case(svc: Services, name: str = "Sanne de Vries", **kw) -> int:
    return svc.open_case(
        ib(svc), pupil=name, school="12AB", group=kw.pop("group", 5),
        born=kw.pop("born", "2017-03-01"), teacher="Tom de Wit", **kw,
    )


def tick_all(svc: Services, case_id: int) -> None:
    detail = svc.case_detail(None, case_id)
    for item, _label, done in detail.tracks[0].checklist:
        if not done:
            svc.tick_checklist(ib(svc), case_id, item)


def walk(svc: Services, case_id: int, *triggers: str) -> None:
    for trig in triggers:
        tick_all(svc, case_id)
        svc.advance_case(ib(svc), case_id, trig)


def history_count(svc: Services, case_id: int) -> int:
    with svc.db.sessions() as s:
        return s.scalar(select(func.count()).where(CaseEvent.case_id == case_id, CaseEvent.kind == "step"))


def test_open_case_starts_in_first_step_with_teacher_at_turn(svc):
    cid = open_case(svc, note="Valt stil in de klas")
    d = svc.case_detail(ib(svc), cid)
    assert d.step == svc.route.main_track.start == "signalering"
    assert d.at_turn_role == "leerkracht" and d.at_turn == "Tom de Wit"
    assert d.deadline == NOW.date() + timedelta(days=svc.route.steps["signalering"].term_days)
    assert d.steps == {"school": "signalering"}
    assert [n.text for n in d.notes] == ["Valt stil in de klas"]
    assert {(a.role, a.person) for a in d.assignments} == {
        ("ib", "Ingrid Bakker"), ("leerkracht", "Tom de Wit")}


def test_names_are_stored_exactly_as_given(svc):
    name = "Zoë [bold]van 't Hof[/bold] 🚀"
    cid = open_case(svc, name)
    assert svc.case_detail(None, cid).pupil == name
    assert svc.list_cases(None, CaseFilter(text="zoe"))[0].pupil == name


def test_blocked_step_changes_nothing_and_says_why(svc):
    cid = open_case(svc)
    before = svc.case_detail(None, cid)
    with pytest.raises(StepNotAllowed) as err:
        svc.advance_case(ib(svc), cid, "naar_aanpak_groep")
    assert any("Checklist" in r for r in err.value.reasons)
    after = svc.case_detail(None, cid)
    assert after.step == "signalering" and after.version == before.version
    assert history_count(svc, cid) == 0


def test_unknown_trigger_is_refused(svc):
    cid = open_case(svc)
    with pytest.raises(StepNotAllowed):
        svc.advance_case(ib(svc), cid, "naar_tlv_meteen")
    assert history_count(svc, cid) == 0


def test_advance_records_event_with_actor_and_moves_deadline(svc, clock):
    cid = open_case(svc)
    tick_all(svc, cid)
    clock.now = NOW + timedelta(days=3)
    res = svc.advance_case(ib(svc), cid, "naar_aanpak_groep", note="Plan gemaakt")
    assert (res.from_, res.to) == ("signalering", "aanpak_groep")
    d = svc.case_detail(None, cid)
    assert d.step == "aanpak_groep"
    assert d.deadline == clock.now.date() + timedelta(days=svc.route.steps["aanpak_groep"].term_days)
    [h] = d.history
    assert (h.by, h.from_, h.to, h.trigger, h.note) == (
        "Ingrid Bakker", "signalering", "aanpak_groep", "naar_aanpak_groep", "Plan gemaakt")


def test_consent_guard_blocks_until_given_and_again_after_withdrawal(svc):
    cid = open_case(svc)
    walk(svc, cid, "naar_aanpak_groep", "naar_leerlingbespreking", "naar_aanpak_school",
         "naar_ondersteuningsteam")
    assert svc.case_detail(None, cid).step == "ondersteuningsteam"
    tick_all(svc, cid)
    nxt = {n.trigger: n for n in svc.next_steps(None, cid)}
    so_trigger = next(t for t, n in nxt.items() if n.to == "consultatie_so_expert")
    assert not nxt[so_trigger].allowed
    assert nxt[so_trigger].reasons == ("Toestemming van ouders voor de SO-expert ontbreekt",)
    c = svc.record_consent(ib(svc), cid, role="so_expert", purpose="Consultatie en observatie",
                           given_by="Mevr. de Vries (moeder)")
    nxt = {n.trigger: n for n in svc.next_steps(None, cid)}
    assert nxt[so_trigger].allowed
    svc.withdraw_consent(ib(svc), cid, c.id, reason="Ouders willen eerst een gesprek")
    nxt = {n.trigger: n for n in svc.next_steps(None, cid)}
    assert not nxt[so_trigger].allowed
    tick_all(svc, cid)
    with pytest.raises(StepNotAllowed):
        svc.advance_case(ib(svc), cid, so_trigger)


def test_only_person_at_turn_or_ib_may_step(svc):
    cid = open_case(svc)
    tick_all(svc, cid)
    other_teacher = svc.resolve_actor("Lotte Jansen")
    with pytest.raises(AccessDenied):
        svc.advance_case(other_teacher, cid, "naar_aanpak_groep")
    teacher = svc.resolve_actor("Tom de Wit")
    svc.advance_case(teacher, cid, "naar_aanpak_groep")
    assert svc.case_detail(None, cid).history[-1].by == "Tom de Wit"


def test_stale_version_is_a_conflict_and_saves_nothing(svc):
    cid = open_case(svc)
    tick_all(svc, cid)
    seen = svc.case_detail(None, cid).version
    svc.add_note(ib(svc), cid, "Iemand anders was sneller")
    with pytest.raises(Conflict) as err:
        svc.advance_case(ib(svc), cid, "naar_aanpak_groep", expected_version=seen)
    assert "zojuist gewijzigd" in str(err.value)
    assert svc.case_detail(None, cid).step == "signalering"
    res = svc.advance_case(ib(svc), cid, "naar_aanpak_groep", expected_version=seen + 1)
    assert res.version == seen + 2


def test_every_change_raises_the_version(svc):
    cid = open_case(svc)
    v = svc.case_detail(None, cid).version
    svc.add_note(ib(svc), cid, "a")
    svc.add_agreement(ib(svc), cid, "Gesprek met ouders", who_role="leerkracht", due_on="2026-12-01")
    svc.assign_role(ib(svc), cid, "so_expert", "Sara Smit")
    assert svc.case_detail(None, cid).version == v + 3


def test_history_chain_and_replay_match_current_state(svc):
    cid = open_case(svc)
    walk(svc, cid, "naar_aanpak_groep", "naar_leerlingbespreking", "naar_aanpak_school")
    engine = get_engine(svc.route)
    with svc.db.sessions() as s:
        case = s.get(Case, cid)
        events = s.scalars(select(CaseEvent).where(CaseEvent.case_id == cid).order_by(CaseEvent.seq)).all()
        prev = GENESIS
        key = svc.db._history_key
        for e in events:
            assert e.prev_hash == prev and e.scheme == 2
            assert e.hash == event_mac(
                key, case_id=e.case_id, seq=e.seq, kind=e.kind, track=e.track, from_step=e.from_step,
                to_step=e.to_step, trigger=e.trigger, actor_id=e.actor_id, actor_name=e.actor_name, at=e.at,
                note=e.note, records=e.records, prev_hash=e.prev_hash, gseq=e.gseq, gprev=e.gprev,
                gprev_case=e.gprev_case)
            prev = e.hash
        steps = [e for e in events if e.kind == "step"]
        assert case.history_head == prev and case.history_count == len(events) and len(steps) == 3
        replayed = engine.replay((e.track, e.from_step, e.to_step, e.trigger) for e in steps)
        stored = {t.track: t.step for t in s.scalars(select(CaseTrack).where(CaseTrack.case_id == cid))}
        assert {k: v for k, v in replayed.items() if v != "-"} == stored


def test_close_and_reopen(svc):
    cid = open_case(svc)
    walk(svc, cid, "naar_aanpak_groep")
    tick_all(svc, cid)
    svc.close_case(ib(svc), cid, note="Doel behaald")
    d = svc.case_detail(None, cid)
    assert d.step == "afgesloten" and d.status == "closed" and d.at_turn_role is None
    assert svc.list_cases(None) == []  # default list shows open cases
    assert [r.id for r in svc.list_cases(None, CaseFilter(status=None))] == [cid]
    tick_all(svc, cid)
    svc.reopen_case(ib(svc), cid, note="Opnieuw zorgen")
    d = svc.case_detail(None, cid)
    assert d.step == "signalering" and d.status == "open"


def test_checklist_ticks_belong_to_one_visit_of_a_step(svc):
    cid = open_case(svc)
    walk(svc, cid, "naar_aanpak_groep")
    tick_all(svc, cid)
    svc.close_case(ib(svc), cid)
    tick_all(svc, cid)
    svc.reopen_case(ib(svc), cid)
    d = svc.case_detail(None, cid)
    # back in signalering: the ticks of the first visit do not count again
    assert d.step == "signalering"
    assert not any(done for _i, _l, done in d.tracks[0].checklist)


def test_visibility_per_role(svc):
    c1 = open_case(svc, "Eerste Leerling")
    c2 = svc.open_case(svc.resolve_actor("Anna Anker"), pupil="Ander Kind", school="34CD", group=3,
                       born="2019-05-05")
    assert {r.id for r in svc.list_cases(ib(svc))} == {c1}
    assert {r.id for r in svc.list_cases(svc.resolve_actor("Anna Anker"))} == {c2}
    assert {r.id for r in svc.list_cases(svc.resolve_actor("Tom de Wit"))} == {c1}
    assert svc.list_cases(svc.resolve_actor("Lotte Jansen")) == []
    expert = svc.resolve_actor("Sara Smit")
    svc.assign_role(ib(svc), c1, "so_expert", "Sara Smit")
    assert svc.list_cases(expert) == []  # assigned, but no consent yet
    c = svc.record_consent(ib(svc), c1, role="so_expert", purpose="Consultatie", given_by="Ouders")
    assert {r.id for r in svc.list_cases(expert)} == {c1}
    svc.withdraw_consent(ib(svc), c1, c.id)
    assert svc.list_cases(expert) == []
    with pytest.raises(AccessDenied):
        svc.case_detail(expert, c1)


def test_outside_reads_are_logged(svc):
    from kindroute.store.models import AccessLog

    cid = open_case(svc)
    svc.assign_role(ib(svc), cid, "so_expert", "Sara Smit")
    svc.record_consent(ib(svc), cid, role="so_expert", purpose="Consultatie", given_by="Ouders")
    expert = svc.resolve_actor("Sara Smit")
    svc.case_detail(expert, cid)
    svc.case_detail(ib(svc), cid)
    with svc.db.sessions() as s:
        rows = s.scalars(select(AccessLog)).all()
    assert [(r.person_id, r.case_id) for r in rows] == [(expert.id, cid)]


def test_expired_consent_is_not_valid(svc, clock):
    cid = open_case(svc)
    svc.record_consent(ib(svc), cid, role="so_expert", purpose="Consultatie", given_by="Ouders",
                       valid_from="2026-01-01", valid_until="2026-06-30")
    [c] = svc.case_detail(None, cid).consents
    assert not c.valid


def test_input_validation_messages(svc):
    with pytest.raises(InvalidInput, match="Groep 9"):
        open_case(svc, group=9)
    with pytest.raises(InvalidInput, match="geen geldige datum"):
        open_case(svc, born="32-13-2017")
    with pytest.raises(InvalidInput, match="toekomst"):
        open_case(svc, born="2030-01-01")
    with pytest.raises(InvalidInput, match="stuurtekens"):
        open_case(svc, "Evil\x1b[31mName")
    cid = open_case(svc)
    with pytest.raises(InvalidInput, match="te lang"):
        svc.add_note(ib(svc), cid, "x" * 20_000)
    with pytest.raises(InvalidInput, match="leeg"):
        svc.add_note(ib(svc), cid, "   ")
    assert svc.case_detail(None, cid).notes == ()


def test_identity_required_and_unknown_person(svc):
    with pytest.raises(IdentityRequired):
        svc.resolve_actor(None)
    with pytest.raises(NotFound):
        svc.resolve_actor("Niemand Bekend")


def test_worklist_mine_and_overdue_first(svc, clock):
    c_old = open_case(svc, "Oud Kind")
    clock.now = NOW + timedelta(days=10)
    c_new = open_case(svc, "Nieuw Kind", born="2016-02-02")
    clock.now = NOW + timedelta(days=20)  # the first case is now overdue (term 14 days)
    teacher = svc.resolve_actor("Tom de Wit")
    rows = svc.worklist(teacher, mine=True)
    assert [r.id for r in rows] == [c_old, c_new]
    assert rows[0].overdue and not rows[1].overdue
    assert svc.worklist(ib(svc), mine=True) == []  # signalering is the teacher's turn
    assert [r.id for r in svc.worklist(ib(svc), mine=False)] == [c_old, c_new]
    assert [r.id for r in svc.list_cases(ib(svc), CaseFilter(overdue=True))] == [c_old]


def test_filters_are_queries(svc):
    a = open_case(svc, "Ömer Çelik")
    b = open_case(svc, "Fleur van den Berg", born="2016-01-01", group=7)
    assert [r.id for r in svc.list_cases(None, CaseFilter(text="omer"))] == [a]
    assert [r.id for r in svc.list_cases(None, CaseFilter(text="BERG"))] == [b]
    assert [r.id for r in svc.list_cases(None, CaseFilter(group=7))] == [b]
    assert [r.id for r in svc.list_cases(None, CaseFilter(text="%"))] == []
    assert svc.count_cases(None, CaseFilter(school="12AB")) == 2
    assert svc.count_cases(None, CaseFilter(school="34CD")) == 0
    assert [r.id for r in svc.list_cases(None, CaseFilter(sort="pupil"))] == [b, a]  # Berg < Celik


def test_documents_unlock_swv_decisions(svc):
    cid = open_case(svc)
    walk(svc, cid, "naar_aanpak_groep", "naar_leerlingbespreking", "naar_aanpak_school",
         "naar_ondersteuningsteam")
    nxt = {n.to: n for n in svc.next_steps(None, cid)}
    assert "opp_opstellen" in nxt
    opp_trigger = nxt["opp_opstellen"].trigger
    walk(svc, cid, opp_trigger)
    to_plus = {n.to: n for n in svc.next_steps(None, cid)}["plusklas"]
    assert not to_plus.allowed
    svc.record_document(ib(svc), cid, "opp", outcome="vastgesteld", title="OPP 2026")
    svc.assign_role(ib(svc), cid, "plusklas", "Petra Plus")
    tick_all(svc, cid)
    to_plus = {n.to: n for n in svc.next_steps(None, cid)}["plusklas"]
    assert to_plus.reasons == ("Toestemming van ouders voor de plusklasleerkracht ontbreekt",)
    svc.record_consent(ib(svc), cid, role="plusklas", purpose="Plaatsing Plusklas", given_by="Ouders")
    to_plus = {n.to: n for n in svc.next_steps(None, cid)}["plusklas"]
    assert to_plus.allowed, to_plus.reasons
    svc.advance_case(ib(svc), cid, to_plus.trigger)
    assert svc.who_is_at_turn(None, cid) == ("plusklas", "Petra Plus")


def test_zorgplicht_deadline_and_single_extension(svc):
    cid = open_case(svc, registered_on=date(2026, 11, 2))
    assert svc.case_detail(None, cid).zorgplicht_deadline == date(2026, 12, 14)
    assert svc.extend_zorgplicht(ib(svc), cid) == date(2027, 1, 11)
    with pytest.raises(InvalidInput):
        svc.extend_zorgplicht(ib(svc), cid)


def test_bidi_override_characters_are_refused_but_rtl_text_is_kept(svc):
    with pytest.raises(InvalidInput, match="stuurtekens"):
        open_case(svc, "Ali \u202egnp.exe")
    cid = open_case(svc, "مريم العلوي")
    assert svc.case_detail(None, cid).pupil == "مريم العلوي"


def test_start_school_is_one_transaction(svc):
    with pytest.raises(InvalidInput):
        svc.start_school("Nieuwe School", "99ZZ", "Naam\x1b[0m")
    assert "Nieuwe School" not in [s.name for s in svc.list_schools()]
    actor = svc.start_school("Nieuwe School", "99zz", "Nina Nieuw")
    assert actor.roles == ("ib",) and actor.school_id is not None
    with pytest.raises(InvalidInput, match="al een school"):
        svc.start_school("Nog Een", "99ZZ", "Iemand Anders")


NAMES = ["Jan de Vries", "Anne Jansen", "Eva van Dijk", "Jan-Willem Bos", "Ömer Çelik", "Janneke Smit",
         "Daan van der Berg", "Sanne d'Ancona", "Mila Jongsma"]


@pytest.fixture
def named(svc):
    ids = {}
    for i, name in enumerate(NAMES):
        ids[name] = open_case(svc, name, born=f"2016-0{1 + i % 9}-1{i % 9}")
    return ids


def expected(text: str) -> set[str]:
    """The rule, in Python: every typed word starts a word (or hyphen/apostrophe part) of the name."""
    from kindroute.services.text import fold, name_words

    return {n for n in NAMES if all(any(w.startswith(t) for w in name_words(n)) for t in fold(text).split())}


# the three ways a name filter runs: walking the cases in list order; starting from the
# pupils of the rarest word; the same, sorting the candidates' keys before joining a page
@pytest.mark.parametrize(("few", "two_step"), [(0, 10_000), (10_000, 10_000), (10_000, 0)])
@pytest.mark.parametrize("text", ["jan", "JAN", "j", "van d", "willem", "ome", "anc", "ansen", "de v",
                                  "jan bos", "x", "ja ja", ""])
def test_name_filter_finds_the_start_of_any_word(svc, named, monkeypatch, few, two_step, text):
    monkeypatch.setattr(Services, "FEW_PUPILS", few)
    monkeypatch.setattr(Services, "TWO_STEP_FROM", two_step)
    rows = svc.list_cases(ib(svc), CaseFilter(text=text))
    want = expected(text) if text.strip() else set(NAMES)
    assert {r.pupil for r in rows} == want
    paged = [r.id for r in svc.list_cases(ib(svc), CaseFilter(text=text), limit=2)]
    paged += [r.id for r in svc.list_cases(ib(svc), CaseFilter(text=text), limit=50, offset=2)]
    assert paged == [r.id for r in rows]  # pages follow the same order
    backwards = svc.list_cases(ib(svc), CaseFilter(text=text, descending=True))
    assert {r.id for r in backwards} == {r.id for r in rows}
    assert svc.count_cases(ib(svc), CaseFilter(text=text)) == len(want)
    assert svc.count_cases(None, CaseFilter(text=text), cap=2) == min(len(want), 3)


def test_name_filter_examples(svc, named):
    def found(text: str) -> set[str]:
        return {r.pupil for r in svc.list_cases(None, CaseFilter(text=text))}

    assert found("jan") == {"Jan de Vries", "Anne Jansen", "Jan-Willem Bos", "Janneke Smit"}
    assert found("van d") == {"Eva van Dijk", "Daan van der Berg"}
    assert found("willem") == {"Jan-Willem Bos"}
    assert found("ansen") == set()  # the middle of a word is not the start of one
    assert found("çel") == {"Ömer Çelik"}


def test_name_filter_respects_the_other_filters_and_access(svc, named):
    other_teacher = svc.resolve_actor("Lotte Jansen")
    assert svc.list_cases(other_teacher, CaseFilter(text="jan")) == []  # not the teacher of any of them
    teacher = svc.resolve_actor("Tom de Wit")
    assert len(svc.list_cases(teacher, CaseFilter(text="jan"))) == 4
    anna = svc.resolve_actor("Anna Anker")
    assert svc.list_cases(anna, CaseFilter(text="jan")) == []  # another school
    assert svc.count_cases(anna, CaseFilter(text="jan")) == 0
    rows = svc.list_cases(ib(svc), CaseFilter(text="jan", group=5))
    assert {r.pupil for r in rows} == {"Jan de Vries", "Anne Jansen", "Jan-Willem Bos", "Janneke Smit"}
    assert svc.list_cases(ib(svc), CaseFilter(text="jan", group=7)) == []


@pytest.mark.parametrize(("few", "two_step"), [(0, 10_000), (10_000, 10_000), (10_000, 0)])
def test_every_way_a_list_starts_gives_what_each_person_may_see(svc, monkeypatch, few, two_step):
    """Walking the cases, or starting from the actor's assigned cases or school: same rows."""
    ids = [open_case(svc, f"Kind{i} Test", born=f"2016-0{1 + i}-01") for i in range(6)]
    other = svc.open_case(svc.resolve_actor("Anna Anker"), pupil="Kind Anker", school="34CD", group=4,
                          born="2018-02-02")
    for cid in ids[:4]:
        svc.assign_role(ib(svc), cid, "so_expert", "Sara Smit")
    svc.record_consent(ib(svc), ids[0], role="so_expert", purpose="Consultatie", given_by="Ouders")
    c = svc.record_consent(ib(svc), ids[1], role="so_expert", purpose="Consultatie", given_by="Ouders")
    svc.withdraw_consent(ib(svc), ids[1], c.id, reason="Ouders trekken in")
    svc.assign_role(ib(svc), ids[2], "jeugdhulp", "Jeroen Wijk")  # no consent at all
    svc.assign_role(ib(svc), ids[5], "leerkracht", "Lotte Jansen")
    want = {
        "Ingrid Bakker": set(ids), "Dirk Directeur": set(ids), "Anna Anker": {other},
        "Sara Smit": {ids[0]}, "Jeroen Wijk": set(), "Lotte Jansen": {ids[5]},
        "Tom de Wit": set(ids[:5]), "Petra Plus": set(),
    }
    monkeypatch.setattr(Services, "FEW_PUPILS", few)
    monkeypatch.setattr(Services, "TWO_STEP_FROM", two_step)
    for name, expected_ids in want.items():
        actor = svc.resolve_actor(name)
        rows = svc.list_cases(actor, CaseFilter())
        assert {r.id for r in rows} == expected_ids, name
        assert [r.id for r in svc.list_cases(actor, CaseFilter(), limit=2)] == [r.id for r in rows][:2], name
        assert svc.count_cases(actor, CaseFilter()) == len(expected_ids), name
        assert svc.count_cases(actor, CaseFilter(), cap=1) == min(len(expected_ids), 2), name
        named = svc.list_cases(actor, CaseFilter(text="kind3"))
        assert {r.id for r in named} == expected_ids & {ids[3]}, name
