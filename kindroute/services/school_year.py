"""A new school year: every group of a school moves up, groep 8 leaves — and it can be undone.

``start_school_year`` moves each pupil still at the school one group up; a pupil in groep 8
leaves the school on the day of the rollover (``left_school_on``, so the retention clock of
:mod:`kindroute.services.retention` starts). Open cases stay open and get a note saying what
happened. What changed is stored (``school_years``, ``school_year_changes``) with a
fingerprint of the school's pupils and cases right after: ``undo_school_year`` puts everything
back as long as that fingerprint still holds — that is, until the first change after it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kindroute.errors import AccessDenied, InvalidInput, NotFound
from kindroute.services import access
from kindroute.services.dto import Actor
from kindroute.store.models import Case, Note, Pupil, School, SchoolYear, SchoolYearChange
from kindroute.store.uow import UnitOfWork

if TYPE_CHECKING:
    from kindroute.services.core import Services

LAST_GROUP = 8


@dataclass
class Rollover:
    """What a rollover does (dry run) or did, or what an undo put back."""

    school: str
    year: int
    moved: dict[int, int] = field(default_factory=dict)  # old group -> pupils moved up from it
    left: list[str] = field(default_factory=list)  # names of groep-8 pupils who left
    left_on: date | None = None
    cases_noted: int = 0
    dry_run: bool = False
    undone: bool = False

    @property
    def label(self) -> str:
        return f"{self.year}-{self.year + 1}"


def parse_year(value: str | int) -> int:
    """'2026', '2026-2027' or '2026/2027' -> 2026."""
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})(?:\s*[-/]\s*(\d{4}))?", text)
    if not m or not 1900 <= int(m.group(1)) <= 2100:
        raise InvalidInput(f"Schooljaar '{value}' is niet te lezen; geef bijvoorbeeld 2026 of 2026-2027.")
    first = int(m.group(1))
    if m.group(2) and int(m.group(2)) != first + 1:
        raise InvalidInput(f"Schooljaar '{value}': het tweede jaar volgt niet op het eerste.")
    return first


def current_school_year(today: date) -> int:
    """A school year runs from 1 August: 23 November 2026 lies in 2026-2027."""
    return today.year if today.month >= 8 else today.year - 1


def _school(svc: Services, session: Session, actor: Actor, school: str | int | None) -> School:
    from kindroute.services.staff import find_school

    if school is None or str(school).strip() == "":
        if actor.school_id is None:
            raise InvalidInput("Geef de school (--school): u hoort zelf niet bij een school.")
        row = session.get(School, actor.school_id)
        if row is None:
            raise NotFound("Uw school bestaat niet meer in deze database.")
    else:
        row = find_school(session, school)
    if not (access.manages_school(actor, row.id, svc.route) or access.sees_swv(actor, svc.route)):
        raise AccessDenied(f"Alleen de intern begeleider of directeur van {row.name} (of het SWV) kan het "
                           "schooljaar starten of terugdraaien.")
    return row


def fingerprint(session: Session, school_id: int) -> str:
    """A hash over the school's pupils and cases: any change to them changes it."""
    h = hashlib.sha256()
    for row in session.execute(
        select(Pupil.id, Pupil.name, Pupil.date_of_birth, Pupil.group, Pupil.left_school_on)
        .where(Pupil.school_id == school_id).order_by(Pupil.id)
    ):
        h.update(repr(tuple(row)).encode())
    h.update(b"|cases|")
    for row in session.execute(
        select(Case.id, Case.version, Case.status, Case.pupil_id).where(Case.school_id == school_id)
        .order_by(Case.id)
    ):
        h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def _latest(session: Session, school_id: int) -> SchoolYear | None:
    return session.scalar(
        select(SchoolYear).where(SchoolYear.school_id == school_id, SchoolYear.undone_at.is_(None))
        .order_by(SchoolYear.year.desc(), SchoolYear.id.desc()).limit(1)
    )


def start_school_year(svc: Services, actor: Actor, year: str | int, *, school: str | int | None = None,
                      dry_run: bool = False) -> Rollover:
    """Move the school's groups up for school year ``year``; groep 8 leaves today."""
    first = parse_year(year)
    today, now = svc.today(), svc.now()
    current = current_school_year(today)
    if not (first == current or (first == current + 1 and today.month in (6, 7))):
        raise InvalidInput(
            f"Schooljaar {first}-{first + 1} kan nu niet starten: het is schooljaar {current}-{current + 1} "
            f"(een nieuw schooljaar start vanaf 1 juni van het oude)."
        )
    with UnitOfWork(svc.db, write=not dry_run) as uow:
        s = uow.session
        school_row = _school(svc, s, actor, school)
        last = _latest(s, school_row.id)
        if last is not None and last.year >= first:
            raise InvalidInput(
                f"Schooljaar {last.year}-{last.year + 1} is voor {school_row.name} al gestart op "
                f"{last.started_at:%d-%m-%Y}; de groepen gaan geen tweede keer omhoog."
            )
        report = Rollover(school_row.name, first, left_on=today, dry_run=dry_run)
        pupils = list(s.scalars(select(Pupil).where(Pupil.school_id == school_row.id,
                                                    Pupil.left_school_on.is_(None)).order_by(Pupil.id)))
        open_cases: dict[int, list[Case]] = {}
        for case in s.scalars(select(Case).where(Case.school_id == school_row.id, Case.status == "open")):
            open_cases.setdefault(case.pupil_id, []).append(case)
        all_cases = _cases_of(s, [p.id for p in pupils]) if not dry_run else {}
        for p in pupils:
            if p.group >= LAST_GROUP:
                report.left.append(p.name)
            else:
                report.moved[p.group] = report.moved.get(p.group, 0) + 1
            report.cases_noted += len(open_cases.get(p.id, []))
        if dry_run:
            return report
        record = SchoolYear(school_id=school_row.id, year=first, started_at=now, started_by_id=actor.id,
                            fingerprint="")
        s.add(record)
        s.flush()
        for p in pupils:
            change = SchoolYearChange(school_year_id=record.id, pupil_id=p.id, old_group=p.group,
                                      new_group=p.group, old_left_on=None, new_left_on=None)
            if p.group >= LAST_GROUP:
                p.left_school_on = change.new_left_on = today
                text = (f"Schooljaar {report.label}: de leerling heeft de school verlaten na groep "
                        f"{p.group}; de casus blijft open.")
            else:
                p.group = change.new_group = p.group + 1
                text = f"Schooljaar {report.label}: de leerling gaat naar groep {p.group}."
            notes = []
            for case in open_cases.get(p.id, []):
                note = Note(case_id=case.id, author_id=actor.id, at=now, step=None, text=text)
                s.add(note)
                notes.append(note)
            # every case of the pupil: the pupil's data changed (and the open ones got a note)
            for case in all_cases.get(p.id, []):
                svc._touch(case)
                svc._seal(s, case, "pupil", actor,
                          [("pupils", p.id), *(n for n in notes if n.case_id == case.id)])
            s.flush()
            change.note_ids = " ".join(str(n.id) for n in notes)
            s.add(change)
        s.flush()
        record.fingerprint = fingerprint(s, school_row.id)
        uow.commit()
        return report


def _cases_of(s: Session, pupil_ids: list[int]) -> dict[int, list[Case]]:
    """Every case of these pupils, locked (before the history's head, the order every writer keeps)."""
    out: dict[int, list[Case]] = {}
    for i in range(0, len(pupil_ids), 500):
        for case in s.scalars(select(Case).where(Case.pupil_id.in_(pupil_ids[i:i + 500]))
                              .order_by(Case.id).with_for_update()):
            out.setdefault(case.pupil_id, []).append(case)
    return out


def undo_school_year(svc: Services, actor: Actor, *, school: str | int | None = None) -> Rollover:
    """Put the school's latest rollover back, unless anything changed after it."""
    now = svc.now()
    with UnitOfWork(svc.db) as uow:
        s = uow.session
        school_row = _school(svc, s, actor, school)
        record = _latest(s, school_row.id)
        if record is None:
            raise NotFound(f"Er is voor {school_row.name} geen schooljaarovergang om terug te draaien.")
        if fingerprint(s, school_row.id) != record.fingerprint:
            raise InvalidInput(
                f"Na de start van schooljaar {record.year}-{record.year + 1} "
                f"({record.started_at:%d-%m-%Y}) is er bij {school_row.name} al iets gewijzigd "
                "(een leerling, een casus, een notitie of stap); "
                "terugdraaien kan daarom niet meer. Pas wat nodig is per leerling aan."
            )
        report = Rollover(school_row.name, record.year, undone=True)
        changes = list(s.scalars(select(SchoolYearChange)
                                 .where(SchoolYearChange.school_year_id == record.id)))
        all_cases = _cases_of(s, [c.pupil_id for c in changes])
        for change in changes:
            pupil = s.get(Pupil, change.pupil_id)
            if pupil is None:
                continue
            if change.new_left_on is not None:
                report.left.append(pupil.name)
                report.left_on = change.new_left_on
            else:
                report.moved[change.old_group] = report.moved.get(change.old_group, 0) + 1
            pupil.group = change.old_group
            pupil.left_school_on = change.old_left_on
            removed: list[tuple[int, int]] = []
            for note_id in change.note_ids.split():
                note = s.get(Note, int(note_id))
                if note is None:
                    continue
                removed.append((note.case_id, note.id))
                s.delete(note)
                report.cases_noted += 1
            s.flush()
            for case in all_cases.get(pupil.id, []):
                svc._touch(case)
                svc._seal(s, case, "pupil", actor,
                          [("pupils", pupil.id), *(("notes", n) for c, n in removed if c == case.id)])
        record.undone_at = now
        record.undone_by_id = actor.id
        uow.commit()
        return report
