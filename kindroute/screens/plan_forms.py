"""The plan's small forms: a goal, a goal's evaluation, the parents' instemming, the pupil heard."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from kindroute.screens.form import FormScreen

AREAS = ("lezen", "spelling", "rekenen", "sociaal-emotioneel", "werkhouding", "thuis")


class _CaseForm(FormScreen):
    HINT = "ctrl+s opslaan · tab volgend veld · esc annuleren"

    def __init__(self, case_id: int, pupil: str, version: int | None) -> None:
        super().__init__(pupil)
        self.case_id = case_id
        self.case_version = version


class GoalFormScreen(_CaseForm):
    TITLE_TEXT = "Doel toevoegen"
    ERROR_FIELDS = {"Gebied": "area", "Doel": "goal", "Evaluatie": "evaluate", "rol": "who"}
    DONE = "Doel vastgelegd."

    def fields(self) -> ComposeResult:
        yield from self.field("Gebied", Input(id="area", placeholder=", ".join(AREAS)))
        yield from self.field("Doel", Input(id="goal"))
        yield from self.field("Aanpak", Input(id="approach"))
        yield from self.field("Wie (rol, bijv. ouders, of naam)", Input(id="who"))
        yield from self.field("Evaluatiedatum (JJJJ-MM-DD)", Input(id="evaluate"))

    def check(self) -> bool:
        return self.require(area="Gebied", goal="Doel", evaluate="Evaluatiedatum")

    def save(self) -> Any:
        return self.services.add_goal(self.actor, self.case_id, area=self.value("area"),
                                      goal=self.value("goal"),
                                      approach=self.value("approach"), who=self.value("who") or None,
                                      evaluate_on=self.value("evaluate"), expected_version=self.case_version)


class EvaluateGoalScreen(_CaseForm):
    TITLE_TEXT = "Doel evalueren"
    ERROR_FIELDS = {"Doel": "goal", "resultaat": "result"}
    DONE = "Evaluatie vastgelegd."

    def __init__(self, case_id: int, pupil: str, version: int | None, goals: list[tuple[str, int]]) -> None:
        super().__init__(case_id, pupil, version)
        self.goals = goals

    def fields(self) -> ComposeResult:
        yield from self.field("Doel", Select(self.goals, id="goal", prompt="kies het doel"))
        yield from self.field("Resultaat", Select([(r, r) for r in ("behaald", "deels", "niet")], id="result",
                                                  prompt="kies het resultaat"))
        yield from self.field("Toelichting", Input(id="note"))

    def check(self) -> bool:
        return self.require(goal="Doel", result="Resultaat")

    def save(self) -> Any:
        return self.services.evaluate_goal(self.actor, self.case_id, int(self.value("goal")),
                                           result=self.value("result"), note=self.value("note"),
                                           expected_version=self.case_version)


class InstemmingScreen(_CaseForm):
    TITLE_TEXT = "Instemming ouders met het handelingsdeel"
    ERROR_FIELDS = {"Door wie": "by", "volgt": "note", "Instemming is": "outcome", "OPP": "outcome"}
    DONE = "Instemming vastgelegd."

    def fields(self) -> ComposeResult:
        yield from self.field("Uitkomst", Select([("eens", "eens"), ("deels", "deels"), ("oneens", "oneens")],
                                                 id="outcome", prompt="kies de uitkomst"))
        yield from self.field("Door wie (ouder/verzorger)", Input(id="by"))
        yield from self.field("Wat volgt (verplicht bij deels/oneens)", Input(id="note"))

    def check(self) -> bool:
        return self.require(outcome="Uitkomst", by="Door wie")

    def save(self) -> Any:
        return self.services.record_instemming(self.actor, self.case_id, outcome=self.value("outcome"),
                                               by=self.value("by"), note=self.value("note"),
                                               expected_version=self.case_version)


class HoorrechtScreen(_CaseForm):
    TITLE_TEXT = "Leerling gehoord over het OPP"
    ERROR_FIELDS = {"Mening": "view", "meegewogen": "weighed", "OPP": "view"}
    DONE = "Mening van de leerling vastgelegd."

    def fields(self) -> ComposeResult:
        yield from self.field("Wat de leerling zegt, in eigen woorden", Input(id="view"))
        yield from self.field("Hoe is dat meegewogen", Input(id="weighed"))

    def check(self) -> bool:
        return self.require(view="Mening van de leerling")

    def save(self) -> Any:
        return self.services.record_hoorrecht(self.actor, self.case_id, view=self.value("view"),
                                              weighed=self.value("weighed"),
                                              expected_version=self.case_version)


def plan_form(what: str, detail: Any, plan: Any) -> FormScreen | None:
    """The form the Plan tab asks for (``what``: opp, goal, evaluate, instemming, hoorrecht)."""
    from kindroute.screens.opp_form import OppFormScreen

    version = detail.version
    if what == "opp":
        return OppFormScreen(detail.id, detail.pupil, plan)
    if what == "goal":
        return GoalFormScreen(detail.id, detail.pupil, version)
    if what == "evaluate":
        goals = [(f"{g.id} [{g.area}] {g.goal}", str(g.id)) for g in (plan.goals if plan else ())
                 if g.result is None]
        return EvaluateGoalScreen(detail.id, detail.pupil, version, goals)
    if what == "instemming":
        return InstemmingScreen(detail.id, detail.pupil, version)
    if what == "hoorrecht":
        return HoorrechtScreen(detail.id, detail.pupil, version)
    return None
