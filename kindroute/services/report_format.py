"""The monitor as text: a terminal table, CSV, Markdown, or HTML with its charts as inline SVG.

Every format shows the same :class:`~kindroute.services.report.Report`; user text (school and
location names) is escaped for HTML and Markdown.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from typing import Any

from kindroute.services.export import md_inline
from kindroute.services.report_model import Report

FORMATS = ("table", "json", "csv", "md", "html")


def _v(value: Any) -> str:
    return "—" if value is None else str(value)


def _nl(d: Any) -> str:
    return f"{d.day}-{d.month}-{d.year}"


def sections(report: Report) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, headers, rows) of every part of the report, in Dutch."""
    side = side_tracks(report)
    return [
        ("Per stap", ["stap", "nu", "te laat", "in", "uit", "mediaan d", "p90 d"],
         [[s.title, _v(s.now), _v(s.overdue), _v(s.entered), _v(s.left), _v(s.median_days), _v(s.p90_days)]
          for s in report.steps]),
        ("Per school", ["school", "open", "te laat"]
         + [f"{report.track_labels.get(t, t)} open" for t in side],
         [[s.school, _v(s.open), _v(s.overdue)] + [_v(s.tracks.get(t, (0, 0))[0]) for t in side]
          for s in report.schools]),
        ("Per maand", ["maand", "geopend", "afgesloten", "verwezen S(B)O", "op eigen school"],
         [[m.month, _v(m.opened), _v(m.closed), _v(m.referred), _v(m.stayed)] for m in report.months]),
        ("Doorlooptijd", ["van → naar", "mediaan d", "p90 d", "aantal"],
         [[lt.title, _v(lt.median_days), _v(lt.p90_days), _v(lt.n)] for lt in report.lead_times]),
        ("Plus-klas", ["locatie", "plaatsen", "bezet", "vrij", "wachtlijst", "wachttijd d (mediaan)"],
         [[p.location, _v(p.places), _v(p.occupied), _v(p.free), _v(p.waiting), _v(p.median_wait_days)]
          for p in report.plusklas]),
    ]


def side_tracks(report: Report) -> list[str]:
    """The tracks beside the main one (its open cases are the school's "open")."""
    main = next(iter(report.track_labels), None)
    seen: list[str] = []
    for s in report.schools:
        for t in s.tracks:
            if t != main and t not in seen:
                seen.append(t)
    return seen


def heading(report: Report) -> str:
    text = f"Monitor {_nl(report.period_from)} t/m {_nl(report.period_to)}"
    if report.school:
        text += f" · {report.school}"
    return text


def footnote(report: Report) -> str:
    note = "Dagen: mediaan en 90e percentiel van de afgeronde verblijven in de periode."
    if report.small_hidden:
        note += " Aantallen onder de 5 staan als <5, zodat geen kind herkenbaar is."
    return note


def _plain_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, c in enumerate(cells):
            out.append(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]))
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def render_table(report: Report) -> str:
    parts = [heading(report)]
    for title, headers, rows in sections(report):
        if not rows:
            continue
        parts.append(f"\n{title}\n" + _plain_table(headers, rows))
    parts.append("\n" + footnote(report))
    return "\n".join(parts)


def render_csv(report: Report) -> str:
    """One row per figure: section, name, measure, value (a shape every spreadsheet reads)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "name", "measure", "value"])
    data = report.to_json()
    w.writerow(["period", "", "from", data["period"]["from"]])
    w.writerow(["period", "", "to", data["period"]["to"]])
    keys = {"steps": "step", "schools": "school", "months": "month", "lead_times": "to",
            "plusklas": "location"}
    for section, key in keys.items():
        for item in data[section]:
            for measure, value in item.items():
                if measure != key:
                    w.writerow([section, item[key], measure, "" if value is None else value])
    return buf.getvalue()


def render_md(report: Report) -> str:
    out = [f"# {md_inline(heading(report))}", ""]
    for title, headers, rows in sections(report):
        if not rows:
            continue
        out += [f"## {title}", "", "| " + " | ".join(headers) + " |",
                "|" + "|".join("---" for _ in headers) + "|"]
        out += ["| " + " | ".join(md_inline(c).replace("|", "\\|") for c in r) + " |" for r in rows]
        out.append("")
    out.append(md_inline(footnote(report)))
    return "\n".join(out) + "\n"


def render_html(report: Report) -> str:
    from kindroute.services.report_svg import lead_chart, month_chart, step_chart

    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        f"<title>{e(heading(report))}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:2px 6px}"
        "td+td{text-align:right}figure{margin:1em 0}</style>",
        "</head><body>",
        f"<h1>{e(heading(report))}</h1>",
        f"<figure>{step_chart(report)}</figure>",
        f"<figure>{month_chart(report)}</figure>",
        f"<figure>{lead_chart(report)}</figure>",
    ]
    for title, headers, rows in sections(report):
        if not rows:
            continue
        out.append(f"<h2>{e(title)}</h2><table><thead><tr>"
                   + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr></thead><tbody>")
        out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
        out.append("</tbody></table>")
    out.append(f"<p><small>{e(footnote(report))}</small></p></body></html>")
    return "\n".join(out) + "\n"


def render(report: Report, fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=2)
    return {"table": render_table, "csv": render_csv, "md": render_md, "html": render_html}[fmt](report)
