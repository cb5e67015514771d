"""Route validation: each kind of mistake is found and named with file, item and field."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any

import pytest
import tomli_w

from kindroute.errors import RouteInvalid
from kindroute.workflow import default_route_path, parse_route

Doc = dict[str, Any]


def default_doc() -> Doc:
    return tomllib.loads(default_route_path().read_text(encoding="utf-8"))


def item(doc: Doc, kind: str, ident: str) -> dict[str, Any]:
    return next(x for x in doc[kind] if x.get("id") == ident)


def problems_after(mutate: Callable[[Doc], None]) -> list[str]:
    doc = default_doc()
    mutate(doc)
    try:
        parse_route(tomli_w.dumps(doc), "route.toml")
    except RouteInvalid as error:
        assert error.problems, "RouteInvalid without problems"
        return error.problems
    pytest.fail("route with a mistake was accepted")


def assert_problem(problems: list[str], *parts: str) -> None:
    """Some problem contains every part (file, item, field, message)."""
    hits = [p for p in problems if all(part in p for part in parts)]
    assert hits, f"no problem with {parts!r} in:\n" + "\n".join(problems)


def test_default_route_is_valid() -> None:
    parse_route(tomli_w.dumps(default_doc()), "route.toml")


def test_unknown_role_at_turn() -> None:
    problems = problems_after(lambda d: item(d, "steps", "opp_opstellen").update(at_turn="ibb"))
    assert "route.toml: stap 'opp_opstellen': veld 'at_turn': onbekende rol 'ibb'" in problems


def test_unknown_role_involved() -> None:
    def mutate(d: Doc) -> None:
        item(d, "steps", "signalering")["involved"]["ouder"] = "C"

    assert_problem(problems_after(mutate), "route.toml:", "stap 'signalering'", "veld 'involved'", "'ouder'")


def test_unknown_step_in_trigger_from_and_to() -> None:
    def mutate(d: Doc) -> None:
        item(d, "triggers", "naar_aanpak_groep")["from"] = "signaleren"
        item(d, "triggers", "heropenen")["to"] = "start"

    problems = problems_after(mutate)
    assert_problem(
        problems, "route.toml:", "trigger 'naar_aanpak_groep'", "veld 'from'", "onbekende stap 'signaleren'"
    )
    assert_problem(problems, "trigger 'heropenen'", "veld 'to'", "onbekende stap 'start'")


def test_unknown_track() -> None:
    problems = problems_after(lambda d: item(d, "steps", "evaluatie").update(track="schol"))
    assert_problem(problems, "route.toml:", "stap 'evaluatie'", "veld 'track'", "onbekend spoor 'schol'")


@pytest.mark.parametrize(
    ("kind", "ident", "label"),
    [
        ("roles", "ib", "rol"),
        ("steps", "plusklas", "stap"),
        ("triggers", "heropenen", "trigger"),
        ("tracks", "jeugdhulp", "spoor"),
    ],
)
def test_duplicate_ids(kind: str, ident: str, label: str) -> None:
    def mutate(d: Doc) -> None:
        d[kind].append(dict(item(d, kind, ident)))

    assert_problem(problems_after(mutate), "route.toml:", f"{label} '{ident}'", "veld 'id'", "dubbele id")


def test_unknown_guard() -> None:
    def mutate(d: Doc) -> None:
        item(d, "triggers", "naar_opp_opstellen")["guards"]["opp_klaar"] = True

    assert_problem(
        problems_after(mutate),
        "route.toml:",
        "trigger 'naar_opp_opstellen'",
        "veld 'guards'",
        "onbekende voorwaarde 'opp_klaar'",
    )


@pytest.mark.parametrize(
    ("trigger", "guard", "param", "message"),
    [
        ("naar_aanpak_groep", "checklist_complete", "ja", "verwacht true"),
        ("naar_consultatie_so_expert", "consent", "so-expert", "onbekende rol 'so-expert'"),
        ("naar_consultatie_so_expert", "consent", 3, "verwacht een rol-id"),
        ("naar_plusklas", "assigned", ["plusklas", "pluskla"], "onbekende rol 'pluskla'"),
        ("start_jeugdhulp", "in_step", ["ondersteuningteam"], "onbekende stap 'ondersteuningteam'"),
        ("tlv_toegekend", "advices", {"roles": ["so_expert"], "count": 0}, "positief geheel getal"),
        ("tlv_toegekend", "advices", {"roles": ["so_expert"], "count": "2"}, "positief geheel getal"),
        ("tlv_toegekend", "advices", {"roles": ["soexpert"], "count": 2}, "onbekende rol 'soexpert'"),
        ("tlv_toegekend", "advices", {"count": 2}, "sleutel 'roles' ontbreekt"),
        ("tlv_toegekend", "advices", 2, "verwacht een tabel"),
        ("tlv_afgewezen", "decision", {"id": "swv_besluit", "outcome": "nee"}, "geen uitkomst 'nee'"),
        ("tlv_afgewezen", "decision", {"id": "swv", "outcome": "afgewezen"}, "onbekend besluit 'swv'"),
        ("tlv_afgewezen", "decision", "afgewezen", "verwacht een tabel"),
        ("tlv_afgewezen", "decided", "tlv_besluit", "onbekend besluit 'tlv_besluit'"),
        ("naar_ondersteuningsteam", "consent_assigned_external", 1, "verwacht true"),
    ],
)
def test_bad_guard_parameter(trigger: str, guard: str, param: Any, message: str) -> None:
    def mutate(d: Doc) -> None:
        item(d, "triggers", trigger)["guards"][guard] = param

    assert_problem(
        problems_after(mutate),
        "route.toml:",
        f"trigger '{trigger}'",
        "veld 'guards'",
        f"voorwaarde '{guard}'",
        message,
    )


def test_involvement_letter_not_raci() -> None:
    def mutate(d: Doc) -> None:
        item(d, "steps", "aanpak_groep")["involved"]["ib"] = "X"

    assert_problem(
        problems_after(mutate), "route.toml:", "stap 'aanpak_groep'", "veld 'involved'", "'X'", "R, A, C of I"
    )


def test_unreachable_step() -> None:
    def mutate(d: Doc) -> None:
        d["triggers"] = [t for t in d["triggers"] if t["id"] != "naar_tlv_aanvraag"]

    problems = problems_after(mutate)
    assert_problem(problems, "route.toml:", "stap 'tlv_aanvraag'", "niet bereikbaar", "'signalering'")
    assert_problem(problems, "stap 'verwezen_sbo_so'", "niet bereikbaar")


def test_non_final_step_without_way_out() -> None:
    def mutate(d: Doc) -> None:
        d["triggers"] = [t for t in d["triggers"] if t["id"] != "naar_evaluatie"]

    problems = problems_after(mutate)
    assert_problem(problems, "route.toml:", "stap 'plusklas'", "geen enkele trigger")
    assert_problem(problems, "stap 'arrangement_uitvoering'", "geen enkele trigger")


def test_track_without_start() -> None:
    problems = problems_after(lambda d: item(d, "tracks", "jeugdhulp").pop("start"))
    assert_problem(problems, "route.toml:", "spoor 'jeugdhulp'", "veld 'start'", "verplicht veld ontbreekt")


def test_track_start_not_a_step_of_that_track() -> None:
    problems = problems_after(lambda d: item(d, "tracks", "jeugdhulp").update(start="signalering"))
    assert_problem(problems, "route.toml:", "spoor 'jeugdhulp'", "veld 'start'", "hoort bij spoor 'school'")
    problems = problems_after(lambda d: item(d, "tracks", "school").update(start="begin"))
    assert_problem(problems, "spoor 'school'", "veld 'start'", "onbekende startstap 'begin'")


def test_final_step_may_have_someone_at_turn() -> None:
    doc = default_doc()
    step = item(doc, "steps", "verwezen_sbo_so")
    step["at_turn"] = "ouders"
    del step["involved"]["ouders"]
    route = parse_route(tomli_w.dumps(doc), "route.toml")
    assert route.steps["verwezen_sbo_so"].final
    assert route.steps["verwezen_sbo_so"].turn_roles == ("ouders",)


def test_non_final_step_without_at_turn() -> None:
    problems = problems_after(lambda d: item(d, "steps", "evaluatie").pop("at_turn"))
    assert_problem(problems, "route.toml:", "stap 'evaluatie'", "veld 'at_turn'", "verplicht veld ontbreekt")


@pytest.mark.parametrize(
    ("kind", "ident", "field", "where"),
    [
        ("steps", "evaluatie", "title", "stap 'evaluatie'"),
        ("steps", "evaluatie", "description", "stap 'evaluatie'"),
        ("roles", "ggd", "label", "rol 'ggd'"),
        ("triggers", "heropenen", "label", "trigger 'heropenen'"),
        ("triggers", "heropenen", "to", "trigger 'heropenen'"),
        ("triggers", "heropenen", "from", "trigger 'heropenen'"),
        ("tracks", "school", "label", "spoor 'school'"),
    ],
)
def test_missing_required_field(kind: str, ident: str, field: str, where: str) -> None:
    problems = problems_after(lambda d: item(d, kind, ident).pop(field))
    assert_problem(problems, "route.toml:", where, f"veld '{field}'", "ontbreekt")


def test_missing_id_is_named_by_position() -> None:
    problems = problems_after(lambda d: d["roles"][0].pop("id"))
    assert_problem(problems, "route.toml:", "rol #1", "veld 'id'", "verplicht veld ontbreekt")


@pytest.mark.parametrize(
    ("kind", "ident", "field", "value", "where", "expected"),
    [
        ("steps", "signalering", "term_days", "14", "stap 'signalering'", "geheel getal"),
        ("steps", "signalering", "final", "nee", "stap 'signalering'", "true of false"),
        ("steps", "signalering", "involved", "ib", "stap 'signalering'", "tabel"),
        ("roles", "smw", "external", "ja", "rol 'smw'", "true of false"),
        ("triggers", "heropenen", "from", 5, "trigger 'heropenen'", "tekst of lijst"),
        ("triggers", "heropenen", "guards", [], "trigger 'heropenen'", "tabel"),
    ],
)
def test_wrong_field_type(kind: str, ident: str, field: str, value: Any, where: str, expected: str) -> None:
    problems = problems_after(lambda d: item(d, kind, ident).update({field: value}))
    assert_problem(problems, "route.toml:", where, f"veld '{field}'", f"verwacht {expected}")


def test_unknown_field_is_reported() -> None:
    problems = problems_after(lambda d: item(d, "steps", "signalering").update(at_trun="ib"))
    assert_problem(problems, "route.toml:", "stap 'signalering'", "veld 'at_trun'", "onbekend veld")


def test_negative_term() -> None:
    problems = problems_after(lambda d: item(d, "steps", "plusklas").update(term_days=-1))
    assert_problem(problems, "route.toml:", "stap 'plusklas'", "veld 'term_days'", "negatief")


def test_trigger_across_tracks() -> None:
    problems = problems_after(
        lambda d: item(d, "triggers", "jeugdhulp_gestart").update({"from": "ondersteuningsteam"})
    )
    assert_problem(
        problems, "route.toml:", "trigger 'jeugdhulp_gestart'", "veld 'from'", "verschillende sporen"
    )


def test_from_start_rules() -> None:
    def both(d: Doc) -> None:
        item(d, "triggers", "start_jeugdhulp")["from"] = "ondersteuningsteam"

    assert_problem(problems_after(both), "trigger 'start_jeugdhulp'", "veld 'from'", "niet allebei")

    def main_track(d: Doc) -> None:
        trig = item(d, "triggers", "heropenen")
        del trig["from"]
        trig["from_start"] = True

    assert_problem(problems_after(main_track), "trigger 'heropenen'", "veld 'from_start'", "niet optioneel")


def test_optional_track_that_never_starts() -> None:
    def mutate(d: Doc) -> None:
        d["triggers"] = [t for t in d["triggers"] if t["id"] != "start_jeugdhulp"]

    assert_problem(problems_after(mutate), "route.toml:", "spoor 'jeugdhulp'", "from_start")


def test_checklist_items_checked() -> None:
    def mutate(d: Doc) -> None:
        checklist = item(d, "steps", "signalering")["checklist"]
        checklist.append({"id": "observatie", "label": "Nog eens"})
        checklist.append({"id": "zonder_label"})

    problems = problems_after(mutate)
    assert_problem(problems, "stap 'signalering'", "veld 'checklist'", "dubbele checklist-id")
    assert_problem(problems, "stap 'signalering'", "veld 'checklist'", "'label' ontbreekt")


def test_invalid_id_characters() -> None:
    problems = problems_after(lambda d: item(d, "roles", "ggd").update(id="GGD arts"))
    assert_problem(problems, "route.toml:", "rol 'GGD arts'", "veld 'id'", "ongeldige id")


def test_empty_route() -> None:
    with pytest.raises(RouteInvalid) as info:
        parse_route("", "leeg.toml")
    assert info.value.problems == ["leeg.toml: route: de route is leeg: het bestand bevat geen route"]


def test_route_without_steps() -> None:
    problems = problems_after(lambda d: d.update(steps=[], triggers=[]))
    assert_problem(problems, "route.toml:", "route", "geen stappen")


def test_all_problems_are_reported_at_once() -> None:
    def mutate(d: Doc) -> None:
        item(d, "steps", "opp_opstellen")["at_turn"] = "ibb"
        item(d, "steps", "plusklas")["term_days"] = -3
        item(d, "triggers", "heropenen")["to"] = "nergens"

    problems = problems_after(mutate)
    assert len(problems) >= 3
    assert_problem(problems, "opp_opstellen")
    assert_problem(problems, "plusklas", "term_days")
    assert_problem(problems, "heropenen", "nergens")


# ------------------------------------------------------------------ decision fields that are clocks


def _field(doc: Doc, decision: str, field: str) -> dict[str, Any]:
    return next(f for f in item(doc, "decisions", decision)["fields"] if f["id"] == field)


@pytest.mark.parametrize(
    ("decision", "field", "change", "message"),
    [
        ("tlv", "einde", {"clock": "begin"}, "'clock' kent alleen 'end', niet 'begin'"),
        ("tlv", "schooljaar", {"clock": "end"},
         "veld 'schooljaar': 'clock' hoort bij een veld van type \"date\""),
        ("arrangement", "einde", {"remind_weeks": -1},
         "'remind_weeks' is een aantal weken van 0 tot en met 104"),
        ("arrangement", "einde", {"remind_weeks": "zes"},
         "'remind_weeks': verwacht geheel getal, niet 'zes'"),
        ("arrangement", "start", {"remind_weeks": 2},
         "veld 'start': 'remind_weeks' heeft alleen betekenis met clock = \"end\""),
        ("arrangement", "start", {"after_referral": True},
         "'after_referral' heeft alleen betekenis met clock"),
        ("arrangement", "einde", {"when": ["verleend"]},
         "'when': besluit heeft geen uitkomst 'verleend' (wel: toegekend, afgewezen)"),
        ("arrangement", "einde", {"when": []}, "'when' is een niet-lege lijst"),
        ("arrangement", "vorm", {"weeks_after_decision": 6},
         "veld 'vorm': 'weeks_after_decision' hoort bij een veld van type \"date\""),
        ("tlv", "start", {"clock": "end"}, "meer dan één veld met clock = \"end\""),
        ("tlv", "einde", {"wanneer": ["toegekend"]}, "onbekende sleutel 'wanneer'"),
        ("tlv", "categorie", {"required_when": {"soort": "so"}}, "'required_when': geen ander veld 'soort'"),
        ("tlv", "categorie", {"required_when": {"type": "vso"}}, "veld 'type' kent de keuze 'vso' niet"),
        ("tlv", "categorie", {"required_when": {"type": []}}, "'type' vraagt een waarde of een lijst"),
        ("tlv", "categorie", {"required_when": {}}, "'required_when' is een tabel veld = waarde"),
    ],
)
def test_bad_clock_keys_of_a_decision_field(decision: str, field: str, change: dict[str, Any],
                                            message: str) -> None:
    problems = problems_after(lambda d: _field(d, decision, field).update(change))
    assert_problem(problems, "route.toml", f"besluit '{decision}'", "veld 'fields'", message)


def test_the_default_route_marks_the_ends_of_arrangement_and_tlv_as_clocks() -> None:
    route = parse_route(default_route_path().read_text(encoding="utf-8"), "route.toml")
    arrangement, tlv = route.decisions["arrangement"].clock_field, route.decisions["tlv"].clock_field
    assert arrangement is not None and (arrangement.id, arrangement.remind_weeks) == ("einde", 6)
    assert tlv is not None and tlv.after_referral and tlv.when == ("toegekend",)
    assert route.decisions["tlv"].field("bezwaar_tot").weeks_after_decision == 6
    assert route.decisions["tlv"].field("categorie").required_when == (("type", ("so",)),)
    assert route.decisions["swv_besluit"].clock_field is None


def test_workflow_show_says_which_field_is_a_clock() -> None:
    from kindroute.workflow.diagram import to_text

    text = to_text(parse_route(default_route_path().read_text(encoding="utf-8"), "route.toml"))
    assert ("veld Einddatum [einde]: date, verplicht; alleen bij toegekend; einddatum is een termijn van de "
            "casus, herinnering 6 weken vooraf; loopt door na verwijzing") in text
    assert "veld Bezwaar mogelijk tot [bezwaar_tot]: date; leeg: besluitdatum + 6 weken" in text
