"""Small helpers to show dates, people and steps as plain Rich Text (never markup)."""

from __future__ import annotations

from datetime import date, datetime

from rich.cells import cell_len, set_cell_size
from rich.text import Text

MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def nl_date(day: date | None) -> str:
    """'3 mrt 2026'; an em dash for no date."""
    if day is None:
        return "—"
    if isinstance(day, datetime):
        day = day.date()
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def nl_datetime(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return f"{nl_date(moment.date())} {moment:%H:%M}"


def deadline_text(day: date | None, overdue: bool, today: date | None = None) -> Text:
    """The deadline, in the warning style when it has passed."""
    if day is None:
        return Text("—", style="dim")
    label = nl_date(day)
    if overdue:
        if today is not None:
            label += f" (+{(today - day).days}d)"
        return Text(label, style="bold red")
    return Text(label)


def plain(value: object) -> Text:
    """User text as a Text: shown literally, whatever brackets or emoji it holds."""
    return Text("" if value is None else str(value))


def labelled(label: str, value: object, value_style: str = "") -> Text:
    """'Label: value' with the label dimmed and the value literal."""
    text = Text(f"{label}: ", style="dim")
    text.append("" if value is None else str(value), style=value_style)
    return text


def fit_cell(value: str, width: int) -> str:
    """``value`` in exactly ``width`` cells: padded, or cut with an ellipsis (as Rich's
    ``truncate(overflow="ellipsis", pad=True)``); line breaks and tabs become spaces."""
    if "\n" in value or "\t" in value or "\r" in value:
        value = value.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    if cell_len(value) > width:
        return set_cell_size(value, width - 1) + "…" if width > 0 else ""
    return set_cell_size(value, width)
