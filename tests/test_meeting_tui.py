"""Pilot tests of the Bespreking: start, build the agenda, walk, record, leave, resume, close."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_tui_support import IB, demo_db, make_app, services_for, settle
from textual.widgets import OptionList, SelectionList, Static, TextArea

from kindroute.screens.meeting_agenda import AddSetScreen, MeetingAgendaScreen
from kindroute.screens.meeting_forms import (
    ItemTextScreen,
    LeaveScreen,
    MeetingAgreementScreen,
    MeetingStepScreen,
)
from kindroute.screens.meeting_new import NewMeetingScreen
from kindroute.screens.meeting_pick import PickCasesScreen
from kindroute.screens.meeting_verslag import VerslagScreen
from kindroute.screens.meeting_walk import MeetingWalkScreen
from kindroute.screens.review import ChooseMeetingScreen
from kindroute.screens.worklist import WorklistScreen
from kindroute.services import CaseFilter
from kindroute.services.meeting_dto import HIDDEN_TEXT
from kindroute.store.models import Agreement, CaseEvent, Meeting, MeetingAttendee, MeetingItem


@pytest.fixture
def services(tmp_path, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("KINDROUTE_USER", raising=False)
    svc = services_for(demo_db(tmp_path, tmp_path_factory))
    yield svc
    svc.db.dispose()


async def type_text(pilot, text: str) -> None:
    """Type into the focused Input or TextArea in one go."""
    await pilot.pause()
    focused = pilot.app.focused
    if isinstance(focused, TextArea):
        focused.insert(text)
    else:
        focused.insert_text_at_cursor(text)
    await pilot.pause()


def screen_text(app) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


def allowed_case(services, actor) -> tuple[int, str]:
    for row in services.list_cases(actor, CaseFilter(sort="id"), limit=200):
        if any(n.allowed for n in services.case_detail(actor, row.id).next):
            return row.id, row.pupil
    raise AssertionError("no case with an allowed step in the demo data")


def rows(services, mid: int) -> list[MeetingItem]:
    with services._uow(write=False) as uow:
        items = list(uow.session.scalars(select(MeetingItem).where(MeetingItem.meeting_id == mid)
                                         .order_by(MeetingItem.position)))
        uow.session.expunge_all()
        return items


async def test_a_meeting_from_start_to_verslag(services):
    ib = services.resolve_actor(IB)
    first_id, first_pupil = allowed_case(services, ib)
    overdue = {r.id for r in services.list_cases(ib, CaseFilter(overdue=True))}
    app = make_app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, ChooseMeetingScreen)
        await pilot.press("enter")  # "+ Nieuwe bespreking…"
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewMeetingScreen)
        form.query_one("#meeting-people", SelectionList).focus()
        await pilot.pause()
        await pilot.press("space")  # the first person in the list is present
        form.query_one("#meeting-parents").focus()
        await type_text(pilot, "Familie Bos")
        await pilot.press("ctrl+s")
        await settle(pilot)
        agenda = app.screen
        assert isinstance(agenda, MeetingAgendaScreen)
        mid = agenda.meeting_id
        with services._uow(write=False) as uow:
            people = {(a.name, a.role) for a in uow.session.scalars(
                select(MeetingAttendee).where(MeetingAttendee.meeting_id == mid))}
        assert (IB, "ib") in people and ("Familie Bos", "ouders") in people and len(people) == 3

        # by hand: "/" finds the pupil, space marks, ctrl+s adds
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, PickCasesScreen)
        await pilot.press("slash")
        await type_text(pilot, first_pupil)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [i.case_id for i in rows(services, mid)] == [first_id]

        # by set: everything overdue
        await pilot.press("plus")
        await settle(pilot)
        assert isinstance(app.screen, AddSetScreen)
        await pilot.press("enter")  # "Alles over de termijn"
        await settle(pilot)
        items = rows(services, mid)
        assert {i.case_id for i in items} == overdue | {first_id} and len(items) >= 3
        assert f"{len(items)} casus(sen)" in str(agenda.query_one("#agenda-title", Static).render())

        # reorder: the first item down and back up
        second = items[1].case_id
        await pilot.press("d")
        await settle(pilot)
        assert [i.case_id for i in rows(services, mid)][:2] == [second, first_id]
        await pilot.press("u")
        await settle(pilot)
        assert [i.case_id for i in rows(services, mid)][:2] == [first_id, second]
        assert agenda.query_one(OptionList).highlighted == 0

        # walk it
        await pilot.press("enter")
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, MeetingWalkScreen)
        assert walk.item.case_id == first_id
        title = str(walk.query_one("#walk-title", Static).render())
        assert f"casus 1 van {len(items)}" in title
        card = screen_text(app)
        assert first_pupil in card and "Betrokkenen" in card and "Toestemming" in card

        # o: a multi-line conclusion, ctrl+s saves
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ItemTextScreen)
        assert app.screen.focused is app.screen.query_one(TextArea)
        await type_text(pilot, "Lezen gaat vooruit.")
        await pilot.press("enter")
        await type_text(pilot, "Rekenen blijft zorg.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MeetingWalkScreen)
        assert rows(services, mid)[0].conclusion == "Lezen gaat vooruit.\nRekenen blijft zorg."
        assert "Rekenen blijft zorg." in str(walk.query_one("#walk-item", Static).render())

        # a: an agreement for "ouders"
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MeetingAgreementScreen)
        await type_text(pilot, "Thuis elke dag lezen")
        form.query_one("#who").value = "ouders"
        form.query_one("#what").focus()
        await pilot.press("enter")
        await settle(pilot)
        with services._uow(write=False) as uow:
            g = uow.session.scalar(select(Agreement).where(Agreement.case_id == first_id)
                                   .order_by(Agreement.id.desc()).limit(1))
            assert (g.what, g.who_role, g.who_id) == ("Thuis elke dag lezen", "ouders", None)

        # s: a step
        before = services.case_detail(ib, first_id).history
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, MeetingStepScreen)
        await pilot.press("down")
        await type_text(pilot, "Besloten in de bespreking")
        await pilot.press("enter")
        await settle(pilot)
        after = services.case_detail(ib, first_id).history
        assert len(after) == len(before) + 1 and after[-1].note == "Besloten in de bespreking"

        # n, then escape asks; leaving keeps the meeting open at this pupil
        await pilot.press("n")
        await settle(pilot)
        assert walk.position == 1
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LeaveScreen)
        await pilot.press("enter")
        await settle(pilot)
        while len(app.screen_stack) > 1 and not isinstance(app.screen, WorklistScreen):
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(app.screen, WorklistScreen)
        with services._uow(write=False) as uow:
            m = uow.session.get(Meeting, mid)
            assert (m.status, m.position) == ("open", 1)

        # b again: the open meeting comes first; enter resumes at the same pupil
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, MeetingWalkScreen) and walk.position == 1
        assert walk.item.case_id == second
        assert f"casus 2 van {len(items)}" in str(walk.query_one("#walk-title", Static).render())

        # close: the verslag shows it all
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, VerslagScreen)
        text = app.screen.text
        assert first_pupil in text and "Lezen gaat vooruit.\n     Rekenen blijft zorg." in text
        assert "Thuis elke dag lezen — Ouders/verzorgers" in text
        assert "Besloten in de bespreking" in text
        assert "Familie Bos (Ouders/verzorgers)" in text
        await pilot.press("a")  # an addendum, the only change a closed meeting takes
        await settle(pilot)
        await type_text(pilot, "Na afloop: ouders gebeld.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, VerslagScreen) and "Na afloop: ouders gebeld." in app.screen.text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, WorklistScreen)
    with services._uow(write=False) as uow:
        m = uow.session.get(Meeting, mid)
        assert m.status == "closed"
        # the step, then the meeting's record of it (its own event in the case's history)
        steps = uow.session.scalars(select(CaseEvent).where(CaseEvent.case_id == first_id,
                                                            CaseEvent.kind == "step")).all()
        assert steps[-1].note == "Besloten in de bespreking"
    got = rows(services, mid)
    assert got[0].discussed is True and all(i.discussed is False for i in got[2:])


async def test_an_outside_attendee_without_consent_sees_no_content_in_the_tui(services):
    ib = services.resolve_actor(IB)
    expert = None
    for person in services.list_people(role="so_expert"):
        actor = services.resolve_actor(person.id)
        seen = [r.id for r in services.list_cases(actor, CaseFilter(school_id=ib.school_id), limit=5)]
        if seen:
            expert, visible = actor, seen[0]
            break
    assert expert is not None, "the demo data has an SO-expert with consent at the IB's school"
    theirs = {r.id for r in services.list_cases(expert, CaseFilter())}
    school_cases = services.list_cases(ib, CaseFilter(sort="id"), limit=200)
    hidden = next(r.id for r in school_cases if r.id not in theirs)
    hidden_pupil = services.case_detail(ib, hidden).pupil
    mid = services.meetings.create(ib, "mdo", attendees=[expert.id])
    services.meetings.add_cases(ib, mid, [hidden, visible])
    services.meetings.update_item(ib, mid, hidden, conclusion="Geheime conclusie over thuis")
    services.meetings.update_item(ib, mid, visible, conclusion="Zichtbare conclusie")

    app = make_app(services, who=expert.name)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("enter")  # the open meeting
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, MeetingWalkScreen) and walk.item.case_id == hidden
        text = screen_text(app)
        assert HIDDEN_TEXT in text
        assert "Geheime conclusie" not in text and hidden_pupil not in text
        assert walk.detail is None and walk.item.conclusion == ""
        await pilot.press("n")
        await settle(pilot)
        assert "Zichtbare conclusie" in screen_text(app)


async def test_the_tijdlijn_tab_shows_every_kind_newest_first_and_filters(services):
    from kindroute.screens.case import CaseScreen
    from kindroute.screens.case_timeline import TimelinePane

    ib = services.resolve_actor(IB)
    case_id, _ = allowed_case(services, ib)
    services.add_note(ib, case_id, "Eerste regel\ntweede regel")
    services.add_agreement(ib, case_id, "Thuis lezen", who_role="ouders")
    mid = services.meetings.create(ib, "leerlingbespreking")
    services.meetings.add_cases(ib, mid, [case_id])
    services.meetings.update_item(ib, mid, case_id, conclusion="Besproken: gaat goed")
    app = make_app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.open_case(case_id)
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("4")
        await settle(pilot)
        pane = app.screen.query_one(TimelinePane)
        kinds = {e.kind for e in pane.events}
        assert {"stap", "notitie", "afspraak", "toewijzing", "bespreking"} <= kinds
        assert [e.at for e in pane.events] == sorted((e.at for e in pane.events), reverse=True)
        text = str(app.screen.query_one("#history-text", Static).render())
        assert "Eerste regel\n    tweede regel" in text and "Besproken: gaat goed" in text
        pane.query_one("#timeline-kind").value = "notitie"
        await settle(pilot)
        assert pane.events and {e.kind for e in pane.events} == {"notitie"}
        assert "Thuis lezen" not in str(app.screen.query_one("#history-text", Static).render())


async def test_a_long_agenda_at_80x24_says_where_it_is(services):
    ib = services.resolve_actor(IB)
    ids = [r.id for r in services.list_cases(ib, CaseFilter(sort="id", status=None))]
    assert len(ids) > 8
    mid = services.meetings.create(ib, "groepsbespreking", attendees=["ouders:Familie Bos"])
    services.meetings.add_cases(ib, mid, ids)
    services.meetings.item_at(ib, mid, 6)  # left at the 7th pupil
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, MeetingWalkScreen) and walk.item.case_id == ids[6]
        text = screen_text(app)
        assert f"casus 7 van {len(ids)}" in text and "Volgende" in text
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, MeetingAgendaScreen)
        assert app.screen.query_one(OptionList).highlighted == 6
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen is walk and walk.item.case_id == ids[7]


async def test_the_card_ticks_the_checklist_and_records_a_consent(services):
    from kindroute.screens.consent import ConsentScreen
    from kindroute.store.models import ChecklistTick, ConsentRecord

    ib = services.resolve_actor(IB)
    case_id = item = None
    for row in services.list_cases(ib, CaseFilter(sort="id"), limit=200):
        d = services.case_detail(ib, row.id)
        todo = [i for i, _, done in d.tracks[0].checklist if not done]
        if todo:
            case_id, item = row.id, todo[0]
            break
    assert case_id is not None, "the demo data has a case with an open checklist item"
    mid = services.meetings.create(ib, "leerlingbespreking")
    services.meetings.add_cases(ib, mid, [case_id])
    app = make_app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, MeetingWalkScreen)
        checklist = walk.query_one("#walk-checklist", SelectionList)
        index = next(i for i in range(checklist.option_count)
                     if checklist.get_option_at_index(i).value == f"school:{item}")
        checklist.focus()
        checklist.highlighted = index
        await pilot.press("space")
        await settle(pilot)
        with services._uow(write=False) as uow:
            assert uow.session.scalar(select(ChecklistTick.id).where(ChecklistTick.case_id == case_id,
                                                                     ChecklistTick.item == item))
        assert f"school:{item}" in walk.query_one("#walk-checklist", SelectionList).selected

        await pilot.press("t")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ConsentScreen)
        form.query_one("#role").value = "so_expert"
        form.query_one("#given-by").value = "Familie Bos"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is walk
        with services._uow(write=False) as uow:
            given = select(ConsentRecord.given_by).where(ConsentRecord.case_id == case_id)
            assert "Familie Bos" in list(uow.session.scalars(given))
        assert "Familie Bos" in str(walk.query_one("#walk-people", Static).render())
