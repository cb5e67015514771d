"""The work around a case between steps: roles, consents, notes, agreements, checklists.

Who may assign which role is the route's ``assigns``; who may tick a checklist item its
``ticked_by`` (see :mod:`kindroute.services.turns`). A change may let an automatic step follow.

Each change touches the case row, so its version moves on and a concurrent edit is seen.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from kindroute.errors import AccessDenied, InvalidInput, NotFound
from kindroute.services import access, turns
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor, AgreementInfo, AssignmentInfo, ConsentInfo, NoteInfo
from kindroute.services.text import check_name, check_text, parse_date
from kindroute.store.models import Agreement, Assignment, ChecklistTick, ConsentRecord, Note, Person


class CaseWork(ServiceContext):
    """Everything recorded on a case that is not a step."""

    def assign_role(self, actor: Actor, case_id: int, role: str, person: str | int, *,
                    expected_version: int | None = None) -> AssignmentInfo:
        if role not in self.route.roles:
            raise InvalidInput(f"Onbekende rol '{role}'. Bekend: {', '.join(self.route.roles)}.")
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_assigner(actor, case, role)
            target = self._actor(s, person)
            if role not in target.roles:
                raise InvalidInput(
                    f"{target.name} heeft de rol '{self.role_label(role)}' niet "
                    f"(wel: {', '.join(self.role_label(r) for r in target.roles) or 'geen'})."
                )
            now = self.now()
            changed: list[Assignment] = []
            for a in self._active_assignments(s, case_id):
                if a.role == role:
                    if a.person_id == target.id:
                        raise InvalidInput(
                            f"{target.name} is al {self.role_label(role).lower()} op deze casus."
                        )
                    a.ended_at = now
                    changed.append(a)
            s.flush()
            new = Assignment(case_id=case_id, role=role, person_id=target.id, started_at=now,
                             assigned_by_id=actor.id)
            s.add(new)
            self._touch(case)
            self._seal(s, case, "assignment", actor, [*changed, new])
            turns.follow_automatic(self, uow, actor, case_id, f"{self.role_label(role)} toegewezen")
            uow.commit()
            return AssignmentInfo(role, self.role_label(role), target.name, target.id, now, "")

    def _require_assigner(self, actor: Actor, case: Any, role: str) -> None:
        """Only a role whose ``assigns`` names ``role`` may (un)assign it; a role that sees the
        school only on its own school's cases."""
        for r in actor.roles:
            spec = self.route.roles.get(r)
            if spec is None or role not in spec.assigns:
                continue
            if spec.sees != "school" or access.manages_school(actor, case.school_id, self.route):
                return
        raise AccessDenied(
            f"U ({actor.name}) mag de rol '{self.role_label(role)}' niet toewijzen: dat doet de "
            f"{access.assigners(self.route, role)}."
        )

    def end_assignment(self, actor: Actor, case_id: int, role: str, *,
                       expected_version: int | None = None) -> None:
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_assigner(actor, case, role)
            active = [a for a in self._active_assignments(s, case_id) if a.role == role]
            if not active:
                raise NotFound(f"Niemand is {self.role_label(role).lower()} op casus {case_id}.")
            for a in active:
                a.ended_at = self.now()
            self._touch(case)
            self._seal(s, case, "assignment_end", actor, active)
            uow.commit()

    def record_consent(
        self,
        actor: Actor,
        case_id: int,
        *,
        role: str,
        purpose: str,
        given_by: str,
        valid_from: str | date | None = None,
        valid_until: str | date | None = None,
        pupil_cosigned: bool = False,
        organisation: str | None = None,
        expected_version: int | None = None,
    ) -> ConsentInfo:
        r = self.route.roles.get(role)
        if r is None:
            raise InvalidInput(f"Onbekende rol '{role}'. Bekend: {', '.join(self.route.roles)}.")
        check_text(purpose, "Doel van de toestemming")
        check_name(given_by, "Gegeven door")
        if organisation:
            check_name(organisation, "Organisatie")
        start = parse_date(valid_from, "Geldig vanaf") if valid_from else self.today()
        until = parse_date(valid_until, "Geldig tot") if valid_until else None
        if until is not None and until < start:
            raise InvalidInput("De einddatum van de toestemming ligt vóór de begindatum.")
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_manager(actor, case, "toestemmingen vastleggen")
            c = ConsentRecord(
                case_id=case_id, role=role, organisation=organisation, purpose=purpose,
                given_by=given_by, pupil_cosigned=pupil_cosigned, valid_from=start,
                valid_until=until, recorded_by_id=actor.id, recorded_at=self.now(),
            )
            s.add(c)
            self._touch(case)
            self._seal(s, case, "consent", actor, [c])
            info = self._consent_info(c, actor.name)
            cause = f"toestemming voor {self.role_label(role).lower()}"
            turns.follow_automatic(self, uow, actor, case_id, cause)
            uow.commit()
            return info

    def withdraw_consent(self, actor: Actor, case_id: int, consent_id: int, *, reason: str = "",
                         on: str | date | None = None,
                         expected_version: int | None = None) -> ConsentInfo:
        if reason:
            check_text(reason, "Reden", required=False)
        when = parse_date(on, "Datum intrekking") if on else self.today()
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_manager(actor, case, "toestemmingen intrekken")
            c = s.get(ConsentRecord, consent_id)
            if c is None or c.case_id != case_id:
                raise NotFound(f"Toestemming {consent_id} hoort niet bij casus {case_id}.")
            if c.withdrawn_on is not None:
                raise InvalidInput(f"Toestemming {consent_id} is al ingetrokken op {c.withdrawn_on}.")
            c.withdrawn_on = when
            c.withdrawn_by_id = actor.id
            c.withdrawn_reason = reason or None
            self._touch(case)
            self._seal(s, case, "consent_withdrawn", actor, [c])
            recorder = s.get(Person, c.recorded_by_id)
            info = self._consent_info(c, recorder.name if recorder else "?")
            uow.commit()
            return info

    def add_note(self, actor: Actor, case_id: int, text: str, *,
                 expected_version: int | None = None) -> NoteInfo:
        check_text(text, "Notitie")
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            now = self.now()
            step = next((t.step for t in case.tracks if t.track == self.route.main_track.id), None)
            n = Note(case_id=case_id, author_id=actor.id, at=now, step=step, text=text)
            s.add(n)
            self._touch(case)
            self._seal(s, case, "note", actor, [n])
            info = NoteInfo(n.id, actor.name, now, step, text)
            uow.commit()
            return info

    def add_agreement(self, actor: Actor, case_id: int, what: str, *,
                      who: str | int | None = None, who_role: str | None = None,
                      due_on: str | date | None = None,
                      expected_version: int | None = None) -> AgreementInfo:
        check_text(what, "Afspraak")
        due = parse_date(due_on, "Datum") if due_on else None
        if who_role is not None and who_role not in self.route.roles:
            raise InvalidInput(f"Onbekende rol '{who_role}'.")
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            who_actor = self._actor(s, who) if who is not None else None
            if who_actor is None and who_role is not None:
                holder = s.scalar(select(Assignment.person_id).where(
                    Assignment.case_id == case_id, Assignment.role == who_role,
                    Assignment.ended_at.is_(None)))
                if holder is not None:
                    who_actor = self._actor(s, holder)
            now = self.now()
            a = Agreement(case_id=case_id, what=what, who_id=who_actor.id if who_actor else None,
                          who_role=who_role, due_on=due, created_by_id=actor.id, created_at=now)
            s.add(a)
            self._touch(case)
            self._seal(s, case, "agreement", actor, [a])
            info = AgreementInfo(a.id, what, who_actor.name if who_actor else None, who_role, due,
                                 False, None, actor.name, now,
                                 bool(due and due < self.today()))
            uow.commit()
            return info

    def complete_agreement(self, actor: Actor, case_id: int, agreement_id: int, *,
                           done: bool = True, expected_version: int | None = None) -> None:
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            a = s.get(Agreement, agreement_id)
            if a is None or a.case_id != case_id:
                raise NotFound(f"Afspraak {agreement_id} hoort niet bij casus {case_id}.")
            a.done_at = self.now() if done else None
            a.done_by_id = actor.id if done else None
            self._touch(case)
            self._seal(s, case, "agreement_done" if done else "agreement_open", actor, [a])
            uow.commit()

    def tick_checklist(self, actor: Actor, case_id: int, item: str, *, done: bool = True,
                       track: str | None = None, expected_version: int | None = None) -> None:
        """Mark a checklist item of the current step (of ``track``) done or not done."""
        track = track or self.route.main_track.id
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            row = next((t for t in case.tracks if t.track == track), None)
            if row is None:
                raise InvalidInput(f"Casus {case_id} staat niet in traject '{track}'.")
            step = self.route.steps[row.step]
            if item not in {c.id for c in step.checklist}:
                known = ", ".join(c.id for c in step.checklist) or "geen"
                raise InvalidInput(f"Stap '{step.title}' heeft geen checklistpunt '{item}' (wel: {known}).")
            item_spec = next(c for c in step.checklist if c.id == item)
            holders = {a.role: a.person_id for a in self._active_assignments(s, case_id)}
            turns.may_tick(self, actor, case.school_id, step, item_spec, holders)
            existing = s.scalar(select(ChecklistTick).where(
                ChecklistTick.case_id == case_id, ChecklistTick.step == step.id,
                ChecklistTick.item == item, ChecklistTick.visit == row.entered_seq))
            touched: list[object] = []
            if done and existing is None:
                tick = ChecklistTick(case_id=case_id, step=step.id, item=item, done_by_id=actor.id,
                                     done_at=self.now(), visit=row.entered_seq)
                s.add(tick)
                touched.append(tick)
            elif not done and existing is not None:
                touched.append(("checklist_ticks", existing.id))
                s.delete(existing)
            self._touch(case)
            self._seal(s, case, "checklist", actor, touched)
            turns.follow_automatic(self, uow, actor, case_id, f"'{item_spec.label}' afgevinkt")
            uow.commit()
