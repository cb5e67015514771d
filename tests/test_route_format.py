"""The route file format and the default route shipped with kindroute."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kindroute.errors import RouteInvalid
from kindroute.workflow import (
    NOT_STARTED,
    check_route_file,
    default_route_path,
    load_route,
    parse_route,
)
from kindroute.workflow.guards import GUARDS

ROOT = Path(__file__).resolve().parent.parent

EXTERNAL = {"so_expert", "plusklas", "jeugdhulp", "smw", "ggd", "swv", "deskundige"}
ALL_ROLES = {"leerkracht", "ib", "ouders", "leerling", "directeur"} | EXTERNAL

# step -> (at turn, term_days) as in the domain's table (upper bound of a range)
SCHOOL_STEPS = {
    "signalering": ("leerkracht", 14),
    "aanpak_groep": ("leerkracht", 56),
    "leerlingbespreking": ("ib", 14),
    "aanpak_school": ("ib", 84),
    "ondersteuningsteam": ("ib", 42),
    "consultatie_so_expert": ("so_expert", 42),
    "opp_opstellen": ("ib", 42),
    "arrangement_aanvraag": ("ib", 56),
    "arrangement_uitvoering": ("leerkracht", None),
    "plusklas": ("plusklas", 140),
    "evaluatie": ("ib", 365),
    "tlv_aanvraag": ("ib", 56),
    "verwezen_sbo_so": (None, None),
    "afgesloten": (None, None),
}

# (from, to) -> guards expected on that edge
EDGES = {
    ("signalering", "aanpak_groep"): {"checklist_complete": True},
    ("aanpak_groep", "afgesloten"): {"checklist_complete": True},
    ("aanpak_groep", "leerlingbespreking"): {"checklist_complete": True},
    ("leerlingbespreking", "aanpak_school"): {"checklist_complete": True},
    ("aanpak_school", "afgesloten"): {"checklist_complete": True},
    ("aanpak_school", "ondersteuningsteam"): {
        "checklist_complete": True,
        "consent_assigned_external": True,
    },
    ("ondersteuningsteam", "consultatie_so_expert"): {
        "checklist_complete": True,
        "consent": "so_expert",
    },
    ("ondersteuningsteam", "opp_opstellen"): {"checklist_complete": True},
    ("ondersteuningsteam", "aanpak_school"): {"checklist_complete": True},
    ("consultatie_so_expert", "ondersteuningsteam"): {"checklist_complete": True},
    ("opp_opstellen", "arrangement_aanvraag"): {
        "checklist_complete": True,
        "decision": {"id": "opp", "outcome": "vastgesteld"},
    },
    ("opp_opstellen", "plusklas"): {
        "checklist_complete": True,
        "decision": {"id": "opp", "outcome": "vastgesteld"},
        "assigned": "plusklas",
        "consent": "plusklas",
    },
    ("arrangement_aanvraag", "arrangement_uitvoering"): {
        "checklist_complete": True,
        "decision": {"id": ("arrangement", "swv_besluit"), "outcome": "toegekend"},
    },
    ("arrangement_aanvraag", "plusklas"): {
        "checklist_complete": True,
        "decision": {"id": ("arrangement", "swv_besluit"), "outcome": "toegekend"},
        "assigned": "plusklas",
        "consent": "plusklas",
    },
    ("arrangement_aanvraag", "ondersteuningsteam"): {
        "decision": {"id": ("arrangement", "swv_besluit"), "outcome": "afgewezen"},
    },
    ("arrangement_uitvoering", "evaluatie"): {"checklist_complete": True},
    ("plusklas", "evaluatie"): {"checklist_complete": True},
    ("evaluatie", "afgesloten"): {"checklist_complete": True},
    ("evaluatie", "arrangement_aanvraag"): {"checklist_complete": True},
    ("evaluatie", "tlv_aanvraag"): {"checklist_complete": True},
    ("tlv_aanvraag", "verwezen_sbo_so"): {
        "checklist_complete": True,
        "advices": {"count": 2, "document": "deskundigenadvies", "roles": ("so_expert", "deskundige")},
        "decision": {"id": ("tlv", "swv_besluit"), "outcome": "toegekend"},
    },
    ("tlv_aanvraag", "ondersteuningsteam"): {
        "decision": {"id": ("tlv", "swv_besluit"), "outcome": "afgewezen"}
    },
    ("afgesloten", "signalering"): {},
    (NOT_STARTED, "toeleiding_jeugdhulp"): {
        "consent": "jeugdhulp",
        "in_step": ("ondersteuningsteam",),
    },
    ("toeleiding_jeugdhulp", "jeugdhulp_loopt"): {"consent": "jeugdhulp"},
    ("toeleiding_jeugdhulp", "jeugdhulp_afgerond"): {},
    ("jeugdhulp_loopt", "jeugdhulp_afgerond"): {},
}

MINIMAL = """
[route]
name = "Mini"
version = "1"

[[roles]]
id = "ib"
label = "Intern begeleider"
sees = "school"

[[roles]]
id = "jeugdhulp"
label = "Jeugdhulpverlener"
external = true

[[tracks]]
id = "school"
label = "School"
start = "a"

[[tracks]]
id = "extra"
label = "Extra"
start = "x"
optional = true

[[steps]]
id = "a"
title = "A"
description = "Stap A"
track = "school"
at_turn = "ib"
involved = { jeugdhulp = "C" }
term_days = 7
term_label = "1 week"
checklist = [ { id = "k", label = "Klaar" } ]

[[steps]]
id = "b"
title = "B"
description = "Eind"
track = "school"
final = true

[[steps]]
id = "x"
title = "X"
description = "Extra stap"
track = "extra"
at_turn = "jeugdhulp"

[[steps]]
id = "y"
title = "Y"
description = "Extra klaar"
track = "extra"
final = true

[[triggers]]
id = "klaar"
label = "Klaar"
from = "a"
to = "b"
guards = { checklist_complete = true }

[[triggers]]
id = "start_extra"
label = "Start extra"
from_start = true
to = "x"
guards = { consent = ["jeugdhulp"], in_step = ["a"] }

[[triggers]]
id = "extra_klaar"
label = "Extra klaar"
from = ["x"]
to = "y"
"""


@pytest.fixture(scope="module")
def route():
    return load_route()


def test_default_route_has_all_roles_with_external_flags(route) -> None:
    assert set(route.roles) == ALL_ROLES
    assert {r.id for r in route.roles.values() if r.external} == EXTERNAL
    assert {r.id for r in route.roles.values() if r.sees == "school"} == {"ib", "directeur"}
    assert route.roles_seeing("swv") == ["swv"]
    assert set(route.roles["swv"].assigns) == {"so_expert", "deskundige"}
    assert set(route.roles["ib"].assigns) == ALL_ROLES - {"ib"} | {"ib"}
    assert all(r.label and r.label[0].isupper() for r in route.roles.values())


def test_default_route_tracks(route) -> None:
    assert list(route.tracks) == ["school", "jeugdhulp"]
    assert route.main_track.start == "signalering" and not route.main_track.optional
    jeugdhulp = route.tracks["jeugdhulp"]
    assert jeugdhulp.optional and jeugdhulp.start == "toeleiding_jeugdhulp"
    assert [s.id for s in route.steps_of("jeugdhulp")] == [
        "toeleiding_jeugdhulp",
        "jeugdhulp_loopt",
        "jeugdhulp_afgerond",
    ]


@pytest.mark.parametrize("step_id", SCHOOL_STEPS)
def test_default_route_step_matches_domain_table(route, step_id: str) -> None:
    at_turn, term = SCHOOL_STEPS[step_id]
    step = route.steps[step_id]
    assert step.track == "school"
    assert step.at_turn == at_turn
    assert step.term_days == term
    assert step.final == (at_turn is None)
    assert step.title and step.description
    assert set(step.involved) <= ALL_ROLES
    if not step.final:
        assert step.term_label, "every working step shows its term to users"


def test_default_route_step_details(route) -> None:
    assert route.steps["aanpak_groep"].term_label == "6–8 weken"
    assert route.steps["leerlingbespreking"].involved["leerkracht"] == "R"
    assert route.steps["arrangement_uitvoering"].involved["so_expert"] == "R"
    assert route.steps["arrangement_aanvraag"].involved["swv"] == "R"
    assert [i.id for i in route.steps["signalering"].checklist] == [
        "observatie",
        "ouders_geinformeerd",
    ]
    assert len(route.steps["ondersteuningsteam"].checklist) == 4
    assert route.steps["toeleiding_jeugdhulp"].at_turn == "jeugdhulp"
    assert route.steps["jeugdhulp_afgerond"].final


def test_default_route_edges_and_guards(route) -> None:
    edges = {}
    for trigger in route.triggers.values():
        for source in trigger.sources:
            edges[(source, trigger.dest)] = {g.name: g.param for g in trigger.guards}
    assert edges == EDGES


def test_default_route_trigger_ids(route) -> None:
    for tid in ("naar_leerlingbespreking", "doel_behaald", "heropenen", "start_jeugdhulp"):
        assert tid in route.triggers
    assert route.triggers["doel_behaald"].sources == ("aanpak_groep", "aanpak_school", "evaluatie")
    assert route.triggers["start_jeugdhulp"].track == "jeugdhulp"


def test_header_comment_documents_every_guard() -> None:
    text = default_route_path().read_text(encoding="utf-8")
    header = text.split("\n[route]\n", 1)[0]
    for name in GUARDS:
        assert name in header, f"guard {name} not documented in the file's header"


def test_parse_minimal_route() -> None:
    route = parse_route(MINIMAL, "mini.toml")
    assert route.name == "Mini" and route.source == "mini.toml"
    assert route.steps["a"].checklist[0].label == "Klaar"
    assert route.steps["a"].term_label == "1 week"
    assert route.steps["b"].at_turn is None and route.steps["b"].final
    assert route.triggers["klaar"].sources == ("a",)
    assert route.triggers["extra_klaar"].sources == ("x",)
    assert route.triggers["start_extra"].sources == (NOT_STARTED,)
    assert route.triggers["start_extra"].track == "extra"
    guard_params = {g.name: g.param for g in route.triggers["start_extra"].guards}
    assert guard_params == {"consent": ("jeugdhulp",), "in_step": ("a",)}
    assert route.roles["jeugdhulp"].external and not route.roles["ib"].external


def test_load_route_from_path_and_check_route_file(tmp_path: Path) -> None:
    path = tmp_path / "route.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_route(path).name == "Mini"
    assert load_route(str(path)).source == str(path)
    assert check_route_file(path) == []


def test_default_route_file_is_valid() -> None:
    path = Path(str(default_route_path()))
    assert path.is_file()
    assert check_route_file(path) == []


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "kapot.toml"
    path.write_text('[route]\nname = "x"\nversion = \n', encoding="utf-8")
    with pytest.raises(RouteInvalid) as info:
        load_route(path)
    (problem,) = info.value.problems
    assert problem.startswith("kapot.toml: regel 3, kolom")
    assert "TOML-syntaxfout" in problem
    assert info.value.source == str(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "bestaat_niet.toml"
    problems = check_route_file(path)
    assert problems == [f"bestaat_niet.toml: bestand niet gevonden ({path})"]


def test_directory_and_bad_encoding(tmp_path: Path) -> None:
    assert "map" in check_route_file(tmp_path)[0]
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "café"'.encode("latin-1"))
    assert "UTF-8" in check_route_file(path)[0]


def test_route_invalid_message_lists_all_problems() -> None:
    with pytest.raises(RouteInvalid) as info:
        parse_route(
            MINIMAL.replace('at_turn = "ib"', 'at_turn = "ibb"').replace('to = "y"', 'to = "z"'), "mini.toml"
        )
    text = str(info.value)
    assert "onbekende rol 'ibb'" in text and "onbekende stap 'z'" in text
    assert len(info.value.problems) >= 2


def test_cli_style_use_prints_no_traceback(tmp_path: Path) -> None:
    """A broken file read in a fresh interpreter gives a RouteInvalid, not a crash."""
    path = tmp_path / "route.toml"
    path.write_text("[[steps]\n", encoding="utf-8")
    code = (
        "import sys\nfrom kindroute.errors import RouteInvalid\n"
        "from kindroute.workflow import load_route\n"
        f"try:\n    load_route({str(path)!r})\nexcept RouteInvalid as e:\n"
        "    print(e)\n    sys.exit(e.exit_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "route.toml: regel 1, kolom" in result.stdout
    assert "Traceback" not in result.stderr
