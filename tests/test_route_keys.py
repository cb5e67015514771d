"""The route keys that carry rights, turns, clocks, decisions and migrations: the second route in
tests/routes uses every one; bad values of each are reported all at once, with file, section and
field."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from kindroute.errors import RouteInvalid
from kindroute.workflow import CaseFacts, get_engine, load_route, parse_route, to_mermaid, to_text
from kindroute.workflow.model import Record

TLV_FILE = Path(__file__).parent / "routes" / "tlv_route.toml"
TLV = load_route(TLV_FILE)
Doc = dict[str, Any]


def tlv_doc() -> Doc:
    return tomllib.loads(TLV_FILE.read_text(encoding="utf-8"))


def item(doc: Doc, kind: str, ident: str) -> dict[str, Any]:
    return next(x for x in doc[kind] if x.get("id") == ident)


def problems_of(doc: Doc) -> list[str]:
    with pytest.raises(RouteInvalid) as info:
        parse_route(tomli_w.dumps(doc), "tlv.toml")
    return list(info.value.problems)


def has(problems: list[str], *parts: str) -> None:
    assert any(all(p in line for p in parts) for line in problems), (
        f"no problem with {parts!r} in:\n" + "\n".join(problems)
    )


# ----------------------------------------------------------------------------- the route as read


def test_every_new_key_is_read() -> None:
    r = TLV
    assert r.roles["ib"].sees == "school" and r.roles["ib"].assigns == ("leerkracht", "ouders")
    assert r.roles["casuscoordinator"].sees == "swv" and r.roles["casuscoordinator"].external
    assert r.roles["orthopedagoog"].sees == "assigned"
    sign = r.steps["ondertekening"]
    assert sign.turn_roles == ("ouders", "directeur") and sign.turn_all and sign.at_turn == "ouders"
    assert sign.term_from == "opened"
    assert r.steps["advisering"].turn_roles == ("orthopedagoog", "onderwijsspecialist")
    assert not r.steps["advisering"].turn_all
    assert r.steps["advisering"].term_from == "indienen"
    assert r.steps["tlc_besluit"].term_keeps and r.steps["tlc_besluit"].term_from == "advies_compleet"
    assert r.steps["uitvoering"].term_set_by == "onderwijsspecialist"
    assert r.steps["inschrijving"].final and r.steps["inschrijving"].turn_roles == ("ouders",)
    dossier, gesprek = r.steps["aanmelding"].checklist
    assert dossier.ticked_by == ("ib",) and not dossier.optional
    assert gesprek.optional and gesprek.ticked_by == ()
    assert r.triggers["advies_compleet"].automatic and not r.triggers["indienen"].automatic
    tlv = r.decisions["tlv"]
    assert tlv.outcomes == ("toegekend", "afgewezen") and tlv.recorded_by == ("tlc",)
    assert [f.id for f in tlv.fields] == ["soort", "categorie", "start", "einde"]
    soort = tlv.fields[0]
    assert soort.type == "choice" and soort.required and soort.choices == ("SBO", "SO")
    assert tlv.fields[2].type == "date" and not tlv.fields[2].required
    assert r.documents["advies"].recorded_by == ("orthopedagoog", "onderwijsspecialist")
    assert r.swv_steps() == ["advisering", "tlc_besluit", "bezwaar"]
    assert len(r.hash) == 64 and r.text.startswith("# A second route")
    assert r.migrate == {"intake": "aanmelding"}


def test_migrate_is_read() -> None:
    doc = tlv_doc()
    doc["migrate"] = [{"from": "intake", "to": "aanmelding"}, {"from": "oud_besluit", "to": "tlc_besluit"}]
    route = parse_route(tomli_w.dumps(doc), "tlv.toml")
    assert route.migrate == {"intake": "aanmelding", "oud_besluit": "tlc_besluit"}


# ----------------------------------------------------------------------------- engine


def test_joint_turn_waits_for_every_role() -> None:
    engine = get_engine(TLV)
    base = CaseFacts(steps={"tlv": "ondertekening"}, today=date(2026, 3, 2))
    assert engine.awaiting(base, "ondertekend") == ["ouders", "directeur"]
    one = CaseFacts(steps={"tlv": "ondertekening"}, today=date(2026, 3, 2),
                    confirmed=frozenset({("ondertekend", "ouders")}))
    assert engine.awaiting(one, "ondertekend") == ["directeur"]
    both = CaseFacts(steps={"tlv": "ondertekening"}, today=date(2026, 3, 2),
                     confirmed=frozenset({("ondertekend", "ouders"), ("ondertekend", "directeur")}))
    assert engine.awaiting(both, "ondertekend") == []
    # an 'any' turn never waits
    assert engine.awaiting(CaseFacts(steps={"tlv": "aanmelding"}, today=date(2026, 3, 2)), "indienen") == []


def test_automatic_step_when_its_guards_hold() -> None:
    engine = get_engine(TLV)
    at = datetime(2026, 3, 2, 10)
    people = frozenset({("orthopedagoog", 5), ("onderwijsspecialist", 6)})
    one = CaseFacts(steps={"tlv": "advisering"}, today=date(2026, 3, 2), assignees=people,
                    records=(Record("advies", "", 5, "advisering", at),))
    assert engine.automatic_step(one) is None
    two = CaseFacts(steps={"tlv": "advisering"}, today=date(2026, 3, 2), assignees=people,
                    records=(Record("advies", "", 5, "advisering", at),
                             Record("advies", "", 6, "advisering", at)))
    option = engine.automatic_step(two)
    assert option is not None and option.trigger == "advies_compleet" and option.dest == "tlc_besluit"


def test_deadline_counts_from_term_from() -> None:
    engine = get_engine(TLV)
    entered = date(2026, 3, 10)
    assert engine.deadline("aanmelding", entered) == date(2026, 3, 24)
    assert engine.deadline("ondertekening", entered, opened_on=date(2026, 3, 1)) == date(2026, 3, 29)
    fired = {"indienen": date(2026, 3, 5)}
    assert engine.deadline("advisering", entered, fired=fired) == date(2026, 3, 19)
    assert engine.deadline("advisering", entered, fired={}) == date(2026, 3, 24)
    assert engine.deadline("uitvoering", entered) is None  # set per case


def test_show_text_and_mermaid_name_turns_terms_and_rights() -> None:
    text = to_text(TLV)
    assert "Aan zet: Ouders/verzorgers én Directeur (samen: ieder bevestigt)" in text
    assert "Aan zet: Orthopedagoog of Onderwijsspecialist" in text
    assert "Eindstap; aan zet: Ouders/verzorgers" in text
    assert "vanaf 'Adviezen compleet: naar de TLC'; bij terugkeer loopt de termijn door" in text
    assert "einddatum per casus door onderwijsspecialist" in text
    assert "[advies_compleet] (automatisch)" in text
    assert "Casuscoördinator SWV  [casuscoordinator]: ziet casussen die bij het SWV liggen of lagen" in text
    assert "wijst toe: orthopedagoog, onderwijsspecialist" in text
    assert "Besluit TLV-besluit  [tlv]: toegekend / afgewezen; vastgelegd door toelaatbaarheidscommissie" \
        in text
    assert "(optioneel)" in text and "(af te vinken door intern begeleider)" in text
    mermaid = to_mermaid(TLV)
    assert 'state "Ondertekening (ouders/verzorgers + directeur, 28 d)" as ondertekening' in mermaid
    assert 'state "Inschrijving S(B)O (ouders/verzorgers)" as inschrijving' in mermaid
    # two triggers between the same steps stay two edges
    edges = [x.strip() for x in mermaid.splitlines() if x.strip().startswith("bezwaar --> afgesloten")]
    assert edges == [
        "bezwaar --> afgesloten: Bezwaar ongegrond - afsluiten [Besluit op bezwaar - ongegrond]",
        "bezwaar --> afgesloten: Bezwaar ingetrokken - afsluiten [Besluit op bezwaar - ingetrokken]",
    ]
    assert " | " not in mermaid
    assert "[2 adviezen (orthopedagoog, onderwijsspecialist) & automatisch]" in mermaid


# ----------------------------------------------------------------------------- validation


def test_bad_values_of_every_new_key_reported_at_once() -> None:
    doc = tlv_doc()
    item(doc, "roles", "ib").update(sees="iedereen", assigns=["leerkracht", "stagiair"])
    item(doc, "steps", "ondertekening").update(at_turn=["ouders", "voogd"], turn="samen")
    item(doc, "steps", "advisering").update(term_from="aanvraag")
    item(doc, "steps", "aanmelding").update(term_keeps="ja")
    item(doc, "steps", "uitvoering").update(term_set_by="specialist")
    item(doc, "steps", "aanmelding")["checklist"][1].update(optional="ja", ticked_by=["conciërge"])
    item(doc, "decisions", "tlv").update(outcomes=[], recorded_by=["commissie"], scope="altijd")
    item(doc, "decisions", "tlv")["fields"][0].update(type="keuze")
    item(doc, "decisions", "tlv")["fields"][1].pop("choices")
    item(doc, "documents", "advies").update(recorded_by=[])
    item(doc, "triggers", "ondertekend").update(automatic="ja")
    item(doc, "triggers", "tlv_afgegeven")["guards"] = {"decision": {"id": "tlv", "outcome": "ja"}}
    item(doc, "triggers", "bezwaar_ingediend")["guards"] = {"decided": "beroep"}
    item(doc, "triggers", "advies_compleet")["guards"] = {"advices": {"roles": ["psycholoog"], "count": 0}}
    doc["migrate"] = [{"from": "aanmelding", "to": "intake"}, {"van": "x"}]
    problems = problems_of(doc)
    has(problems, "tlv.toml: rol 'ib': veld 'sees'", "'iedereen'")
    has(problems, "tlv.toml: rol 'ib': veld 'assigns'", "onbekende rol 'stagiair'")
    has(problems, "tlv.toml: stap 'ondertekening': veld 'at_turn'", "onbekende rol 'voogd'")
    has(problems, "tlv.toml: stap 'ondertekening': veld 'turn'", "'samen'")
    has(problems, "tlv.toml: stap 'advisering': veld 'term_from'", "'aanvraag'", "trigger-id")
    has(problems, "tlv.toml: stap 'aanmelding': veld 'term_keeps'", "true of false")
    has(problems, "tlv.toml: stap 'uitvoering': veld 'term_set_by'", "onbekende rol 'specialist'")
    has(problems, "tlv.toml: stap 'aanmelding': veld 'checklist'", "item #2", "'optional'")
    has(problems, "tlv.toml: stap 'aanmelding': veld 'checklist'", "item #2", "onbekende rol 'conciërge'")
    has(problems, "tlv.toml: besluit 'tlv': veld 'outcomes'", "leeg")
    has(problems, "tlv.toml: besluit 'tlv': veld 'recorded_by'", "onbekende rol 'commissie'")
    has(problems, "tlv.toml: besluit 'tlv': veld 'scope'", "'altijd'")
    has(problems, "tlv.toml: besluit 'tlv': veld 'fields'", "veld #1", "onbekend type 'keuze'")
    has(problems, "tlv.toml: besluit 'tlv': veld 'fields'", "veld #2", "'choices'")
    has(problems, "tlv.toml: document 'advies': veld 'recorded_by'", "niemand")
    has(problems, "tlv.toml: trigger 'ondertekend': veld 'automatic'", "true of false")
    has(problems, "tlv.toml: trigger 'tlv_afgegeven': veld 'guards'", "geen uitkomst 'ja'")
    has(problems, "tlv.toml: trigger 'bezwaar_ingediend': veld 'guards'", "onbekend besluit 'beroep'")
    has(problems, "tlv.toml: trigger 'advies_compleet': veld 'guards'", "onbekende rol 'psycholoog'")
    has(problems, "tlv.toml: trigger 'advies_compleet': veld 'guards'", "positief geheel getal")
    has(problems, "tlv.toml: migratie #1: veld 'from'", "bestaat nog")
    has(problems, "tlv.toml: migratie #1: veld 'to'", "onbekende stap 'intake'")
    has(problems, "tlv.toml: migratie #2: veld 'van'", "onbekend veld")
    has(problems, "tlv.toml: migratie #2: veld 'from'", "verplicht veld ontbreekt")
    assert len(problems) >= 24


def test_automatic_cycle_is_rejected() -> None:
    doc = tlv_doc()
    doc["triggers"].append({
        "id": "terug_naar_advisering", "label": "Terug", "from": "tlc_besluit", "to": "advisering",
        "automatic": True,
    })
    problems = problems_of(doc)
    has(problems, "veld 'automatic'", "kring", "advisering → tlc_besluit → advisering")


def test_a_role_a_guard_needs_that_nobody_may_assign_is_rejected() -> None:
    doc = tlv_doc()
    item(doc, "roles", "casuscoordinator")["assigns"] = ["orthopedagoog"]
    problems = problems_of(doc)
    has(problems, "tlv.toml: trigger 'advies_compleet': veld 'guards'", "'onderwijsspecialist'",
        "geen rol mag die toewijzen")
    has(problems, "tlv.toml: trigger 'arrangement_in_plaats': veld 'guards'", "'onderwijsspecialist'")


def test_a_step_where_nobody_may_act_is_rejected() -> None:
    doc = tlv_doc()
    for role in doc["roles"]:
        if role["sees"] == "school":
            role["sees"] = "assigned"
    item(doc, "roles", "ib")["sees"] = "assigned"
    item(doc, "roles", "leerkracht")["assigns"] = ["ouders"]
    problems = problems_of(doc)
    has(problems, "tlv.toml: stap 'aanmelding': veld 'at_turn'", "niemand mag hier handelen")
    # the joint turn: the director must confirm, but nobody can hold that role on a case
    has(problems, "tlv.toml: stap 'ondertekening': veld 'at_turn'", "'directeur'", "bevestigen")


def test_joint_turn_needs_two_roles() -> None:
    doc = tlv_doc()
    item(doc, "steps", "bezwaar")["turn"] = "all"
    has(problems_of(doc), "tlv.toml: stap 'bezwaar': veld 'turn'", "minstens twee rollen")


def test_decision_and_document_ids_do_not_clash() -> None:
    doc = tlv_doc()
    doc["documents"].append({"id": "tlv", "label": "TLV", "recorded_by": ["tlc"]})
    has(problems_of(doc), "tlv.toml: document 'tlv': veld 'id'", "al een besluit 'tlv'")
