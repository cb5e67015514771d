"""widgets.refill: a table filled again keeps columns that did not change, so it is never left
painted at its headers' widths (the Plus-klas screen's "wacht" for "wachtlijst 1")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from kindroute.widgets.refill import refill

COLUMNS = [("Casus", None), ("Stand", None), ("Leerling", 12)]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable(id="t")


def painted(app: App[None]) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


@asynccontextmanager
async def filled_once() -> AsyncIterator[tuple[App[None], Any, DataTable[Any]]]:
    """A table filled once through refill, painted: (app, pilot, table)."""
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(DataTable)
        refill(table, COLUMNS, [(("7", "geplaatst", "Zofia van Laarhoven"), "7")])
        await pilot.pause()
        yield app, pilot, table


async def test_refill_keeps_unchanged_columns_and_replaces_the_rows():
    async with filled_once() as (app, pilot, table):
        keys = list(table.columns)
        assert [(str(c.label), c.auto_width) for c in table.ordered_columns] == [
            ("Casus", True), ("Stand", True), ("Leerling", False)]
        for _ in range(3):  # the same again, as a reload that found nothing new
            refill(table, COLUMNS, [(("7", "geplaatst", "Zofia van Laarhoven"), "7"),
                                    (("10", "wachtlijst 1", "Mert Vermeulen"), "10")])
            await pilot.pause()
        assert list(table.columns) == keys  # the same columns, not made anew
        assert table.row_count == 2 and table.get_row("10")[1] == "wachtlijst 1"
        assert "wachtlijst 1" in painted(app)
        assert "Zofia van La" in painted(app)  # a column of fixed width keeps its width


async def test_refill_makes_the_columns_anew_when_they_differ():
    async with filled_once() as (app, pilot, table):
        refill(table, [("School", 10), ("open", None)], [(("De Regenboog", "12"), "1")])
        await pilot.pause()
        assert [(str(c.label), c.width if not c.auto_width else None) for c in table.ordered_columns] == [
            ("School", 10), ("open", None)]
        assert table.row_count == 1 and "open" in painted(app)
        refill(table, [("School", 12), ("open", None)], [])  # a width is part of a column
        assert [c.width for c in table.ordered_columns][0] == 12 and table.row_count == 0
