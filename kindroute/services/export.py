"""The complete file of one case, for the parents' right of access (AVG art. 15).

Pupil, every step with date and author, notes, agreements, consents (with withdrawals),
every assignment including ended ones, documents. It goes through ``case_detail``, so
the same rules decide who may export what, and an outside role's export is logged.

User text is data: HTML escapes everything; Markdown escapes the characters that
would make text into structure and keeps every line of a note inside its quote.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from kindroute.errors import InvalidInput
from kindroute.services.core import Services
from kindroute.services.dto import Actor, CaseDetail
from kindroute.services.export_plan import Section, plan_sections
from kindroute.store.models import Assignment, Case, ConsentRecord, Person, Pupil
from kindroute.store.uow import UnitOfWork
from kindroute.workflow.vocabulary import STATUS_LABELS

FORMATS = ("md", "html")


@dataclass(frozen=True)
class AssignmentPeriod:
    role: str
    person: str
    started_at: datetime
    ended_at: datetime | None
    assigned_by: str | None


@dataclass(frozen=True)
class CaseFile:
    detail: CaseDetail
    left_school_on: date | None
    assignments: tuple[AssignmentPeriod, ...]
    withdrawals: dict[int, tuple[str | None, str | None]]  # consent id -> (by, reason)
    exported_at: datetime
    exported_by: str
    #: goals, OPP versions, periods, checklist ticks, reads (``services.export_plan``)
    plan: tuple[Section, ...] = ()


def collect(svc: Services, actor: Actor | None, case_id: int) -> CaseFile:
    """Everything about the case that ``actor`` may see (access checked and logged)."""
    detail = svc.case_detail(actor, case_id)
    with UnitOfWork(svc.db, write=False) as uow:
        s = uow.session
        names: dict[int, str] = {}

        def name(pid: int | None) -> str | None:
            if pid is None:
                return None
            if pid not in names:
                p = s.get(Person, pid)
                names[pid] = p.name if p else "?"
            return names[pid]

        periods = tuple(
            AssignmentPeriod(svc.role_label(a.role), name(a.person_id) or "?", a.started_at, a.ended_at,
                             name(a.assigned_by_id))
            for a in s.scalars(select(Assignment).where(Assignment.case_id == case_id)
                               .order_by(Assignment.started_at, Assignment.id))
        )
        withdrawals = {
            c.id: (name(c.withdrawn_by_id), c.withdrawn_reason)
            for c in s.scalars(select(ConsentRecord).where(ConsentRecord.case_id == case_id))
            if c.withdrawn_on is not None
        }
        pupil = s.get(Pupil, detail.pupil_id)
        left = pupil.left_school_on if pupil else None
        case = s.get(Case, case_id)
        plan = tuple(plan_sections(s, case, svc.route, svc.today())) if case is not None else ()
    return CaseFile(detail, left, periods, withdrawals, svc.now(),
                    actor.name if actor else "beheerder van het bestand", plan)


def export_case(svc: Services, actor: Actor | None, case_id: int, fmt: str = "md") -> str:
    if fmt not in FORMATS:
        raise InvalidInput(f"Onbekend formaat '{fmt}'; kies uit {', '.join(FORMATS)}.")
    cf = collect(svc, actor, case_id)
    return render_html(svc, cf) if fmt == "html" else render_md(svc, cf)


# ---------------------------------------------------------------------- rendering helpers


def _kind_label(svc: Services, kind: str) -> str:
    """A decision's or document's label from the route (the stored id when the route lacks it)."""
    spec = svc.route.recordable(kind)
    return spec.label if spec else kind


def _when(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+\-=>])|(\d+)([.)]))")


def md_inline(value: str | None) -> str:
    """One line of user text, inert in Markdown: specials escaped, line breaks made spaces."""
    if not value:
        return ""
    flat = " ".join(value.splitlines())
    return _MD_LINE_START.sub(_escape_line_start, _MD_INLINE.sub(r"\\\1", flat))


def _escape_line_start(m: re.Match[str]) -> str:
    if m.group(2):
        return m.group(1) + "\\" + m.group(2)
    return m.group(1) + m.group(3) + "\\" + m.group(4)


def md_block(value: str | None, indent: str = "  ") -> str:
    """Multi-line user text as a quote under a list item; each line escaped and quoted."""
    if not value:
        return ""
    lines = value.splitlines() or [""]
    return "\n".join(f"{indent}> {md_inline(line)}".rstrip() for line in lines)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _sections(svc: Services, cf: CaseFile) -> list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]]:
    """The file as (section title, [(item heading, [(label, value)])]) — plain strings, unescaped."""
    d = cf.detail
    pupil = [("", [
        ("Naam", d.pupil), ("Geboortedatum", _when(d.date_of_birth)), ("Groep", str(d.group)),
        ("School", d.school), ("Van school vertrokken", _when(cf.left_school_on)),
    ])]
    case = [("", [
        ("Casusnummer", str(d.id)), ("Status", STATUS_LABELS.get(d.status, d.status)),
        ("Geopend", _when(d.opened_at)),
        ("Huidige stap", ", ".join(f"{t.track_label}: {t.step_title}" for t in d.tracks)),
        ("Aan zet", f"{svc.role_label(d.at_turn_role)} {d.at_turn or ''}".strip() or "—"),
        ("Termijn", _when(d.deadline)),
        ("Datum aanmelding", _when(d.registered_on)),
    ])]
    steps = [
        (f"{h.seq}. {_when(h.at)} — {svc.step_title(h.from_)} → {svc.step_title(h.to)}",
         [("Door", h.by), ("Spoor", svc.route.tracks[h.track].label if h.track in svc.route.tracks
                                   else h.track), ("Toelichting", h.note)])
        for h in d.history
    ]
    notes = [(f"{_when(n.at)} — {n.author}", [("Stap", svc.step_title(n.step) if n.step else ""),
                                               ("Tekst", n.text)]) for n in d.notes]
    agreements = [
        (f"Afspraak {g.id}", [
            ("Wat", g.what), ("Wie", g.who or svc.role_label(g.who_role) or "—"),
            ("Uiterlijk", _when(g.due_on)),
            ("Gedaan", _when(g.done_at) if g.done else "nee"),
            ("Vastgelegd", f"{_when(g.created_at)} door {g.created_by}"),
        ])
        for g in d.agreements
    ]
    consents = []
    for c in d.consents:
        fields = [
            ("Voor", f"{c.role_label}{' (' + c.organisation + ')' if c.organisation else ''}"),
            ("Doel", c.purpose), ("Gegeven door", c.given_by),
            ("Leerling tekende mee", "ja" if c.pupil_cosigned else "nee"),
            ("Geldig", f"{_when(c.valid_from)} tot {_when(c.valid_until)}"),
            ("Vastgelegd", f"{_when(c.recorded_at)} door {c.recorded_by}"),
        ]
        if c.withdrawn_on is not None:
            by, reason = cf.withdrawals.get(c.id, (None, None))
            fields.append(("Ingetrokken", f"{_when(c.withdrawn_on)} door {by or '?'}"))
            fields.append(("Reden intrekking", reason or ""))
        fields.append(("Nu geldig", "ja" if c.valid else "nee"))
        consents.append((f"Toestemming {c.id}", fields))
    assignments = [
        (f"{a.role}: {a.person}", [
            ("Van", _when(a.started_at)), ("Tot", _when(a.ended_at) if a.ended_at else "heden"),
            ("Toegewezen door", a.assigned_by or "—"),
        ])
        for a in cf.assignments
    ]
    documents = [
        (f"{_kind_label(svc, doc.kind)} — {_when(doc.at)}", [
            ("Uitkomst", doc.outcome), ("Titel", doc.title),
            ("Stap", svc.step_title(doc.step) if doc.step else ""), ("Door", doc.author),
        ])
        for doc in d.documents
    ]
    return [
        ("Leerling", pupil), ("Casus", case), ("Stappen", steps), ("Notities", notes),
        ("Afspraken", agreements), ("Toestemmingen", consents), ("Betrokkenen (ook beëindigd)", assignments),
        ("Documenten en besluiten", documents), *cf.plan,
    ]


_MULTILINE = {"Tekst", "Toelichting", "Wat", "Doel", "Reden intrekking", "Titel", "Aanpak",
              "Uitstroomprofiel", "Onderbouwing", "Stimulerende factoren", "Belemmerende factoren",
              "Ondersteuning"}


def render_md(svc: Services, cf: CaseFile) -> str:
    d = cf.detail
    out = [f"# Dossier casus {d.id} — {md_inline(d.pupil)}", "",
           f"Inzage volgens AVG art. 15. Opgemaakt {_when(cf.exported_at)} door {md_inline(cf.exported_by)}.",
           ""]
    for title, items in _sections(svc, cf):
        out += [f"## {title}", ""]
        if not items:
            out += ["_(geen)_", ""]
            continue
        for heading, fields in items:
            if heading:
                out += [f"### {md_inline(heading)}", ""]
            for label, value in fields:
                if label in _MULTILINE and value and "\n" in value:
                    out.append(f"- {label}:")
                    out.append(md_block(value))
                else:
                    out.append(f"- {label}: {md_inline(value) if value else '—'}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


_CSS = (
    "body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
    "dt{font-weight:bold}dd{margin:0 0 .4em 1.5em;white-space:pre-wrap}"
)


def render_html(svc: Services, cf: CaseFile) -> str:
    d = cf.detail
    title = f"Dossier casus {d.id} — {d.pupil}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>Inzage volgens AVG art. 15. Opgemaakt {_e(_when(cf.exported_at))} "
        f"door {_e(cf.exported_by)}.</p>",
    ]
    for section, items in _sections(svc, cf):
        out.append(f"<h2>{_e(section)}</h2>")
        if not items:
            out.append("<p><em>(geen)</em></p>")
            continue
        for heading, fields in items:
            if heading:
                out.append(f"<h3>{_e(heading)}</h3>")
            out.append("<dl>")
            for label, value in fields:
                out.append(f"<dt>{_e(label)}</dt><dd dir=\"auto\">{_e(value) if value else '—'}</dd>")
            out.append("</dl>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
