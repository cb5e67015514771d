"""One case as a reader sees it: its detail, the steps that can follow, who is at turn."""

from __future__ import annotations

import json

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session

from kindroute.errors import AccessDenied, NotFound
from kindroute.services import access
from kindroute.services.case_people import case_people
from kindroute.services.clocks import ClockInputs, add_plan_inputs, compute_clocks, zorgplicht_deadline
from kindroute.services.context import ServiceContext
from kindroute.services.dto import (
    Actor,
    AgreementInfo,
    AssignmentInfo,
    CaseDetail,
    DocumentInfo,
    HistoryEntry,
    NextStepInfo,
    NoteInfo,
    TrackInfo,
)
from kindroute.services.plan_view import read_plan
from kindroute.store.models import (
    Agreement,
    Case,
    CaseEvent,
    ConsentRecord,
    Document,
    Note,
    Person,
    Pupil,
    School,
)

_CASE = bindparam("case_id", type_=Integer)
_E, _N, _A, _D = CaseEvent, Note, Agreement, Document
_STEP_EVENTS = (select(_E.track, _E.from_step, _E.to_step, _E.trigger, _E.actor_name, _E.at, _E.note)
                .where(_E.case_id == _CASE, _E.kind == "step").order_by(_E.seq))
_NOTES = (select(_N.id, _N.author_id, _N.at, _N.step, _N.text).where(_N.case_id == _CASE)
          .order_by(_N.at, _N.id))
_AGREEMENTS = (select(_A.id, _A.what, _A.who_id, _A.who_role, _A.due_on, _A.done_at, _A.created_by_id,
                      _A.created_at).where(_A.case_id == _CASE).order_by(_A.id))
_DOCUMENTS = (select(_D.id, _D.kind, _D.outcome, _D.title, _D.step, _D.author_id, _D.at, _D.fields_json)
              .where(_D.case_id == _CASE).order_by(_D.id))


class CaseView(ServiceContext):
    """Read one case (outside roles' reads are logged)."""

    def _read_case(self, s: Session, case_id: int, actor: Actor | None, *,
                   lock: bool) -> tuple[Case, Pupil, School]:
        """The case row with its pupil and school, and whether ``actor`` may see it: one round
        trip (``_case`` takes three). ``lock``: FOR UPDATE OF the case row (PostgreSQL), as
        ``_case`` does in a writing unit of work."""
        visible = access.visible_clause(actor, self.route, self.today()).label("visible")
        stmt = (select(Case, Pupil, School, visible)
                .join(Pupil, Pupil.id == Case.pupil_id).join(School, School.id == Case.school_id)
                .where(Case.id == case_id))
        if lock:
            stmt = stmt.with_for_update(of=Case.__table__)
        row = s.execute(stmt).one_or_none()
        if row is None:
            raise NotFound(f"Casus {case_id} bestaat niet.")
        if actor is not None and not row.visible:
            raise AccessDenied(f"U ({actor.name}) heeft geen toegang tot casus {case_id}.")
        # the caller holds the pupil and the school (the session keeps only weak references):
        # ``case.pupil`` and ``case.school`` then come from the session without a query
        return row[0], row[1], row[2]

    def case_detail(self, actor: Actor | None, case_id: int, *, plan: bool = False) -> CaseDetail:
        """Everything about one case that ``actor`` may see; outside roles' reads are logged.

        Every clock is there (the header names the first two); the goals and the OPP only with
        ``plan`` (the case screen reads them when its Plan tab is first shown, see
        :meth:`PlanView.case_plan`): without, ``goals`` is None.
        """
        today = self.today()
        log_read = access.is_outside_reader(actor, self.route)
        with self._uow(write=log_read) as uow:
            s = uow.session
            case, pupil, school = self._read_case(s, case_id, actor, lock=log_read)
            facts = self.facts(s, case)
            # every name the screen shows, in one round trip (not one per person)
            people = case_people(s, case_id)

            def name_of(pid: int | None) -> str | None:
                if pid is None:
                    return None
                if pid not in people:  # someone referenced from elsewhere (never a case record)
                    person = s.get(Person, pid)
                    people[pid] = person.name if person else "?"
                return people[pid]

            assignments = self._active_assignments(s, case_id)
            holder = {a.role: a for a in assignments}
            main_id = self.route.main_track.id
            tracks = []
            for t in sorted(case.tracks, key=lambda t: list(self.route.tracks).index(t.track)
                            if t.track in self.route.tracks else 99):
                step = self.route.steps.get(t.step)
                checklist = tuple(
                    (c.id, c.label, (t.step, c.id) in facts.checklist_done)
                    for c in (step.checklist if step else ())
                )
                at = holder.get(t.at_turn_role) if t.at_turn_role else None
                tracks.append(TrackInfo(
                    track=t.track,
                    track_label=self.route.tracks[t.track].label if t.track in self.route.tracks else t.track,
                    step=t.step, step_title=self.step_title(t.step), entered_at=t.entered_at,
                    deadline=t.deadline,
                    overdue=bool(t.deadline and t.at_turn_role and t.deadline < today),
                    at_turn_role=t.at_turn_role, at_turn=name_of(at.person_id) if at else None,
                    checklist=checklist,
                ))
            main = next((t for t in tracks if t.track == main_id), tracks[0])
            main_step = self.route.steps.get(main.step)
            a_infos = []
            for a in assignments:
                inv = ""
                if main_step is not None:
                    if main_step.at_turn == a.role:
                        inv = "aan zet"
                    else:
                        inv = main_step.involved.get(a.role, "")
                a_infos.append(AssignmentInfo(a.role, self.role_label(a.role), name_of(a.person_id) or "?",
                                              a.person_id, a.started_at, inv))
            consents = tuple(
                self._consent_info(c, name_of(c.recorded_by_id) or "?")
                for c in s.scalars(select(ConsentRecord).where(ConsentRecord.case_id == case_id)
                                   .order_by(ConsentRecord.id))
            )
            # read as plain rows (Core), not ORM objects: nothing here is changed.
            # the steps, numbered 1..n (the keyed history also holds every other change)
            history = tuple(
                HistoryEntry(n, *e)
                for n, e in enumerate(s.execute(_STEP_EVENTS, {"case_id": case_id}), start=1)
            )
            notes = tuple(
                NoteInfo(n.id, name_of(n.author_id) or "?", n.at, n.step, n.text)
                for n in s.execute(_NOTES, {"case_id": case_id})
            )
            agreements = tuple(
                AgreementInfo(g.id, g.what, name_of(g.who_id), g.who_role, g.due_on, g.done_at is not None,
                              g.done_at, name_of(g.created_by_id) or "?", g.created_at,
                              bool(g.due_on and g.done_at is None and g.due_on < today))
                for g in s.execute(_AGREEMENTS, {"case_id": case_id})
            )
            documents = tuple(
                DocumentInfo(d.id, d.kind, d.outcome, d.title, d.step, name_of(d.author_id) or "?", d.at,
                             fields=json.loads(d.fields_json) if d.fields_json else {})
                for d in s.execute(_DOCUMENTS, {"case_id": case_id})
            )
            nexts = tuple(
                NextStepInfo(
                    n.trigger, n.label, n.track, n.source, n.dest, self.step_title(n.dest), n.allowed,
                    tuple(n.reasons), self.engine.at_turn_role(n.dest),
                    self.engine.deadline(n.dest, today),
                )
                for n in self.engine.next_steps(facts)
            )
            zp = None
            if case.registered_on is not None and case.zorgplicht_decision is None:
                zp = zorgplicht_deadline(case.registered_on, bool(case.zorgplicht_extended))
            goals, opp = None, None
            if plan:
                info = read_plan(s, case, self.route, today, names=people)
                goals, opp, clocks = info.goals, info.opp, info.clocks
            else:  # the clocks from the rows read above, and one more round trip
                clocks = tuple(compute_clocks(self._clock_inputs(s, case, agreements, documents),
                                              self.route, today))
            detail = CaseDetail(
                id=case.id, pupil=pupil.name, pupil_id=pupil.id, date_of_birth=pupil.date_of_birth,
                group=pupil.group, school=school.name, school_id=case.school_id, status=case.status,
                step=main.step, steps={t.track: t.step for t in tracks}, tracks=tuple(tracks),
                at_turn_role=main.at_turn_role, at_turn=main.at_turn, deadline=main.deadline,
                overdue=main.overdue, opened_at=case.opened_at, registered_on=case.registered_on,
                zorgplicht_deadline=zp, version=case.version, assignments=tuple(a_infos),
                consents=consents, history=history, notes=notes, agreements=agreements,
                documents=documents, next=nexts, goals=goals, opp=opp, clocks=clocks,
            )
            if log_read and actor is not None:
                self._log_access(s, actor, case_id, "read")
                uow.commit()
            return detail

    def _clock_inputs(self, s: Session, case: Case, agreements: tuple[AgreementInfo, ...],
                      documents: tuple[DocumentInfo, ...]) -> ClockInputs:
        """What :func:`clocks.compute_clocks` needs, from the case's rows already read (the same
        as :func:`clocks.read_inputs` reads) plus the plan's rows (:data:`clocks.PLAN_CLOCK_ROWS`)."""
        inputs = ClockInputs(
            status=case.status, registered_on=case.registered_on,
            zorgplicht_extended=bool(case.zorgplicht_extended), zorgplicht_decision=case.zorgplicht_decision,
            tracks=[(t.track, t.step, t.deadline, t.at_turn_role) for t in case.tracks],
            decisions=[(d.id, d.kind, d.outcome, d.fields if isinstance(d.fields, dict) else {})
                       for d in documents],
            agreements=[(g.what, g.due_on) for g in agreements if g.due_on is not None and not g.done],
        )
        add_plan_inputs(s, case.id, self.route, inputs)
        return inputs

    def next_steps(self, actor: Actor | None, case_id: int) -> list[NextStepInfo]:
        return list(self.case_detail(actor, case_id).next)

    def who_is_at_turn(self, actor: Actor | None, case_id: int) -> tuple[str | None, str | None]:
        """(role, person name) at turn in the case's school step."""
        d = self.case_detail(actor, case_id)
        return d.at_turn_role, d.at_turn
