"""Who may act at a step, joint turns, writing a step, automatic steps and the clocks of a step.

Functions over a :class:`~kindroute.services.context.ServiceContext`, shared by the parts that
change a case (a part builds on the context, never on another part):

* **Who may act**: a person holding a role at turn on the case (assigned to it; for an SWV role:
  seeing the case), or a person who runs the school's cases (``sees = "school"``). On a joint turn
  (``turn = "all"``) each role at turn confirms for itself: every confirmation is recorded, and the
  step is taken when the last one confirms.
* **Automatic steps**: after any change to a case, a trigger with ``automatic = true`` whose guards
  hold is taken by kindroute in the same transaction; the history names "kindroute (automatisch)"
  and the change that caused it.
* **Clocks**: a deadline counts from ``term_from`` (entering, opening, or the last time a trigger
  fired); ``term_keeps`` keeps the deadline of the first visit; ``term_set_by`` lets that role set
  the end date per case (:meth:`Terms.set_term`).
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, select

from kindroute.errors import AccessDenied, Conflict, InvalidInput, StepNotAllowed
from kindroute.services import access, history, stepping
from kindroute.services.clocks import ClockInputs, earliest
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor, StepResult
from kindroute.services.text import parse_date
from kindroute.store.hmac_chain import record_digest
from kindroute.store.models import CaseEvent, Note, TurnConfirmation
from kindroute.store.uow import STALE_MESSAGE, UnitOfWork
from kindroute.workflow import NOT_STARTED, Step
from kindroute.workflow.guards import nl_date
from kindroute.workflow.model import (
    AUTOMATIC_AUTHOR,
    SEES_SCHOOL,
    SEES_SWV,
    TERM_FROM_ENTERED,
    TERM_FROM_OPENED,
    ChecklistItem,
)
from kindroute.workflow.vocabulary import STATUS_CLOSED, STATUS_OPEN, STATUS_REFERRED, STEP_CLOSED

#: More automatic steps in a row than this means a route the validator should have refused.
MAX_AUTOMATIC = 50

# ----------------------------------------------------------------------------- who may act


def holds(ctx: ServiceContext, actor: Actor, role_id: str, school_id: int, holders: dict[str, int]) -> bool:
    """``actor`` holds ``role_id`` on this case: assigned to it, or through a role that sees the
    school (on its own school) or the SWV's cases (the case is visible already)."""
    if role_id not in actor.roles:
        return False
    if holders.get(role_id) == actor.id:
        return True
    role = ctx.route.roles.get(role_id)
    if role is None:
        return False
    if role.sees == SEES_SCHOOL:
        return access.manages_school(actor, school_id, ctx.route)
    return role.sees == SEES_SWV


def require_turn(ctx: ServiceContext, actor: Actor, school_id: int, source: str,
                 holders: dict[str, int]) -> None:
    """Only a person at turn (or who runs the school's cases) may take a step."""
    if access.manages_school(actor, school_id, ctx.route):
        return
    if source == NOT_STARTED:
        raise AccessDenied(
            "Alleen wie de casussen van de school beheert (intern begeleider, directeur) kan dit "
            "traject starten."
        )
    roles = ctx.engine.turn_roles(source)
    if any(holds(ctx, actor, r, school_id, holders) for r in roles):
        return
    who = " of ".join(ctx.role_label(r).lower() for r in roles) or "niemand"
    raise AccessDenied(
        f"U bent niet aan zet in stap '{ctx.step_title(source)}': dat is de {who} "
        "(of de intern begeleider)."
    )


def may_tick(ctx: ServiceContext, actor: Actor, school_id: int, step: Step, item: ChecklistItem,
             holders: dict[str, int]) -> None:
    """Refuse ticking ``item`` for someone outside its ``ticked_by`` (default: the roles at turn
    and the roles that see the school)."""
    allowed = list(item.ticked_by) or [*step.turn_roles, *ctx.route.roles_seeing(SEES_SCHOOL)]
    if any(holds(ctx, actor, r, school_id, holders) for r in allowed):
        return
    who = ", ".join(dict.fromkeys(ctx.role_label(r).lower() for r in allowed)) or "niemand"
    raise AccessDenied(f"U ({actor.name}) mag '{item.label}' niet afvinken: dat doet de {who} op deze casus.")


# ----------------------------------------------------------------------------- joint turns


def confirm_turn(ctx: ServiceContext, conn: Connection, actor: Actor, case_id: int, case: Any,
                 known: stepping.StepFacts, trigger: str) -> StepResult | None:
    """On a joint turn: record the actor's confirmation(s). Returns the result when others must
    still confirm; None when this was the last one, or no joint turn (the caller takes the step)."""
    waiting = ctx.engine.awaiting(known.facts, trigger)
    if not waiting:
        return None
    option = ctx.engine.check(known.facts, trigger)
    if not option.allowed:
        raise StepNotAllowed(f"'{option.label}' is nu niet toegestaan", option.reasons)
    mine = [r for r in waiting if holds(ctx, actor, r, case.school_id, known.holders)]
    if not mine:
        names = " en ".join(ctx.role_label(r).lower() for r in waiting)
        raise AccessDenied(
            f"Stap '{ctx.step_title(option.source)}' vraagt een bevestiging van de {names}; "
            f"u ({actor.name}) bent geen van hen op deze casus."
        )
    rest = [r for r in waiting if r not in mine]
    if not rest:
        return None
    now = ctx.now()
    row = known.tracks[option.track]
    for role in mine:
        conn.execute(TurnConfirmation.__table__.insert(), {
            "case_id": case_id, "track": option.track, "step": option.source, "visit": row.entered_seq,
            "trigger": trigger, "role": role, "person_id": actor.id, "at": now,
        })
    version = case.version + 1
    t = stepping.TRACKS
    deadline = conn.execute(select(t.c.deadline).where(t.c.case_id == case_id, t.c.track == option.track)
                            ).scalar()
    conn.execute(stepping.UPDATE_TRACK, {
        "where_case": case_id, "where_track": option.track, "step": option.source,
        "entered_at": row.entered_at, "deadline": deadline, "at_turn_role": rest[0],
        "entered_seq": row.entered_seq,
    })
    # the confirmation is a change of the case: an event of its keyed history (the turn moved on)
    key = history.history_key_for(ctx.db, conn, write=True)
    seq, h = history.append_event(
        conn, key, case_id=case_id, prev_hash=case.history_head, prev_count=case.history_count,
        kind="turn", actor=actor, at=now, track=option.track, trigger=trigger,
        records=history.record_digests(conn, "cases", [case_id])
        + history.record_digests(conn, "case_tracks", [option.track], case_id),
        global_head=case.global_head,
    )
    if conn.execute(stepping.UPDATE_CASE, {
        "case_id": case_id, "old_version": case.version, "new_version": version,
        "head": h, "seq": seq, "now": now,
    }).rowcount != 1:
        raise Conflict(STALE_MESSAGE)
    return StepResult(
        case_id=case_id, track=option.track, from_=option.source, to=option.source, trigger=trigger,
        at_turn_role=rest[0], deadline=deadline, version=version, waiting=tuple(rest),
    )


# ----------------------------------------------------------------------------- writing a step


def status_after(ctx: ServiceContext, track: str, dest: str, status: str) -> str:
    """The case's status after a step to ``dest`` on ``track`` (``status``: before it): the main
    track decides it; a final step refers or closes the case."""
    if track != ctx.route.main_track.id:
        return status
    if ctx.engine.is_final(dest):
        return STATUS_REFERRED if dest != STEP_CLOSED else STATUS_CLOSED
    return STATUS_OPEN


def record_step(ctx: ServiceContext, conn: Connection, actor: Actor, case_id: int, case: Any,
                row: stepping.TrackState | None, track: str, source: str, dest: str, trigger: str,
                note: str, pending: history.PendingEvents | None = None,
                clock_inputs: ClockInputs | None = None) -> StepResult:
    """Write a step: the case row (version checked), the hash-chained event, the track, a note.

    ``case`` is the row read by :func:`stepping.case_statement`; ``row`` where the case stood on
    ``track`` (None: the track starts now). ``pending``: collect the event there, to be sealed
    by the caller right before its commit (the global head is then locked only at the end);
    without it the event is sealed now. ``clock_inputs``: the case's clocks' inputs as they stand
    before this step (:func:`clocks.step_statement`); the step moves them on and writes the
    case's ``next_due`` with its row. With ``pending`` the case row is written at the seal, with
    its new head (:meth:`history.PendingEvents.write_case_later`).
    """
    now = ctx.now()
    if now < case.opened_at:
        raise InvalidInput(f"Een stap op {now:%Y-%m-%d %H:%M} ligt vóór de opening van casus {case_id} "
                           f"({case.opened_at:%Y-%m-%d %H:%M}); controleer de klok.")
    version = case.version + 1
    status, closed_at = case.status, case.closed_at
    update = stepping.UPDATE_CASE
    if track == ctx.route.main_track.id:
        update = stepping.UPDATE_CASE_STATUS
        status = status_after(ctx, track, dest, status)
        closed_at = now if ctx.engine.is_final(dest) else None
    deadline = entry_deadline(ctx, conn, case_id, case.opened_at, dest, now, entering=(trigger, dest),
                              pending=pending)
    at_turn = ctx.engine.at_turn_role(dest)
    seq = case.history_count + 1
    records: list[history.Record] = [
        ("cases", case_id, record_digest((case.pupil_id, case.school_id, status, case.opened_at,
                                          case.opened_by_id, closed_at, case.registered_on,
                                          case.zorgplicht_extended, case.route_version))),
        ("case_tracks", track, record_digest((dest, now, deadline, at_turn, seq))),
    ]
    if note:
        note_id = conn.execute(stepping.INSERT_NOTE, {"case_id": case_id, "author_id": actor.id,
                                                      "at": now, "step": source, "text": note}
                               ).inserted_primary_key[0]
        records.append(("notes", note_id, record_digest((actor.id, now, source, note))))
    if pending is not None:  # sealed with the others at the end: the case keeps its head until then
        h = case.history_head
        seq = pending.add(case_id=case_id, prev_hash=case.history_head, prev_count=case.history_count,
                          kind="step", actor=actor, at=now, records=records, note=note, track=track,
                          from_step=source, to_step=dest, trigger=trigger)
    else:
        key = history.history_key_for(ctx.db, conn, write=True)
        seq, h = history.append_event(
            conn, key, case_id=case_id, prev_hash=case.history_head, prev_count=case.history_count,
            kind="step", actor=actor, at=now, records=records, note=note, track=track,
            from_step=source, to_step=dest, trigger=trigger, global_head=case.global_head,
        )
    values: dict[str, Any] = {"case_id": case_id, "old_version": case.version, "new_version": version,
                              "head": h, "seq": seq, "now": now}
    if update is stepping.UPDATE_CASE_STATUS:
        values["status"] = status
        values["closed_at"] = closed_at
    if clock_inputs is not None:
        clock_inputs.entered(track, dest, deadline, at_turn, status)
        values["next_due"] = earliest(clock_inputs, ctx.route)
        update = stepping.UPDATE_CASE_STATUS_DUE if update is stepping.UPDATE_CASE_STATUS \
            else stepping.UPDATE_CASE_DUE
    if pending is not None:  # written at the seal, with the case's new head: one UPDATE of the row
        pending.write_case_later(update, values)
    elif conn.execute(update, values).rowcount != 1:
        raise Conflict(STALE_MESSAGE)
    if row is None:
        conn.execute(stepping.INSERT_TRACK, {
            "case_id": case_id, "track": track, "step": dest, "entered_at": now, "deadline": deadline,
            "at_turn_role": at_turn, "entered_seq": seq,
        })
    else:
        conn.execute(stepping.UPDATE_TRACK, {
            "where_case": case_id, "where_track": track, "step": dest, "entered_at": now,
            "deadline": deadline, "at_turn_role": at_turn, "entered_seq": seq,
        })
    return StepResult(
        case_id=case_id, track=track, from_=source, to=dest, trigger=trigger,
        at_turn_role=at_turn, deadline=deadline, version=version,
    )


# ----------------------------------------------------------------------------- automatic steps


def follow_automatic(ctx: ServiceContext, uow: UnitOfWork, actor: Actor, case_id: int,
                     cause: str) -> list[StepResult]:
    """After a change made through the ORM session: take the automatic steps that now hold."""
    if not any(t.automatic for t in ctx.route.triggers.values()):
        return []
    uow.session.flush()
    return follow_automatic_conn(ctx, uow.connection, actor, case_id, cause)


def follow_automatic_conn(ctx: ServiceContext, conn: Connection, actor: Actor, case_id: int,
                          cause: str, pending: history.PendingEvents | None = None,
                          clock_inputs: ClockInputs | None = None) -> list[StepResult]:
    """Take every automatic step whose guards hold, one after another, in this transaction
    (``pending``, ``clock_inputs``: as :func:`record_step`)."""
    if not any(t.automatic for t in ctx.route.triggers.values()):
        return []
    today = ctx.today()
    read = stepping.case_statement(None, ctx.route, today)
    robot = Actor(id=actor.id, name=AUTOMATIC_AUTHOR, roles=(), school_id=None)
    taken: list[StepResult] = []
    for _ in range(MAX_AUTOMATIC):
        if pending is not None:  # the case row as the steps so far left it
            pending.write_cases(conn)
        case = conn.execute(read, {"case_id": case_id}).one()
        known = stepping.build_facts(ctx.route, stepping.fact_rows(conn, case_id), today, case.born)
        option = ctx.engine.automatic_step(known.facts)
        if option is None:
            break
        track, source, dest = ctx.engine.apply(known.facts, option.trigger)
        taken.append(record_step(ctx, conn, robot, case_id, case, known.tracks.get(track), track, source,
                                 dest, option.trigger, f"Automatisch na: {cause}", pending, clock_inputs))
        cause = f"stap '{option.label}'"
    return taken


# ----------------------------------------------------------------------------- clocks


def entry_deadline(ctx: ServiceContext, conn: Connection, case_id: int, opened_at: datetime | None,
                   dest: str, now: datetime, *, entering: tuple[str, str] | None = None,
                   pending: history.PendingEvents | None = None) -> date | None:
    """The deadline of ``dest`` when the case enters it now. ``entering``: (trigger, step) of the
    entering event when it is not written yet (its digest is sealed into that event); ``pending``:
    events of this transaction collected but not written yet."""
    step = ctx.route.steps.get(dest)
    if step is None or step.term_days is None:
        return None
    opened_on = opened_at.date() if opened_at else None
    if not step.term_keeps and step.term_from in (TERM_FROM_ENTERED, TERM_FROM_OPENED):
        return ctx.engine.deadline(dest, now.date(), opened_on=opened_on)
    events: list[Any] = list(conn.execute(
        select(CaseEvent.trigger, CaseEvent.to_step, CaseEvent.at)
        .where(CaseEvent.case_id == case_id, CaseEvent.kind == "step").order_by(CaseEvent.seq)
    ).all())
    if pending is not None:
        events += pending.steps_of(case_id)
    if entering is not None:
        events.append(SimpleNamespace(trigger=entering[0], to_step=entering[1], at=now))
    entered_on = now.date()
    upto = len(events)
    if step.term_keeps:
        first = next((i for i, e in enumerate(events) if e.to_step == dest), None)
        if first is not None:
            entered_on, upto = events[first].at.date(), first + 1
    fired = {e.trigger: e.at.date() for e in events[:upto]}
    return ctx.engine.deadline(dest, entered_on, opened_on=opened_on, fired=fired)


class Terms(ServiceContext):
    """Terms set per case (``term_set_by``)."""

    def set_term(self, actor: Actor, case_id: int, until: str | date, *, track: str | None = None,
                 expected_version: int | None = None) -> date:
        """Set the end date of the current step (a step with ``term_set_by``) for this case."""
        day = until if isinstance(until, date) else parse_date(until, "Einddatum")
        track = track or self.route.main_track.id
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            row = next((t for t in case.tracks if t.track == track), None)
            step = self.route.steps.get(row.step) if row is not None else None
            if row is None or step is None:
                raise InvalidInput(f"Casus {case_id} staat niet in traject '{track}'.")
            if step.term_set_by is None:
                raise InvalidInput(
                    f"Stap '{step.title}' heeft geen termijn die per casus wordt vastgesteld "
                    "(term_set_by in de route)."
                )
            holders_now = {a.role: a.person_id for a in self._active_assignments(s, case_id)}
            if not holds(self, actor, step.term_set_by, case.school_id, holders_now):
                raise AccessDenied(
                    f"Alleen de {self.role_label(step.term_set_by).lower()} van deze casus stelt de "
                    f"termijn van stap '{step.title}' vast."
                )
            if day < row.entered_at.date():
                raise InvalidInput(
                    f"De einddatum {nl_date(day)} ligt vóór het begin van de stap "
                    f"({nl_date(row.entered_at.date())})."
                )
            row.deadline = day
            note = Note(case_id=case_id, author_id=actor.id, at=self.now(), step=step.id,
                        text=f"Termijn van stap '{step.title}' vastgesteld tot {nl_date(day)}.")
            s.add(note)
            self._touch(case)
            self._seal(s, case, "term", actor, [row, note])
            uow.commit()
            return day
