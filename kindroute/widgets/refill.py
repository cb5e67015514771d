"""Filling a DataTable again without leaving it painted at its headers' widths.

Textual measures a table's new cells when it is idle and then sets its virtual size. Cleared
with its columns and filled again with the same columns and rows (a reload that found nothing
new), the table gets the same virtual size as before, and nothing repaints the rows it painted
in between at the bare headers' widths: "wachtlijst 1" stays "wacht". A table whose columns are
unchanged therefore keeps them and has only its rows replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual.widgets import DataTable

#: A column: its label, and its width (None: as wide as its widest cell).
ColumnSpec = tuple[str, int | None]


def fitted(*labels: str) -> list[ColumnSpec]:
    """Columns each as wide as its widest cell."""
    return [(label, None) for label in labels]


def refill(table: DataTable[Any], columns: Sequence[ColumnSpec],
           rows: Iterable[tuple[Sequence[Any], str | None]]) -> None:
    """Replace ``table``'s rows by ``rows`` (cells, key), under ``columns``; the columns are
    made anew only when they differ from those it has."""
    have = [(str(c.label), None if c.auto_width else c.width) for c in table.ordered_columns]
    if have == [(label, width) for label, width in columns]:
        table.clear()
    else:
        table.clear(columns=True)
        for label, width in columns:
            table.add_column(label, width=width)
    for cells, key in rows:
        table.add_row(*cells, key=key)
