"""One case as a reader sees it: its detail, the steps that can follow, who is at turn."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from kindroute.services import access, stepping
from kindroute.services.case_rows import (
    CaseHead,
    head_of,
    head_statement,
    open_statement,
    read_case,
    read_case_rows,
    step_rows,
)
from kindroute.services.clocks import ClockInputs, compute_clocks, inputs_from, zorgplicht_deadline
from kindroute.services.context import ServiceContext
from kindroute.services.dto import (
    Actor,
    AgreementInfo,
    AssignmentInfo,
    CaseDetail,
    ConsentInfo,
    DocumentInfo,
    HistoryEntry,
    NextStepInfo,
    NoteInfo,
    TrackInfo,
)
from kindroute.services.plan_view import read_plan
from kindroute.store import tables
from kindroute.workflow import Consent

CASES, PUPILS, SCHOOLS, PEOPLE = tables.cases, tables.pupils, tables.schools, tables.people


class CaseView(ServiceContext):
    """Read one case (outside roles' reads are logged)."""

    def _open_statement(self, actor: Actor | None, today: date) -> Any:
        """:func:`case_rows.open_statement` for ``actor`` today, built once and then reused."""
        return self._per_reader(self._open_reads, actor, today,
                                lambda: open_statement(access.visible_clause(actor, self.route, today)))

    def _read_case(self, conn: Connection, case_id: int, actor: Actor | None) -> CaseHead:
        """The case's :func:`case_rows.head_statement` row, locked FOR UPDATE OF the case row
        (PostgreSQL), as ``_case`` does in a writing unit of work: for a read that is logged."""
        stmt = head_statement(access.visible_clause(actor, self.route, self.today()))
        row = conn.execute(stmt.with_for_update(of=CASES), {"case_id": case_id}).one_or_none()
        return self._seen_case(head_of(row, case_id), case_id, actor)

    def case_detail(self, actor: Actor | None, case_id: int, *, plan: bool = False) -> CaseDetail:
        """Everything about one case that ``actor`` may see; outside roles' reads are logged.

        Every clock is there (the header names the first two); the goals and the OPP only with
        ``plan`` (the case screen reads them when its Plan tab is first shown, see
        :meth:`PlanView.case_plan`): without, ``goals`` is None.
        """
        today = self.today()
        log_read = access.is_outside_reader(actor, self.route)
        with self._uow(write=log_read) as uow:
            # Core alone, unless the plan is asked for (its goals and OPP are read as objects):
            # then the session comes first, and the connection is its own
            s = uow.session if plan else None
            conn = uow.connection
            if log_read:  # the case row locked first (a union cannot lock), then the rest
                case = self._read_case(conn, case_id, actor)
                rows, people = read_case_rows(conn, case_id)
            else:
                # the case, every record the screen shows, every fact the guards need and every
                # name they point at: one round trip
                head, rows, people = read_case(conn, self._open_statement(actor, today), case_id)
                case = self._seen_case(head, case_id, actor)
            made = step_rows(rows, self.route)  # as a step reads them: the facts and the clocks
            facts = stepping.build_facts(self.route, made, today,
                                         case.date_of_birth).facts

            def name_of(pid: int | None) -> str | None:
                if pid is None:
                    return None
                if pid not in people:  # someone referenced from elsewhere (never a case record)
                    name = conn.scalar(select(PEOPLE.c.name).where(PEOPLE.c.id == pid))
                    people[pid] = name if name is not None else "?"
                return people[pid]

            holder = {a.a: a.n for a in rows["A"]}  # role -> person holding it
            main_id = self.route.main_track.id
            tracks = []
            for t in sorted(rows["T"], key=lambda t: list(self.route.tracks).index(t.a)
                            if t.a in self.route.tracks else 99):
                track, at_step, role, deadline = t.a, t.b, t.c, t.d1
                step = self.route.steps.get(at_step)
                checklist = tuple(
                    (c.id, c.label, (at_step, c.id) in facts.checklist_done)
                    for c in (step.checklist if step else ())
                )
                tracks.append(TrackInfo(
                    track=track,
                    track_label=self.route.tracks[track].label if track in self.route.tracks else track,
                    step=at_step, step_title=self.step_title(at_step), entered_at=t.at,
                    deadline=deadline, overdue=bool(deadline and role and deadline < today),
                    at_turn_role=role, at_turn=name_of(holder[role]) if role in holder else None,
                    checklist=checklist,
                ))
            main = next((t for t in tracks if t.track == main_id), tracks[0])
            main_step = self.route.steps.get(main.step)
            a_infos = []
            for a in rows["A"]:
                inv = ""
                if main_step is not None:
                    inv = "aan zet" if main_step.at_turn == a.a else main_step.involved.get(a.a, "")
                a_infos.append(AssignmentInfo(a.a, self.role_label(a.a), name_of(a.n) or "?", a.n, a.at, inv))
            consents = tuple(
                ConsentInfo(c.o, c.a, self.role_label(c.a), c.b, c.c, c.d, bool(c.n), c.d1, c.d2, c.d3,
                            Consent(c.a, c.c, c.d, c.d1, c.d2, c.d3, bool(c.n)).valid_on(today),
                            name_of(c.n2) or "?", c.at)
                for c in rows["C"]
            )
            # the steps, numbered 1..n (the keyed history also holds every other change)
            history = tuple(HistoryEntry(n, e.a, e.b, e.c, e.d, e.e, e.at, e.f)
                            for n, e in enumerate(rows["E"], start=1))
            notes = tuple(NoteInfo(n.o, name_of(n.n) or "?", n.at, n.a, n.f) for n in rows["N"])
            agreements = tuple(
                AgreementInfo(g.o, g.e, name_of(g.n), g.a, g.d1, g.at is not None, g.at, name_of(g.n2) or "?",
                              g.at2, bool(g.d1 and g.at is None and g.d1 < today))
                for g in rows["G"]
            )
            documents = tuple(
                DocumentInfo(d.o, d.a, d.b, d.e, d.c, name_of(d.n) or "?", d.at,
                             fields=json.loads(d.f) if d.f else {})
                for d in rows["D"]
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
            if s is not None:
                info = read_plan(s, case, self.route, today, names=people, rows=rows)
                goals, opp, clocks = info.goals, info.opp, info.clocks
            else:  # the clocks from the rows read above
                clocks = tuple(compute_clocks(inputs_from(made, self.route, ClockInputs.of_case(case)),
                                              self.route, today))
            detail = CaseDetail(
                id=case.id, pupil=case.pupil_name, pupil_id=case.pupil_id, date_of_birth=case.date_of_birth,
                group=case.group, school=case.school_name, school_id=case.school_id, status=case.status,
                step=main.step, steps={t.track: t.step for t in tracks}, tracks=tuple(tracks),
                at_turn_role=main.at_turn_role, at_turn=main.at_turn, deadline=main.deadline,
                overdue=main.overdue, opened_at=case.opened_at, registered_on=case.registered_on,
                zorgplicht_deadline=zp, version=case.version, assignments=tuple(a_infos),
                consents=consents, history=history, notes=notes, agreements=agreements,
                documents=documents, next=nexts, goals=goals, opp=opp, clocks=clocks,
            )
            if log_read and actor is not None:
                self._log_access(conn, actor, case_id, "read")
                uow.commit()
            return detail

    def next_steps(self, actor: Actor | None, case_id: int) -> list[NextStepInfo]:
        return list(self.case_detail(actor, case_id).next)

    def who_is_at_turn(self, actor: Actor | None, case_id: int) -> tuple[str | None, str | None]:
        """(role, person name) at turn in the case's school step."""
        d = self.case_detail(actor, case_id)
        return d.at_turn_role, d.at_turn
