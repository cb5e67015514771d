"""The facade's door to the SWV's view: the monitor, the verbeterbord, the sociale kaart and the
Plus-klas places (each loaded on first use)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kindroute.services.context import ServiceContext

if TYPE_CHECKING:
    from kindroute.services.board import BoardService
    from kindroute.services.dto import Actor
    from kindroute.services.partners import PartnerService
    from kindroute.services.plusklas import PlusklasService


class SwvParts(ServiceContext):
    """``services.report(...)``, ``services.board``, ``services.partners``, ``services.plusklas``."""

    def report(self, actor: Actor | None, **kw: Any) -> Any:
        """The monitor's figures (see :mod:`kindroute.services.report`)."""
        from kindroute.services.report import ReportService

        return ReportService(self).report(actor, **kw)  # type: ignore[arg-type]

    @property
    def board(self) -> BoardService:
        from kindroute.services.board import BoardService

        return BoardService(self)  # type: ignore[arg-type]

    @property
    def partners(self) -> PartnerService:
        from kindroute.services.partners import PartnerService

        return PartnerService(self)  # type: ignore[arg-type]

    @property
    def plusklas(self) -> PlusklasService:
        from kindroute.services.plusklas import PlusklasService

        return PlusklasService(self)  # type: ignore[arg-type]
