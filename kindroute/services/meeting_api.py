"""``Services.meetings``: the meeting use cases and the case timeline behind one small facade.

Each method passes the :class:`~kindroute.services.core.Services` object on to the module
that holds the use case (:mod:`meetings`, :mod:`meeting_read`, :mod:`meeting_export`,
:mod:`timeline`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kindroute.services import meeting_export, meeting_read, meetings, timeline
from kindroute.services.case_filter import CaseFilter
from kindroute.services.dto import Actor, AgreementInfo, CaseDetail, StepResult
from kindroute.services.meeting_dto import AttendeeInfo, ItemView, MeetingSummary, MeetingView

if TYPE_CHECKING:
    from kindroute.services.core import Services


class MeetingUseCases:
    def __init__(self, svc: Services) -> None:
        self.svc = svc

    # writing
    def create(self, actor: Actor, kind: str, when: str | date | datetime | None = None, *,
               school: str | int | None = None, attendees: Sequence[str | int] = (),
               parents: Sequence[str] = ()) -> int:
        return meetings.create_meeting(self.svc, actor, kind, when, school=school, attendees=attendees,
                                       parents=parents)

    def add_cases(self, actor: Actor, meeting_id: int, case_ids: Sequence[int]) -> tuple[int, int]:
        return meetings.add_cases(self.svc, actor, meeting_id, case_ids)

    def add_set(self, actor: Actor, meeting_id: int, f: CaseFilter) -> tuple[int, int]:
        return meetings.add_set(self.svc, actor, meeting_id, f)

    def add_changed(self, actor: Actor, meeting_id: int) -> tuple[int, int]:
        ids = meetings.changed_since_last(self.svc, actor, meeting_id)
        return meetings.add_cases(self.svc, actor, meeting_id, ids) if ids else (0, 0)

    def remove_case(self, actor: Actor, meeting_id: int, case_id: int) -> None:
        meetings.remove_case(self.svc, actor, meeting_id, case_id)

    def move(self, actor: Actor, meeting_id: int, position: int, delta: int) -> int:
        return meetings.move_item(self.svc, actor, meeting_id, position, delta)

    def update_item(self, actor: Actor, meeting_id: int, case_id: int, *, discussed: bool | None = None,
                    **texts: str | None) -> None:
        meetings.update_item(self.svc, actor, meeting_id, case_id, discussed=discussed, **texts)

    def add_agreement(self, actor: Actor, meeting_id: int, case_id: int, what: str, *,
                      who: str | int | None = None, due_on: str | date | None = None,
                      expected_version: int | None = None) -> AgreementInfo:
        return meetings.add_agreement(self.svc, actor, meeting_id, case_id, what, who=who, due_on=due_on,
                                      expected_version=expected_version)

    def take_step(self, actor: Actor, meeting_id: int, case_id: int, trigger: str, *, note: str = "",
                  expected_version: int | None = None) -> StepResult:
        return meetings.take_step(self.svc, actor, meeting_id, case_id, trigger, note=note,
                                  expected_version=expected_version)

    def close(self, actor: Actor, meeting_id: int) -> MeetingSummary:
        return meetings.close_meeting(self.svc, actor, meeting_id)

    def add_addendum(self, actor: Actor, meeting_id: int, text: str) -> None:
        meetings.add_addendum(self.svc, actor, meeting_id, text)

    # reading
    def list(self, actor: Actor | None, *, open_only: bool = False) -> list[MeetingSummary]:
        return meeting_read.list_meetings(self.svc, actor, open_only=open_only)

    def summary(self, actor: Actor | None, meeting_id: int) -> MeetingSummary:
        return meeting_read.meeting_summary(self.svc, actor, meeting_id)

    def attendees(self, actor: Actor | None, meeting_id: int) -> list[AttendeeInfo]:
        return meeting_read.attendees(self.svc, actor, meeting_id)

    def item_at(self, actor: Actor | None, meeting_id: int, position: int, *,
                remember: bool = True) -> tuple[ItemView | None, int]:
        return meeting_read.item_at(self.svc, actor, meeting_id, position, remember=remember)

    def walk_to(self, actor: Actor | None, meeting_id: int,
                position: int) -> tuple[ItemView | None, int, CaseDetail | None, MeetingSummary]:
        return meeting_read.walk_to(self.svc, actor, meeting_id, position)

    def agenda(self, actor: Actor | None, meeting_id: int, offset: int = 0,
               limit: int = 200) -> list[tuple[int, int, str | None]]:
        return meeting_read.agenda_page(self.svc, actor, meeting_id, offset, limit)

    def view(self, actor: Actor | None, meeting_id: int) -> MeetingView:
        return meeting_read.meeting_view(self.svc, actor, meeting_id)

    def render(self, actor: Actor | None, meeting_id: int, fmt: str) -> str | bytes:
        return meeting_export.export_meeting(self.svc, actor, meeting_id, fmt)

    def export(self, actor: Actor | None, meeting_id: int, fmt: str, out: str | Path) -> Path:
        return meeting_export.write_private(out, self.render(actor, meeting_id, fmt))

    # the case's timeline
    def timeline(self, actor: Actor | None, case_id: int,
                 kinds: Sequence[str] | None = None) -> list[timeline.TimelineEvent]:
        return timeline.case_timeline(self.svc, actor, case_id, kinds)

    @staticmethod
    def timeline_kinds() -> dict[str, str]:
        return dict(timeline.KINDS)

