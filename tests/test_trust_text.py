"""Text from users is data: stored and shown literally; control characters, overlong text
and impossible dates are refused with a clear message — in every service that takes text."""

from __future__ import annotations

import pytest
from test_trust_support import Clock, actor, open_case, run_cli, sqlite_services

from kindroute.errors import InvalidInput
from kindroute.services.retention import set_pupil_left
from kindroute.store.models import NAME_MAX, TEXT_MAX

LITERAL = [
    "[bold red]niet vet[/] <b>geen html</b> {{ x }} $(rm -rf /) `code`",
    "Zoë 🌈👩‍👧‍👦 Çelik-Öztürk",
    "مريم العلي",                 # right-to-left
    "שָׁלוֹם עֲלֵיכֶם",            # with combining marks
    "x" * NAME_MAX,
]
ESCAPES = ["\x1b[31mrood\x1b[0m", "bel\x07", "nul\x00byte", "c1\x9bcontrol", "\x1b]0;titel\x07"]


@pytest.fixture
def svc(tmp_path):
    s = sqlite_services(tmp_path / "kr.sqlite", Clock())
    yield s
    s.db.dispose()


def text_entry_points(svc, cid: int, consent_id: int):  # type: ignore[no-untyped-def]
    """Every service that stores free text or a name, as (label, call(value))."""
    ib = actor(svc)
    return [
        ("note", lambda v: svc.add_note(ib, cid, v)),
        ("agreement", lambda v: svc.add_agreement(ib, cid, v)),
        ("consent purpose", lambda v: svc.record_consent(ib, cid, role="ggd", purpose=v, given_by="Moeder")),
        ("consent given_by", lambda v: svc.record_consent(ib, cid, role="ggd", purpose="Doel", given_by=v)),
        ("consent organisation", lambda v: svc.record_consent(ib, cid, role="ggd", purpose="Doel",
                                                               given_by="Moeder", organisation=v)),
        ("document title", lambda v: svc.record_document(ib, cid, "opp", outcome="concept", title=v)),
        ("expert name", lambda v: svc.record_document(ib, cid, "deskundigenadvies", outcome=v)),
        ("person name", lambda v: svc.add_person(v, ["smw"], organisation="SMW")),
        ("person organisation", lambda v: svc.add_person("Nieuw Iemand", ["smw"], organisation=v)),
        ("school name", lambda v: svc.add_school(v)),
        ("pupil name", lambda v: svc.open_case(ib, pupil=v, school="12AB", group=3, born="2019-05-05")),
        ("withdraw reason", lambda v: svc.withdraw_consent(ib, cid, consent_id, reason=v)),
    ]


@pytest.mark.parametrize("bad", ESCAPES)
def test_control_characters_are_refused_everywhere(svc, bad):
    cid = open_case(svc)
    consent = svc.record_consent(actor(svc), cid, role="so_expert", purpose="Advies", given_by="Vader")
    before = svc.case_detail(None, cid)
    for label, call in text_entry_points(svc, cid, consent.id):
        with pytest.raises(InvalidInput, match="stuurtekens"):
            call(bad)
            pytest.fail(f"{label} accepted {bad!r}")
    after = svc.case_detail(None, cid)
    assert after.version == before.version and after.notes == before.notes
    assert all(c.withdrawn_on is None for c in after.consents)


def test_literal_text_round_trips_exactly(svc):
    ib = actor(svc)
    for value in LITERAL:
        cid = open_case(svc, value[:NAME_MAX], note=value)
        svc.add_note(ib, cid, value + "\nmet tweede regel\tmet tab")
        svc.add_agreement(ib, cid, value)
        d = svc.case_detail(None, cid)
        assert d.pupil == value[:NAME_MAX]
        assert [n.text for n in d.notes] == [value, value + "\nmet tweede regel\tmet tab"]
        assert d.agreements[0].what == value


def test_length_limits_are_clear(svc):
    ib = actor(svc)
    cid = open_case(svc)
    with pytest.raises(InvalidInput, match=f"te lang \\({NAME_MAX + 1} tekens, maximaal {NAME_MAX}\\)"):
        svc.add_person("a" * (NAME_MAX + 1), ["smw"])
    with pytest.raises(InvalidInput, match=f"maximaal {TEXT_MAX}"):
        svc.add_note(ib, cid, "a" * (TEXT_MAX + 1))
    svc.add_note(ib, cid, "a" * TEXT_MAX)  # the limit itself is fine
    with pytest.raises(InvalidInput, match="leeg"):
        svc.add_note(ib, cid, "   \n ")


def test_dates_are_validated_clearly(svc):
    ib = actor(svc)
    with pytest.raises(InvalidInput, match="'2019-02-30' is geen geldige datum"):
        svc.open_case(ib, pupil="Bo Bos", school="12AB", group=3, born="2019-02-30")
    with pytest.raises(InvalidInput, match="in de toekomst"):
        svc.open_case(ib, pupil="Bo Bos", school="12AB", group=3, born="2031-01-01")
    cid = open_case(svc)
    with pytest.raises(InvalidInput, match="vóór de begindatum"):
        svc.record_consent(ib, cid, role="ggd", purpose="x", given_by="Moeder", valid_from="2026-05-01",
                           valid_until="2026-04-01")
    pupil = svc.case_detail(None, cid).pupil_id
    with pytest.raises(InvalidInput, match="geen geldige datum"):
        set_pupil_left(svc, ib, pupil, "gisteren")


def test_cli_refuses_escape_codes_and_bad_dates(svc):
    db = str(svc.db.path)
    cid = open_case(svc)
    svc.db.dispose()
    r = run_cli("user", "add", "Boze\x1b[2JNaam", "--role", "smw", "--organisation", "X", "--db", db)
    assert r.returncode == InvalidInput.exit_code
    assert "stuurtekens" in r.stderr and "\x1b" not in r.stderr + r.stdout
    r = run_cli("case", "left", str(cid), "--on", "31-02-2026", "--db", db, "--as", "Ingrid Bakker")
    assert r.returncode == InvalidInput.exit_code and "geen geldige datum" in r.stderr
    r = run_cli("user", "add", "مريم العلي 🌈", "--role", "smw", "--organisation", "<b>SMW</b>", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "مريم العلي 🌈" in r.stdout
