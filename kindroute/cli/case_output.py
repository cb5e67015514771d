"""How cases are printed: the list as a table, JSON or CSV, and one case as readable Dutch text."""

from __future__ import annotations

import csv
import io
import sys
from typing import Any

import click

from kindroute.cli.common import Run, emit_json, nl_date, nl_moment, table
from kindroute.workflow.vocabulary import STATUS_LABELS, STATUS_OPEN

CSV_FIELDS = ("id", "pupil", "group", "school", "step", "step_title", "at_turn_role", "at_turn", "deadline",
              "overdue", "status")


def print_cases(run: Run, rows: list[Any], fmt: str, out: Any = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        emit_json([r.to_json() for r in rows])
        return
    svc = run.services
    if fmt == "csv":
        from kindroute.services.text import spreadsheet_safe

        other = [t for t in svc.route.tracks if t != svc.route.main_track.id]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*CSV_FIELDS, *(spreadsheet_safe(f"step_{t}") for t in other)])
        for r in rows:
            d = r.to_json()
            writer.writerow([*(spreadsheet_safe("" if d[f] is None else d[f]) for f in CSV_FIELDS),
                             *(spreadsheet_safe(r.steps.get(t, "")) for t in other)])
        return
    if not rows:
        click.echo("Geen casussen gevonden.")
        return
    body = []
    for r in rows:
        at_turn = r.at_turn or (f"({svc.role_label(r.at_turn_role)})" if r.at_turn_role else "—")
        deadline = nl_date(r.deadline) if r.deadline else "—"
        if r.overdue:
            deadline += "  TE LAAT"
        step = r.step_title if r.status == STATUS_OPEN else f"{r.step_title} ({r.status})"
        body.append([str(r.id), r.pupil, str(r.group), r.school, step, at_turn, deadline])
    click.echo(table(["Nr", "Leerling", "Groep", "School", "Stap", "Aan zet", "Deadline"], body))
    late = sum(1 for r in rows if r.overdue)
    click.echo(f"\n{len(rows)} casus(sen), waarvan {late} te laat.")



def detail_text(svc: Any, d: Any) -> str:
    """A readable Dutch overview of one case."""
    lines = [f"Casus {d.id}: {d.pupil}", ""]
    lines.append(f"  Leerling:      {d.pupil} (groep {d.group}, geboren {nl_date(d.date_of_birth)})")
    lines.append(f"  School:        {d.school}")
    status = STATUS_LABELS.get(d.status, d.status)
    lines.append(f"  Status:        {status}   (versie {d.version})")
    for t in d.tracks:
        late = "  TE LAAT" if t.overdue else ""
        who = t.at_turn or (f"nog niemand ({svc.role_label(t.at_turn_role)})" if t.at_turn_role else "—")
        lines.append(f"  {t.track_label + ':':<14} {t.step_title} [{t.step}] sinds {nl_date(t.entered_at)}")
        lines.append(f"  {'':<14} aan zet: {who}; deadline {nl_date(t.deadline)}{late}")
        for item, label, done in t.checklist:
            lines.append(f"  {'':<14}   [{'x' if done else ' '}] {label} ({item})")
    if d.zorgplicht_deadline:
        lines.append(f"  Zorgplicht:    aangemeld {nl_date(d.registered_on)}, plek bieden vóór "
                     f"{nl_date(d.zorgplicht_deadline)}")
    if d.clocks:
        nxt = "; ".join(f"{c.label} {nl_date(c.due)}" + (" (te laat)" if c.overdue else "")
                        for c in d.clocks[:2])
        lines.append(f"  Eerstvolgend:  {nxt}")
    lines += ["", "Betrokkenen:"]
    lines += [f"  {a.role_label}: {a.person}" + (f" ({a.involvement})" if a.involvement else "")
              for a in d.assignments] or ["  —"]
    lines += ["", "Toestemmingen:"]
    for c in d.consents:
        state = "geldig" if c.valid else "NIET geldig"
        extra = f", ingetrokken {nl_date(c.withdrawn_on)}" if c.withdrawn_on else ""
        extra += f", tot {nl_date(c.valid_until)}" if c.valid_until else ""
        cos = ", leerling tekende mee" if c.pupil_cosigned else ""
        lines.append(f"  #{c.id} {c.role_label}: {c.purpose} — gegeven door {c.given_by} vanaf "
                     f"{nl_date(c.valid_from)}{extra}{cos} [{state}]")
    if not d.consents:
        lines.append("  —")
    lines += ["", "Volgende stappen:"]
    for n in d.next:
        mark = "kan" if n.allowed else "geblokkeerd"
        lines.append(f"  {n.trigger}: {n.label} → {n.to_title} [{mark}]")
        lines += [f"      - {r}" for r in n.reasons]
    if not d.next:
        lines.append("  — (eindstap)")
    if d.agreements:
        lines += ["", "Afspraken:"]
        for g in d.agreements:
            who = g.who or (svc.role_label(g.who_role) if g.who_role else "—")
            done = "gedaan" if g.done else ("TE LAAT" if g.overdue else "open")
            lines.append(f"  #{g.id} {g.what} — {who}, uiterlijk {nl_date(g.due_on)} [{done}]")
    if d.documents:
        lines += ["", "Documenten en besluiten:"]
        lines += [f"  #{x.id} {x.kind}: {x.outcome}" + (f" — {x.title}" if x.title else "")
                  + "".join(f"; {k}: {v}" for k, v in x.fields.items())
                  + f" ({x.author}, {nl_date(x.at)})" for x in d.documents]
    lines += ["", "Geschiedenis:"]
    for h in d.history:
        lines.append(f"  {h.seq}. {nl_moment(h.at)}  {svc.step_title(h.from_)} → {svc.step_title(h.to)}"
                     f"  ({h.by})")
        if h.note:
            lines += [f"       {line}" for line in h.note.splitlines()]
    if not d.history:
        lines.append(f"  geopend {nl_moment(d.opened_at)}, nog geen stappen")
    from kindroute.cli.plan import plan_text

    lines += plan_text(svc, d)
    if d.notes:
        lines += ["", "Notities:"]
        for n in d.notes:
            first, *rest = n.text.splitlines() or [""]
            lines.append(f"  {nl_moment(n.at)} {n.author}: {first}")
            lines += [f"      {line}" for line in rest]  # a multi-line note keeps its lines
    return "\n".join(lines)


def export_cases_to(run: Run, fmt: str, output: str | None, actor: Any) -> int:
    from kindroute.services import CaseFilter

    rows = run.services.list_cases(actor, CaseFilter(status=None, sort="id"), purpose="export")
    if output is None:
        print_cases(run, rows, fmt)
        return len(rows)
    from kindroute.cli.private_files import write_private

    if fmt == "json":
        import json

        write_private(output, json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
    else:
        buf = io.StringIO()
        print_cases(run, rows, "csv", out=buf)
        write_private(output, buf.getvalue())
    return len(rows)
    with open(output, "w", encoding="utf-8", newline="") as fh:
        if fmt == "json":
            import json

            json.dump([r.to_json() for r in rows], fh, ensure_ascii=False, indent=2)
        else:
            buf = io.StringIO()
            print_cases(run, rows, "csv", out=buf)
            fh.write(buf.getvalue())
    return len(rows)

