"""Export of the complete case file (AVG art. 15): everything, escaped, and only for who may see it."""

from __future__ import annotations

import re
import stat
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from test_trust_support import Clock, actor, open_case, run_cli, sqlite_services, walk

from kindroute.errors import AccessDenied, InvalidInput
from kindroute.services.export import export_case, md_inline
from kindroute.store.models import AccessLog

EVIL = '<script>alert("x")</script> & <b>vet</b> [klik](javascript:x) # kop | a | b |'
RTL = "مريم العلي"
EMOJI = "Zoë 🌈👩‍👧"


@pytest.fixture
def svc(tmp_path):
    s = sqlite_services(tmp_path / "kr.sqlite", Clock())
    yield s
    s.db.dispose()


@pytest.fixture
def case(svc):
    ib = actor(svc)
    cid = open_case(svc, f"{RTL} {EMOJI}", note="Eerste zorg:\n# geen kop\n> geen citaat\n- geen lijst")
    svc.add_note(ib, cid, EVIL)
    svc.add_agreement(ib, cid, "Gesprek *plannen* met <ouders>", who_role="leerkracht", due_on="2026-12-01")
    svc.assign_role(ib, cid, "so_expert", "Sara Smit")
    svc.assign_role(ib, cid, "leerkracht", "Lotte Jansen")  # ends Tom's assignment
    c = svc.record_consent(ib, cid, role="so_expert", purpose="Observatie & advies", given_by="Moeder <m>")
    svc.record_consent(ib, cid, role="ggd", purpose="Gezondheid", given_by="Vader")
    svc.withdraw_consent(ib, cid, c.id + 1, reason="Ouders trekken in")
    svc.record_document(actor(svc, "Sara Smit"), cid, "deskundigenadvies", outcome="Dr. Jansen",
                        title="Advies </dd><h1>x")
    walk(svc, cid, "naar_aanpak_groep")
    return cid, c.id


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def test_html_contains_everything_and_escapes_all_user_text(svc, case):
    cid, consent_id = case
    out = export_case(svc, actor(svc), cid, "html")
    parser = _Collector()
    parser.feed(out)
    # no tag came from user text: only the document's own structure
    assert set(parser.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "em",
                                "dl", "dt", "dd"}
    text = "".join(parser.text)
    for expected in (EVIL, RTL, EMOJI, "Gesprek *plannen* met <ouders>", "Observatie & advies", "Moeder <m>",
                     "Ouders trekken in", "Advies </dd><h1>x", "Dr. Jansen", "Eerste zorg:", "Tom de Wit",
                     "Lotte Jansen", "Sara Smit", "Signalering → Aanpak in de groep", "Ingrid Bakker"):
        assert expected in text, expected
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_md_contains_everything_and_user_text_cannot_make_structure(svc, case):
    cid, _ = case
    out = export_case(svc, actor(svc), cid, "md")
    headings = [line for line in out.splitlines() if line.startswith("#")]
    assert all(re.match(r"#{1,3} ", h) for h in headings)
    assert not any("geen kop" in h or "kop | a" in h for h in headings)
    assert "<script>" not in out and "\\<script\\>" in out
    assert "\\[klik\\](javascript:x)" in out  # no link without its brackets
    assert "  > \\# geen kop" in out and "  > \\> geen citaat" in out  # note lines stay inside the quote
    for section in ("## Leerling", "## Stappen", "## Notities", "## Afspraken", "## Toestemmingen",
                    "## Betrokkenen (ook beëindigd)", "## Documenten en besluiten"):
        assert section in out
    # assignment history includes the ended one, with its end
    tom = out[out.index("### Leerkracht: Tom de Wit"):]
    assert "- Tot: 2026" in tom.split("###")[1]
    assert RTL in out and EMOJI in out
    assert "Ingetrokken" in out


def test_md_inline_escapes_structure():
    assert md_inline("# a\n- b") == "\\# a - b"
    assert md_inline("1. punt") == "1\\. punt"
    assert md_inline("2017-03-01") == "2017-03-01"
    assert md_inline("<i>") == "\\<i\\>"


def test_export_respects_who_may_see(svc, case):
    cid, _ = case
    with pytest.raises(AccessDenied):
        export_case(svc, actor(svc, "Tom de Wit"), cid, "md")      # no longer the teacher
    with pytest.raises(AccessDenied):
        export_case(svc, actor(svc, "Anna Anker"), cid, "html")    # another school
    # so_expert assigned with valid consent may, and the read is logged
    sara = actor(svc, "Sara Smit")
    assert "Dossier casus" in export_case(svc, sara, cid, "md")
    with svc.db.sessions() as s:
        assert s.scalars(select(AccessLog.person_id)).all() == [sara.id]
    with pytest.raises(InvalidInput):
        export_case(svc, actor(svc), cid, "pdf")


def test_export_cli_writes_a_private_file(svc, case, tmp_path):
    cid, _ = case
    db = str(svc.db.path)
    out = tmp_path / "dossier.html"
    r = run_cli("export", "case", str(cid), "--format", "html", "--out", str(out), "--db", db,
                "--as", "Ingrid Bakker")
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "&lt;script&gt;" in out.read_text(encoding="utf-8")
    again = run_cli("export", "case", str(cid), "--out", str(out), "--db", db, "--as", "Ingrid Bakker")
    assert again.returncode == InvalidInput.exit_code
    refused = run_cli("export", "case", str(cid), "--db", db, "--as", "Anna Anker")
    assert refused.returncode == AccessDenied.exit_code and "geen toegang" in refused.stderr
    md = run_cli("export", "case", str(cid), "--db", db, "--as", "Sara Smit")
    assert md.returncode == 0 and RTL in md.stdout
