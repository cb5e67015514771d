"""The *Plan* tab of a case: goals with their evaluations, the OPP (current version, instemming,
hoorrecht, earlier versions), the periods of SWV decisions, and every clock.

The tab loads the plan itself in a thread worker and posts :class:`PlanTab.Loaded` tagged with a
generation number; a stale answer (an older load) is dropped, like ``widgets/case_list.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from kindroute.errors import KindrouteError
from kindroute.widgets.format import nl_date

if TYPE_CHECKING:
    from kindroute.services import Services
    from kindroute.services.plan_dto import PlanInfo

RESULT_STYLE = {"behaald": "green", "deels": "yellow", "niet": "red"}


def _shown(value: str) -> str:
    """A decision field's value as the tab shows it: a date in Dutch order, anything else as is."""
    from datetime import date

    try:
        return nl_date(date.fromisoformat(value))
    except ValueError:
        return value
INSTEMMING_STYLE = {"eens": "green", "deels": "yellow", "oneens": "red"}


def plan_text(plan: PlanInfo, services: Services) -> Text:
    """The plan as text: user text stays data (``Text``), never markup."""
    t = Text()
    t.append("Doelen", style="bold")
    t.append("  (g: doel toevoegen · v: doel evalueren)\n", style="dim")
    if not plan.goals:
        t.append("Nog geen doelen.\n", style="dim")
    for g in plan.goals:
        t.append(f"{g.id:>4} ", style="dim")
        t.append(f"[{g.area}] ", style="bold")
        t.append(g.goal)
        t.append(f"\n     {g.approach or '—'} · {g.who or '—'} · evalueren {nl_date(g.evaluate_on)} ",
                 style="dim")
        if g.result:
            t.append(g.result, style=RESULT_STYLE.get(g.result, ""))
        elif g.overdue:
            t.append("te laat", style="bold red")
        t.append("\n")
    t.append("\nOPP", style="bold")
    t.append("  (e: opstellen/aanpassen · i: instemming ouders · l: leerling gehoord)\n", style="dim")
    o = plan.opp
    if o is None:
        t.append("Nog geen OPP.\n", style="dim")
    else:
        t.append(f"Versie {o.version}: ", style="")
        t.append(o.status, style="bold green" if o.status == "vastgesteld" else "bold yellow")
        if o.adopted:
            t.append(f" op {nl_date(o.adopted)}")
        t.append("\nUitstroomprofiel: ", style="dim")
        t.append(o.uitstroomprofiel or "—")
        cur = plan.opp_versions[-1]
        for label, value in (("Onderbouwing", cur.reasons), ("Stimulerend", cur.stimulerend),
                             ("Belemmerend", cur.belemmerend), ("Ondersteuning", cur.support),
                             ("Door wie", cur.support_who), ("Duur", cur.duration)):
            if value:
                t.append(f"\n{label}: ", style="dim")
                t.append(value)
        t.append("\nInstemming ouders: ", style="dim")
        if o.instemming is None:
            t.append("nog niet gevraagd", style="yellow")
        else:
            t.append(o.instemming.outcome, style=INSTEMMING_STYLE.get(o.instemming.outcome, ""))
            t.append(f" ({o.instemming.by}, {nl_date(o.instemming.on)})")
            if o.instemming.note:
                t.append("\n  wat volgt: ", style="dim")
                t.append(o.instemming.note)
        t.append("\nLeerling gehoord: ", style="dim")
        if o.hoorrecht is None:
            t.append("nog niet", style="yellow")
        else:
            t.append(f"{nl_date(o.hoorrecht.on)}: ")
            t.append(f"“{o.hoorrecht.view}”", style="italic")
            if o.hoorrecht.weighed:
                t.append("\n  meegewogen: ", style="dim")
                t.append(o.hoorrecht.weighed)
        if o.next_evaluation:
            t.append(f"\nJaarlijkse evaluatie vóór {nl_date(o.next_evaluation)}", style="dim")
        for v in plan.opp_versions[:-1]:
            adopted = f", vastgesteld {nl_date(v.adopted)}" if v.adopted else ""
            t.append(f"\n  eerdere versie {v.version} ({v.status}{adopted})", style="dim")
        t.append("\n")
    if plan.periods:
        t.append("\nBesluiten\n", style="bold")
        for p in plan.periods:
            t.append(f"{p.label}: tot en met {nl_date(p.end)}")
            extra = " · ".join(f"{label.lower()} {_shown(value)}" for label, value in p.fields if value)
            if extra:
                t.append(f"\n  {extra}", style="dim")
            t.append("\n")
    t.append("\nTermijnen\n", style="bold")
    if not plan.clocks:
        t.append("Geen lopende termijnen.\n", style="dim")
    for c in plan.clocks:
        t.append(f"{nl_date(c.due):>11}  ", style="bold red" if c.overdue else "bold")
        t.append(c.label)
        if c.overdue:
            t.append("  te laat", style="red")
        t.append("\n")
    return t


def goals_card(goals: Any) -> Text:
    """The goals for the bespreking card: open ones with their evaluation date, then results."""
    t = Text("\n\nDoelen", style="bold")
    if not goals:
        t.append("\n  geen", style="dim")
    for g in sorted(goals, key=lambda g: (g.result is not None, g.evaluate_on)):
        t.append("\n  • ")
        t.append(f"[{g.area}] ", style="dim")
        t.append(g.goal)
        if g.result:
            t.append(f" — {g.result}", style=RESULT_STYLE.get(g.result, ""))
        else:
            t.append(f" — evalueren {nl_date(g.evaluate_on)}", style="bold red" if g.overdue else "dim")
    return t


class PlanTab(VerticalScroll, can_focus=True):
    """Goals, OPP, decisions and clocks of one case; loads itself."""

    BINDINGS = [
        Binding("e", "opp", "OPP", id="plan-opp"),
        Binding("g", "goal", "Doel", id="plan-goal"),
        Binding("v", "evaluate", "Doel evalueren", id="plan-evaluate", show=False),
        Binding("i", "instemming", "Instemming", id="plan-instemming", show=False),
        Binding("l", "hoorrecht", "Leerling gehoord", id="plan-hoorrecht", show=False),
    ]

    class Loaded(Message):
        def __init__(self, plan: PlanInfo, generation: int) -> None:
            super().__init__()
            self.plan = plan
            self.generation = generation

    class Failed(Message):
        def __init__(self, error: str, generation: int) -> None:
            super().__init__()
            self.error = error
            self.generation = generation

    class Edit(Message):
        """Asks the screen to open a form (``what``: opp, goal, evaluate, instemming, hoorrecht)."""

        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan: PlanInfo | None = None
        self._generation = 0

    def compose(self) -> Any:
        yield Static("Plan wordt geladen…", id="plan-text")

    def load(self, services: Services, actor: Any, case_id: int) -> None:
        self._generation += 1
        self._fetch(services, actor, case_id, self._generation)

    @work(thread=True, exclusive=True, group="plan-load")
    def _fetch(self, services: Services, actor: Any, case_id: int, generation: int) -> None:
        try:
            self.post_message(self.Loaded(services.case_plan(actor, case_id), generation))
        except KindrouteError as exc:
            self.post_message(self.Failed(str(exc), generation))

    def on_plan_tab_loaded(self, message: Loaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self.plan = message.plan
        services = self.app.services  # type: ignore[attr-defined]
        self.query_one("#plan-text", Static).update(plan_text(message.plan, services))

    def on_plan_tab_failed(self, message: Failed) -> None:
        message.stop()
        if message.generation == self._generation:
            self.query_one("#plan-text", Static).update(Text(message.error, style="red"))

    def action_opp(self) -> None:
        self.post_message(self.Edit("opp"))

    def action_goal(self) -> None:
        self.post_message(self.Edit("goal"))

    def action_evaluate(self) -> None:
        self.post_message(self.Edit("evaluate"))

    def action_instemming(self) -> None:
        self.post_message(self.Edit("instemming"))

    def action_hoorrecht(self) -> None:
        self.post_message(self.Edit("hoorrecht"))
