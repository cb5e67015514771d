"""Diagrams (Mermaid) and the readable 'wie doet wat' text of a route."""

from __future__ import annotations

import re

import pytest

from kindroute.workflow import load_route, to_mermaid, to_text

ROUTE = load_route()


@pytest.fixture(scope="module")
def mermaid() -> str:
    return to_mermaid(ROUTE)


def test_mermaid_header(mermaid: str) -> None:
    lines = mermaid.splitlines()
    assert lines[:4] == ["---", "Standaardroute passend onderwijs (2026.2)", "---", "stateDiagram-v2"]


def test_mermaid_has_every_step_with_its_title(mermaid: str) -> None:
    for step in ROUTE.steps.values():
        assert f'state "{step.title}' in mermaid and f"as {step.id}" in mermaid
    assert 'state "Signalering (leerkracht, 14 d)" as signalering' in mermaid
    assert 'state "Afgesloten" as afgesloten' in mermaid


def test_mermaid_has_every_edge_with_label_and_guards(mermaid: str) -> None:
    assert (
        "ondersteuningsteam --> consultatie_so_expert: Consultatie SO-expert aanvragen "
        "[checklist af & toestemming SO-expert]" in mermaid
    )
    assert "afgesloten --> signalering: Dossier heropenen" in mermaid
    edges = set(re.findall(r"^\s*(\w+) --> (\w+):", mermaid, flags=re.M))
    for trigger in ROUTE.triggers.values():
        if trigger.track == "school":
            for source in trigger.sources:
                assert (source, trigger.dest) in edges


def test_mermaid_jeugdhulp_is_a_composite_entered_from_the_mdo(mermaid: str) -> None:
    assert "ondersteuningsteam --> track_jeugdhulp: Toeleiden naar jeugdhulp" in mermaid
    block = mermaid.split("state track_jeugdhulp {", 1)[1]
    assert "[*] --> toeleiding_jeugdhulp" in block
    assert "toeleiding_jeugdhulp --> jeugdhulp_loopt: Jeugdhulp gestart" in block
    assert "jeugdhulp_afgerond --> [*]" in block
    assert block.rstrip().endswith("}")
    assert " - -> " not in mermaid and "-->  " not in mermaid


def test_mermaid_initial_and_final_states(mermaid: str) -> None:
    assert "[*] --> signalering" in mermaid
    assert "verwezen_sbo_so --> [*]" in mermaid and "afgesloten --> [*]" in mermaid


def test_mermaid_labels_are_safe(mermaid: str) -> None:
    for line in mermaid.splitlines()[4:]:
        if "-->" in line and ":" in line:
            label = line.split(":", 1)[1]
            assert ":" not in label and ";" not in label and '"' not in label


def test_text_lists_who_does_what() -> None:
    text = to_text(ROUTE)
    assert text.startswith("Standaardroute passend onderwijs (versie 2026.2)")
    assert "== Schoolroute ==" in text and "== Jeugdhulp ==" in text
    block = text.split("Consultatie SO-expert  [consultatie_so_expert]", 1)[1].split("\n\n")[0]
    assert "Aan zet: SO-expert" in block
    assert "Intern begeleider (A)" in block and "Ouders/verzorgers (C)" in block
    assert "Termijn: plan binnen 2 weken, advies binnen 6 weken (42 dagen)" in block
    assert "[ ] Plan van aanpak opgesteld" in block
    assert "→ Ondersteuningsteam (MDO)" in block and "voorwaarden: checklist af" in block


def test_text_shows_guards_and_the_jeugdhulp_start() -> None:
    text = to_text(ROUTE)
    mdo = text.split("Ondersteuningsteam (MDO)  [ondersteuningsteam]", 1)[1].split("\n\n")[0]
    assert "toestemming SO-expert" in mdo
    assert "→ Toeleiding jeugdhulp: Toeleiden naar jeugdhulp [start_jeugdhulp]" in mdo
    final = text.split("Afgesloten  [afgesloten]", 1)[1].split("\n\n")[0]
    assert "Eindstap" in final and "→ Signalering: Dossier heropenen" in final
    assert "optioneel spoor; start met: Toeleiden naar jeugdhulp" in text
    for step in ROUTE.steps.values():
        assert f"{step.title}  [{step.id}]" in text
