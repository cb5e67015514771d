"""A virtual list of cases: renders only the visible lines, fetches pages on demand.

The list knows only a :class:`CaseSource` (``count()`` and ``page(offset, limit)``, both
called in thread workers). It holds a small cache of pages; scrolling to row 73,000 of
100,000 fetches that one page (LIMIT/OFFSET in the database), never the rows before it.

A (re)load shows the first page as soon as it is there; the exact count follows. A first
page shorter than a page is the whole list, so no count is asked; otherwise the count runs
after the rows were handed over, and only while no newer (re)load has started: counting
the 20,000 matches of a one-letter filter never holds up the rows of the next keystroke, and a
count already running stops when a newer (re)load starts (``CaseSource.count_until``).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kindroute.errors import Cancelled, KindrouteError
from kindroute.services.list_rows import PAGE_SIZE
from kindroute.widgets.format import fit_cell, nl_date

if TYPE_CHECKING:
    from kindroute.services import CaseRow

log = logging.getLogger(__name__)

MAX_PAGES = 80  # cached pages (4,000 rows)
MAX_PUPIL = 34  # the name column's widest: room for long names, not half a wide screen


@dataclass
class CaseSource:
    """Where the rows come from; both callables run in a worker thread."""

    count: Callable[[], int]
    page: Callable[[int, int], list[CaseRow]]
    today: date | None = None
    #: The word users read for a role id (the route's label).
    role_label: Callable[[str], str] = str
    #: The first page, already read (the app's kept first page): shown without a worker.
    ready: list[CaseRow] | None = None
    #: ``count`` that ends early (raising :class:`~kindroute.errors.Cancelled`) once the
    #: callable it is given returns True: the list stops the count of a stale (re)load.
    count_until: Callable[[Callable[[], bool]], int] | None = None


class _Look(NamedTuple):
    key: tuple[int, bool]
    base: Style
    header: Style
    dim: Style
    warn: Style
    cursor: Style
    cols: list[Column]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int


class CaseList(ScrollView, can_focus=True):
    """Cases as a keyboard-driven table: j/k, arrows, page keys, home/end, enter."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Omhoog", id="cursor_up", show=False),
        Binding("down,j", "cursor_down", "Omlaag", id="cursor_down", show=False),
        Binding("pageup", "page_up", "Pagina omhoog", id="page_up", show=False),
        Binding("pagedown", "page_down", "Pagina omlaag", id="page_down", show=False),
        Binding("home,g", "first", "Eerste casus", id="first", show=False),
        Binding("end,G", "last", "Laatste casus", id="last", show=False),
        Binding("enter", "select", "Casus openen", id="open", show=False),
    ]

    COMPONENT_CLASSES = {
        "case-list--header",
        "case-list--cursor",
        "case-list--overdue",
        "case-list--dim",
    }

    DEFAULT_CSS = """
    CaseList { height: 1fr; }
    CaseList > .case-list--header { text-style: bold; background: $panel; }
    CaseList > .case-list--cursor { background: $accent 40%; }
    CaseList:focus > .case-list--cursor { background: $accent; color: $text; }
    CaseList > .case-list--overdue { color: $error; text-style: bold; }
    CaseList > .case-list--dim { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Selected(Message):
        """Enter on a row."""

        def __init__(self, case_list: CaseList, row: CaseRow) -> None:
            super().__init__()
            self.case_list = case_list
            self.row = row

    class Counted(Message):
        """A (re)load finished: how many rows the source has now."""

        def __init__(self, case_list: CaseList, count: int) -> None:
            super().__init__()
            self.case_list = case_list
            self.count = count

    class Shown(Message):
        """The first page of a (re)load is in the list and painted next (the count may follow)."""

        def __init__(self, case_list: CaseList) -> None:
            super().__init__()
            self.case_list = case_list

    class PageLoaded(Message, bubble=False):
        """A page of rows; ``fresh`` for the first page of a (re)load, ``count`` when known;
        ``count_after``: the list asks the count once these rows are painted."""

        def __init__(self, generation: int, page: int, rows: list[CaseRow], count: int | None,
                     fresh: bool = False, count_after: bool = False) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows
            self.count = count
            self.fresh = fresh
            self.count_after = count_after

    class CountLoaded(Message, bubble=False):
        def __init__(self, generation: int, count: int) -> None:
            super().__init__()
            self.generation = generation
            self.count = count

    def __init__(self, source: CaseSource | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.source = source
        self.count = 0
        #: False while the count of the current (re)load is still being made.
        self.counted = False
        self.loaded = False
        self.generation = 0
        self._pages: OrderedDict[int, list[CaseRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._follow: int | None = None
        self._lines: OrderedDict[tuple[Any, ...], Strip] = OrderedDict()
        self._looks: _Look | None = None
        #: The generation whose rows were last drawn (see :meth:`painted_rows`).
        self._painted = -1

    # ------------------------------------------------------------------ data
    def reload(self, source: CaseSource | None = None, *, keep_cursor: bool = False) -> None:
        """Forget every page and fetch the count and the first page again."""
        if source is not None:
            self.source = source
        self.generation += 1
        self._pending.clear()
        page = self._pages.get(self.cursor // PAGE_SIZE, []) if keep_cursor else []
        offset = self.cursor % PAGE_SIZE
        row = page[offset] if offset < len(page) else None
        #: The case the cursor was on: it stays on that case when the list reorders.
        self._follow = row.id if row is not None else None
        if not keep_cursor:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        if self.source is not None:
            first = (self.cursor // PAGE_SIZE) if keep_cursor else 0
            rows, self.source.ready = self.source.ready, None
            if rows is not None and first == 0:  # already read: shown now, counted after the paint
                short = len(rows) < PAGE_SIZE
                count = len(rows) if short else None
                self.post_message(self.PageLoaded(self.generation, 0, rows, count, True,
                                                  count_after=not short))
                return
            self._fetch(self.generation, first, True)

    @work(thread=True, group="case-list-page", exit_on_error=False)
    def _fetch(self, generation: int, page: int, fresh: bool, shown: list[CaseRow] | None = None) -> None:
        """Read a page and post it; for the first page of a (re)load then the count. ``shown``:
        the first page was already posted (see :attr:`CaseSource.ready`): only the count."""
        source = self.source
        if source is None:
            return
        count: int | None = None
        if shown is not None:
            self._count(source, generation)
            return
        try:
            rows = source.page(page * PAGE_SIZE, PAGE_SIZE)
            if fresh and page == 0 and len(rows) < PAGE_SIZE:
                count = len(rows)
        except KindrouteError as exc:
            self._failed(str(exc))
            rows, count = [], (0 if fresh else None)
        except Exception as exc:  # noqa: BLE001 - a line for the user, the details in the log
            log.exception("loading cases failed")
            self._failed(f"Casussen laden mislukt: {exc}")
            rows, count = [], (0 if fresh else None)
        self.post_message(self.PageLoaded(generation, page, rows, count, fresh))
        if not fresh or count is not None or generation != self.generation:
            return
        self._count(source, generation)

    def _count(self, source: CaseSource, generation: int) -> None:
        """Count the (re)load ``generation`` and post it (in the worker of :meth:`_fetch`)."""
        try:
            if source.count_until is not None:
                count = source.count_until(lambda: generation != self.generation)
            else:
                count = source.count()
        except Cancelled:
            return  # a newer (re)load counts its own
        except KindrouteError as exc:
            self._failed(str(exc))
            return
        except Exception as exc:  # noqa: BLE001
            log.exception("counting cases failed")
            self._failed(f"Casussen tellen mislukt: {exc}")
            return
        self.post_message(self.CountLoaded(generation, count))

    def _failed(self, text: str) -> None:
        self.app.call_from_thread(self.app.notify, text, severity="error", markup=False)

    def on_case_list_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.generation != self.generation:
            return
        if message.fresh:
            self._pages.clear()
            self.loaded = True
            # until the count is there: the rows we have, and one more page if this one is full
            self._set_count(message.count if message.count is not None else len(message.rows) + (
                PAGE_SIZE if len(message.rows) == PAGE_SIZE else 0), exact=message.count is not None)
        self._pending.discard(message.page)
        self._pages[message.page] = message.rows
        if message.fresh and self._follow is not None:
            ids = [r.id for r in message.rows]
            if self._follow in ids:
                self.cursor = message.page * PAGE_SIZE + ids.index(self._follow)
            self._follow = None
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        self._lines.clear()
        self.refresh()
        if message.fresh:
            self.post_message(self.Shown(self))
        if message.count_after:
            self.call_after_refresh(self._count_shown, message.generation, message.rows)

    def _count_shown(self, generation: int, rows: list[CaseRow]) -> None:
        """Count the rows of a first page that came without a worker (the app's kept first page),
        once they are painted: the count (hundreds of milliseconds at a million cases, in the
        database) then never holds up the painting of the rows."""
        if generation == self.generation:
            self._fetch(generation, 0, True, rows)

    def on_case_list_count_loaded(self, message: CountLoaded) -> None:
        message.stop()
        if message.generation == self.generation:
            self._set_count(message.count, exact=True)  # the drawn rows stay as they are
            self.refresh()

    def _set_count(self, count: int, *, exact: bool) -> None:
        self.count = count
        self.counted = exact
        if exact or self.virtual_size.height < count + 1:
            # (an estimate that fits the scroll range leaves it until the count: each change
            # of the virtual size lays the screen out again)
            self.virtual_size = Size(self.size.width, self.count + 1)
        if self.cursor >= self.count:
            self.cursor = max(0, self.count - 1)
        if exact:
            self.post_message(self.Counted(self, self.count))
        self.cursor = self.cursor  # announce the highlighted row

    def row_at(self, index: int) -> CaseRow | None:
        """The row at ``index`` if its page is loaded (else it is requested)."""
        if not 0 <= index < self.count:
            return None
        page = index // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            if page not in self._pending:
                self._pending.add(page)
                self._fetch(self.generation, page, False)
            return None
        self._pages.move_to_end(page)
        offset = index - page * PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    @property
    def highlighted(self) -> CaseRow | None:
        return self.row_at(self.cursor)

    def painted_rows(self) -> bool:
        """Rows of the current (re)load have been drawn (render_line made their lines)."""
        return self._painted == self.generation

    def loaded_rows(self) -> list[CaseRow]:
        """Rows currently cached, in order (for tests and small lists)."""
        return [r for _, rows in sorted(self._pages.items()) for r in rows]

    # ------------------------------------------------------------------ layout
    def columns(self, width: int) -> list[Column]:
        """Leerling, groep, school, stap, aan zet, deadline — fitted to the width.

        Below 90 columns the school goes (an IB works in one school; the case shows it);
        the deadline always has room for its overdue marker ("14 feb 2026 +26d"). On wide
        screens the name column stops at :data:`MAX_PUPIL` and the rest goes to the others.
        """
        if width >= 110:
            fixed = [("group", "Groep", 5), ("school", "School", 22), ("step", "Stap", 26),
                     ("at_turn", "Aan zet", 24), ("deadline", "Deadline", 18)]
        elif width >= 90:
            fixed = [("group", "Gr", 3), ("school", "School", 14), ("step", "Stap", 20),
                     ("at_turn", "Aan zet", 16), ("deadline", "Deadline", 17)]
        else:
            fixed = [("group", "Gr", 2), ("step", "Stap", 16), ("at_turn", "Aan zet", 13),
                     ("deadline", "Deadline", 16)]
        used = sum(w for _, _, w in fixed) + len(fixed)
        pupil = max(10, width - used - 1)
        if pupil > MAX_PUPIL:  # share the rest between school, step and who is at turn
            spare, pupil = pupil - MAX_PUPIL, MAX_PUPIL
            grow = {"school": 3, "step": 4, "at_turn": 3}
            total = sum(grow.values())
            extra = {k: spare * n // total for k, n in grow.items()}
            extra["step"] += spare - sum(extra.values())
            fixed = [(k, t, w + extra.get(k, 0)) for k, t, w in fixed]
        return [Column("pupil", "Leerling", pupil)] + [Column(k, t, w) for k, t, w in fixed]

    def _cells(self, row: CaseRow, cols: list[Column]) -> list[tuple[str, bool]]:
        today = self.source.today if self.source else None
        due = row.next_due or row.deadline  # the earliest of all the case's clocks
        deadline = nl_date(due) if due else "—"
        if row.overdue and today is not None and due is not None:
            deadline += f" +{(today - due).days}d"
        label = self.source.role_label if self.source else str
        who = row.at_turn or (f"({label(row.at_turn_role)})" if row.at_turn_role else "—")
        step = row.step_title
        # every other running track with someone at turn (e.g. jeugdhulp) beside the school step
        others = [t for _track, t in row.turns.items() if t.get("at_turn_role") and t["step"] != row.step]
        for t in others:
            step += " · " + t["step_title"]
            who += " · " + (t["at_turn"] or f"({label(t['at_turn_role'])})")
        cells = {
            "pupil": (row.pupil, False),
            "group": (str(row.group), False),
            "school": (row.school, False),
            "step": (step, False),
            "at_turn": (who, row.at_turn is None and row.at_turn_role is not None),
            "deadline": (deadline, row.overdue),
        }
        return [cells[c.key] for c in cols]

    @staticmethod
    def _line(cells: list[tuple[str, bool]], cols: list[Column], base: Style,
              warn: Style, dim: Style) -> list[Segment]:
        """One row as segments: each cell cut to its column (with "…") and padded. Drawn
        directly rather than through a Rich Text: a list repaints 40 of these per keystroke."""
        gap = Segment(" ", base)
        line = [gap]
        for (value, flag), col in zip(cells, cols, strict=True):
            style = base + (warn if col.key == "deadline" else dim) if flag else base
            line += (Segment(fit_cell(value, col.width), style), gap)
        return line

    def _look(self, width: int) -> _Look:
        """The styles and columns of a frame, worked out once per width and focus (the CSS
        lookups behind them cost more than drawing a line); forgotten when styles change."""
        key = (width, self.has_focus)
        look = self._looks
        if look is None or look.key != key:
            look = self._looks = _Look(
                key, self.rich_style, self.get_component_rich_style("case-list--header"),
                self.get_component_rich_style("case-list--dim"),
                self.get_component_rich_style("case-list--overdue", partial=True),
                self.get_component_rich_style("case-list--cursor", partial=False), self.columns(width))
        return look

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._looks = None
        self._lines.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_y = int(self.scroll_offset.y)
        index = scroll_y + y - 1
        selected = index == self.cursor
        row = self.row_at(index) if y and index < self.count else None
        key = (self.generation, index, selected, width, row is not None, self.has_focus)
        if y and index < self.count and (cached := self._lines.get(key)) is not None:
            return cached
        look = self._look(width)
        base, cols, dim = look.base, look.cols, look.dim
        if y == 0:
            header = look.header
            return self._strip(self._line([(c.title, False) for c in cols], cols, header, header, header),
                               width, header)
        if index >= self.count:
            if index == 0:
                msg = "Geen casussen die hier passen." if self.loaded else "Laden…"
                return self._strip(Text("  " + msg, style=dim, end=""), width, base)
            return Strip.blank(width, base)
        style = base + look.cursor if selected else base
        if row is None:
            strip = self._strip(Text("  …", style=dim, end=""), width, style)
        else:
            strip = self._strip(self._line(self._cells(row, cols), cols, style, look.warn, dim), width, style)
            self._painted = self.generation
        self._lines[key] = strip
        while len(self._lines) > 400:
            self._lines.popitem(last=False)
        return strip

    def _strip(self, text: Text | list[Segment], width: int, style: Style) -> Strip:
        segments = text if isinstance(text, list) else list(text.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, style).simplify() if segments else Strip(
            [Segment(" " * width, style)]
        )

    def on_resize(self) -> None:
        """The scroll range follows the size; the drawn lines are kept (their key holds the width:
        at start the screen is laid out several times at the same width before its first frame)."""
        self.virtual_size = Size(self.size.width, self.count + 1)

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()

    # ------------------------------------------------------------------ cursor
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, max(0, self.count - 1)))

    def watch_cursor(self, old: int, new: int) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + visible:
            self.scroll_to(y=new - visible + 1, animate=False)
        self.refresh()

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 2)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 2)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.count - 1

    def action_select(self) -> None:
        row = self.highlighted
        if row is not None:
            self.post_message(self.Selected(self, row))

    async def _on_click(self, event: Any) -> None:
        index = int(self.scroll_offset.y) + event.y - 1
        if 0 <= index < self.count:
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index
