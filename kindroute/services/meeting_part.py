"""The facade's door to meetings: ``services.meetings`` (see :mod:`kindroute.services.meeting_api`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kindroute.services.context import ServiceContext

if TYPE_CHECKING:
    from kindroute.services.meeting_api import MeetingUseCases


class MeetingParts(ServiceContext):
    """Meetings (besprekingen), their verslag and the case's timeline, loaded on first use."""

    @property
    def meetings(self) -> MeetingUseCases:
        from kindroute.services.meeting_api import MeetingUseCases

        return MeetingUseCases(self)  # type: ignore[arg-type]
