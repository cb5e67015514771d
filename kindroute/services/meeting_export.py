"""The verslag of a meeting: plain text, Markdown, HTML (escaped, printable) and PDF.

Everything goes through :func:`~kindroute.services.meeting_read.meeting_view` for the person
asking, so a verslag shows only what that person may see: an item of a pupil whose parents
gave no consent for them is marked, without the pupil's name or anything said about it.
User text is data: HTML escapes it, Markdown makes it inert, and multi-line text keeps its
line breaks in every format. Files are written readable by their owner only (0600).
"""

from __future__ import annotations

import html
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kindroute.errors import InvalidInput
from kindroute.services.export import md_block, md_inline
from kindroute.services.meeting_dto import HIDDEN_TEXT, ItemView, MeetingView
from kindroute.services.meeting_read import item_counts

if TYPE_CHECKING:
    from kindroute.services.core import Services

FORMATS = ("text", "md", "html", "pdf")
STATUS = {"open": "open", "closed": "gesloten"}
#: Where a Unicode TrueType font for the PDF is looked for (KINDROUTE_PDF_FONT first).
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


def nl_date(value: date | None) -> str:
    return "—" if value is None else f"{value.day}-{value.month}-{value.year}"


def nl_moment(value: datetime) -> str:
    return f"{nl_date(value)} {value.hour:02d}:{value.minute:02d}"


def title(view: MeetingView) -> str:
    s = view.summary
    return f"Verslag {s.kind_label.lower()} {nl_date(s.held_at.date())} (bespreking {s.id})"


def header_lines(view: MeetingView) -> list[tuple[str, str]]:
    s = view.summary
    c = item_counts(view)
    counts = f"{c['total']} op de agenda: {c['discussed']} besproken, {c['not_reached']} niet aan toegekomen"
    if c["hidden"]:
        counts += f", {c['hidden']} niet zichtbaar voor {view.viewer}"
    return [
        ("Datum", nl_moment(s.held_at)),
        ("School", s.school or "—"),
        ("Voorzitter", s.chair),
        ("Status", STATUS.get(s.status, s.status)),
        ("Aanwezig", ", ".join(f"{a.name} ({a.role_label})" for a in view.attendees) or "—"),
        ("Casussen", counts),
        ("Opgemaakt", f"{nl_moment(view.made_at)} voor {view.viewer}"),
    ]


def item_title(i: ItemView) -> str:
    if i.hidden:
        return f"{i.position + 1}. Casus {i.case_id} — {HIDDEN_TEXT}"
    return f"{i.position + 1}. {i.pupil} (casus {i.case_id}) — {i.discussed_label}"


def item_parts(i: ItemView) -> list[tuple[str, list[str]]]:
    """(label, lines) of an item's content; each entry of ``lines`` may hold line breaks."""
    if i.hidden:
        return []
    parts: list[tuple[str, list[str]]] = []
    for label, text in (("Conclusie", i.conclusion), ("Visie van de ouders", i.parents_view),
                        ("Visie van de leerling", i.pupil_view), ("Notities", i.notes)):
        if text:
            parts.append((label, [text]))
    if i.agreements:
        parts.append(("Afspraken", [
            f"{g.what} — {g.who}, " + (f"vóór {nl_date(g.due_on)}" if g.due_on else "geen datum")
            + (" (gedaan)" if g.done else "")
            for g in i.agreements]))
    if i.steps:
        parts.append(("Stappen", [f"{st.from_title} → {st.to_title} ({st.by})"
                                  + (f": {st.note}" if st.note else "") for st in i.steps]))
    return parts


# ---------------------------------------------------------------------------- renderers


def render_text(view: MeetingView) -> str:
    out = [title(view), ""]
    out += [f"{label + ':':<11} {value}" for label, value in header_lines(view)]
    for i in view.items:
        out += ["", item_title(i)]
        for label, entries in item_parts(i):
            out.append(f"   {label}:")
            for entry in entries:
                lines = entry.splitlines() or [""]
                bullet = "- " if label in ("Afspraken", "Stappen") else ""
                out.append(f"     {bullet}{lines[0]}")
                out += [f"     {'  ' if bullet else ''}{line}" for line in lines[1:]]
    if view.addendum:
        out += ["", "Aanvulling:"] + [f"   {line}" for line in view.addendum.splitlines()]
    return "\n".join(out) + "\n"


def render_md(view: MeetingView) -> str:
    out = [f"# {md_inline(title(view))}", ""]
    out += [f"- **{label}:** {md_inline(value)}" for label, value in header_lines(view)]
    out.append("")
    for i in view.items:
        out += [f"## {md_inline(item_title(i))}", ""]
        for label, entries in item_parts(i):
            out.append(f"- **{label}:**")
            for entry in entries:
                if label in ("Afspraken", "Stappen"):
                    first, *rest = entry.splitlines() or [""]
                    out.append(f"  - {md_inline(first)}")
                    if rest:
                        out.append(md_block("\n".join(rest), indent="    "))
                else:
                    out.append(md_block(entry))
        out.append("")
    if view.addendum:
        out += ["## Aanvulling", "", md_block(view.addendum, indent=""), ""]
    return "\n".join(out).rstrip() + "\n"


_CSS = (
    "body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
    "dt{font-weight:bold}dd{margin:0 0 .4em 1.5em;white-space:pre-wrap}"
    ".hidden{color:#666;font-style:italic}h2{font-size:1.1em;margin-top:1.4em}"
    "@media print{body{margin:0;max-width:none;font-size:11pt}h2{page-break-after:avoid}"
    "section{page-break-inside:avoid}}"
)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render_html(view: MeetingView) -> str:
    t = title(view)
    out = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(t)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(t)}</h1>",
        "<dl>" + "".join(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in header_lines(view))
        + "</dl>",
    ]
    for i in view.items:
        cls = ' class="hidden"' if i.hidden else ""
        out.append(f"<section><h2{cls}>{_e(item_title(i))}</h2>")
        parts = item_parts(i)
        if parts:
            out.append("<dl>")
            for label, entries in parts:
                if label in ("Afspraken", "Stappen"):
                    body = "<ul>" + "".join(f'<li dir="auto">{_e(e)}</li>' for e in entries) + "</ul>"
                    out.append(f"<dt>{_e(label)}</dt><dd>{body}</dd>")
                else:
                    out.append(f'<dt>{_e(label)}</dt><dd dir="auto">{_e(entries[0])}</dd>')
            out.append("</dl>")
        out.append("</section>")
    if view.addendum:
        out.append(f'<h2>Aanvulling</h2><p style="white-space:pre-wrap">{_e(view.addendum)}</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def font_path() -> str | None:
    """A Unicode TrueType font for the PDF, or None (then the PDF uses a built-in Latin-1 font)."""
    for candidate in (os.environ.get("KINDROUTE_PDF_FONT"), *FONT_PATHS):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def render_pdf(view: MeetingView) -> bytes:
    """The verslag as a PDF (fpdf2). With a Unicode font every character shows as typed; a
    character the font lacks (an emoji) becomes '?', never an error."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title(view))
    pdf.set_creator("kindroute")
    pdf.set_auto_page_break(auto=True, margin=15)
    font = font_path()
    family = "Helvetica"
    if font:
        pdf.add_font("kr", "", font)
        bold = Path(font).with_name(Path(font).stem + "-Bold" + Path(font).suffix)
        pdf.add_font("kr", "B", str(bold) if bold.is_file() else font)
        family = "kr"
    covered = _coverage(pdf, family)

    def safe(text: str) -> str:
        return "".join(ch if ch == "\n" or covered(ch) else "?" for ch in text)

    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def para(text: str, size: float = 10, style: str = "", indent: float = 0, gap: float = 1.0) -> None:
        pdf.set_font(family, style, size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(width - indent, size * 0.5, safe(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    para(title(view), 15, "B", gap=3)
    for label, value in header_lines(view):
        para(f"{label}: {value}", 10)
    for i in view.items:
        pdf.ln(2)
        para(item_title(i), 11, "B")
        for label, entries in item_parts(i):
            para(label + ":", 10, "B", indent=4, gap=0)
            for entry in entries:
                bullet = "• " if label in ("Afspraken", "Stappen") else ""
                para(bullet + entry, 10, indent=8, gap=0.5)
    if view.addendum:
        pdf.ln(2)
        para("Aanvulling", 11, "B")
        para(view.addendum, 10, indent=4)
    return bytes(pdf.output())


def _coverage(pdf: object, family: str):  # type: ignore[no-untyped-def]
    """Whether the chosen font can draw a character."""
    if family == "Helvetica":
        def latin1(ch: str) -> bool:
            return ord(ch) < 256
        return latin1
    font = pdf.fonts[family]  # type: ignore[attr-defined]
    cmap = font.cmap if hasattr(font, "cmap") else {}

    def has(ch: str) -> bool:
        return ord(ch) in cmap or ch.isspace()
    return has


def render(view: MeetingView, fmt: str) -> str | bytes:
    if fmt not in FORMATS:
        raise InvalidInput(f"Onbekend formaat '{fmt}'; kies uit {', '.join(FORMATS)}.")
    return {"text": render_text, "md": render_md, "html": render_html, "pdf": render_pdf}[fmt](view)


def write_private(path: str | Path, content: str | bytes) -> Path:
    """Write an export readable and writable by its owner only (0600), also when it existed."""
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(data)
    finally:
        if fd >= 0:
            os.close(fd)
    return target


def export_meeting(svc: Services, actor: object, meeting_id: int, fmt: str) -> str | bytes:
    from kindroute.services.meeting_read import meeting_view

    return render(meeting_view(svc, actor, meeting_id), fmt)  # type: ignore[arg-type]
