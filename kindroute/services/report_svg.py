"""The monitor's charts as plain, self-contained SVG (for the HTML report that is mailed).

Bars per step (now / overdue), a line per month (opened / closed) and bars of lead times.
Every text is escaped; nothing is fetched from elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from kindroute.services.report_model import Report, as_number

NOW_COLOUR = "#4e79a7"
LATE_COLOUR = "#e15759"
OPENED_COLOUR = "#4e79a7"
CLOSED_COLOUR = "#59a14f"
LEAD_COLOUR = "#f28e2b"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'font-family="sans-serif" font-size="11">'
            f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def hbars(title: str, labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[int], Sequence[str]]],
          width: int = 640) -> str:
    """Horizontal grouped bars: one row per label, one bar per series (name, colour, values, texts)."""
    label_w, row_h, bar_h, top = 190, 8 + 12 * len(series), 11, 28
    height = top + row_h * len(labels) + 10
    peak = max([max(values, default=0) for _n, _c, values, _t in series] + [1])
    scale = (width - label_w - 60) / peak
    body = [f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>']
    x = label_w
    for i, (name, colour, _v, _t) in enumerate(series):  # legend
        body.append(f'<rect x="{x + i * 110}" y="6" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{x + i * 110 + 14}" y="15">{escape(name)}</text>')
    for r, label in enumerate(labels):
        y = top + r * row_h
        body.append(f'<text x="{label_w - 6}" y="{y + bar_h}" text-anchor="end">{escape(label)}</text>')
        for i, (_name, colour, values, texts) in enumerate(series):
            w = values[r] * scale
            by = y + i * 12
            body.append(f'<rect x="{label_w}" y="{by}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>'
                        f'<text x="{label_w + w + 4:.1f}" y="{by + 9}">{escape(texts[r])}</text>')
    return _svg(width, height, body, title)


def lines(title: str, labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[int]]],
          width: int = 640, height: int = 220) -> str:
    """A line per series over the labels (months)."""
    left, right, top, bottom = 40, 10, 28, 30
    peak = max([max(v, default=0) for _n, _c, v in series] + [1])
    n = max(len(labels), 2)
    step = (width - left - right) / (n - 1)

    def y_of(v: int) -> float:
        return top + (height - top - bottom) * (1 - v / peak)

    body = [f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>',
            f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
            'stroke="#999"/>',
            f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak}</text>',
            f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>']
    for i, label in enumerate(labels):
        if len(labels) <= 12 or i % 2 == 0:
            body.append(f'<text x="{left + i * step:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                        f'font-size="9">{escape(label)}</text>')
    for k, (name, colour, values) in enumerate(series):
        points = " ".join(f"{left + i * step:.1f},{y_of(v):.1f}" for i, v in enumerate(values))
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        body.append(f'<rect x="{left + 120 + k * 110}" y="6" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{left + 134 + k * 110}" y="15">{escape(name)}</text>')
    return _svg(width, height, body, title)


def _text(value: object) -> str:
    return "—" if value is None else str(value)


def step_chart(report: Report) -> str:
    steps = report.steps
    return hbars("Casussen per stap: nu en te laat", [s.title for s in steps], [
        ("nu", NOW_COLOUR, [as_number(s.now) for s in steps], [_text(s.now) for s in steps]),
        ("te laat", LATE_COLOUR, [as_number(s.overdue) for s in steps], [_text(s.overdue) for s in steps]),
    ])


def month_chart(report: Report) -> str:
    months = report.months
    return lines("Doorstroom per maand", [m.month for m in months], [
        ("geopend", OPENED_COLOUR, [as_number(m.opened) for m in months]),
        ("afgesloten", CLOSED_COLOUR, [as_number(m.closed) for m in months]),
    ])


def lead_chart(report: Report) -> str:
    leads = report.lead_times
    return hbars("Doorlooptijd in dagen (mediaan)", [lt.title for lt in leads], [
        ("mediaan", LEAD_COLOUR, [lt.median_days or 0 for lt in leads],
         [f"{_text(lt.median_days)} d (p90 {_text(lt.p90_days)}, n={lt.n})" for lt in leads]),
    ])
