"""The route as a picture (Mermaid) and as readable Dutch text ("wie doet wat").

The Mermaid diagram is drawn by ``transitions``' GraphMachine, one machine per track; an
optional track (jeugdhulp) becomes a composite state beside the school route, entered from
the steps its start trigger is allowed from.
"""

from __future__ import annotations

from typing import Any

from kindroute.workflow import guards
from kindroute.workflow.model import NOT_STARTED, GuardSpec, Route, Step, Track, Trigger

RACI_LEGEND = "R = voert uit, A = eindverantwoordelijk, C = geraadpleegd, I = geïnformeerd"


def guard_description(spec: GuardSpec, route: Route) -> str:
    """A short Dutch description of a guard, e.g. 'toestemming SO-expert'."""
    return guards.describe(spec, route)


def _clean(text: str) -> str:
    """Text safe inside a Mermaid label."""
    for bad, good in (
        ('"', "'"), (":", " -"), (";", ","), ("{", "("), ("}", ")"), ("#", "nr"), ("|", "/"),
    ):
        text = text.replace(bad, good)
    return text


def _machine_for(route: Route, track: Track, extra_states: list[dict[str, Any]]) -> Any:
    from transitions.extensions import GraphMachine  # imported here: only diagrams need it

    class _LabelledState(GraphMachine.state_cls):  # type: ignore[name-defined,misc]
        def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.label = label

    class _DiagramMachine(GraphMachine):
        state_cls = _LabelledState

    class _Model:
        """GraphMachine needs a model to draw a graph."""

        machine: Any

    states = [{"name": s.id, "label": _clean(_state_label(route, s))} for s in route.steps_of(track.id)]
    states += extra_states
    model = _Model()
    model.machine = _DiagramMachine(
        model=model,
        states=states,
        initial=track.start,
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=True,
        title=_clean(f"{route.name} ({route.version})"),
    )
    return model


def _state_label(route: Route, step: Step) -> str:
    """A step's title with who is at turn and its term: 'Signalering (leerkracht, 14 d)'."""
    extra = []
    if step.turn_roles:
        joiner = " + " if step.turn_all else " / "
        extra.append(joiner.join(guards.role_label(route, r) for r in step.turn_roles))
    if step.term_days is not None:
        extra.append(f"{step.term_days} d")
    elif step.term_set_by:
        extra.append("termijn per casus")
    return f"{step.title} ({', '.join(extra)})" if extra else step.title


def _add(model: Any, route: Route, trigger: Trigger, sources: list[str], dest: str, skip: str = "") -> None:
    """Add a trigger as an edge, its guards (except ``skip``) as the edge's conditions."""
    conditions = [_clean(guard_description(g, route)) for g in trigger.guards if g.name != skip]
    if trigger.automatic:
        conditions.append("automatisch")
    model.machine.add_transition(
        trigger.id, sources, dest, conditions=conditions, label=_clean(trigger.label)
    )


def _split_edge(line: str) -> list[str]:
    """GraphMachine joins two triggers between the same steps as 'a --> b: x | y': one edge each.

    Labels cannot hold '|' themselves (see ``_clean``), so every '|' is such a join."""
    head, sep, labels = line.partition(": ")
    if "-->" not in head or not sep or " | " not in labels:
        return [line]
    return [f"{head}: {label}" for label in labels.split(" | ")]


def _body(model: Any) -> list[str]:
    """The lines of a drawn graph after the header and without style noise."""
    lines = model.get_graph().draw(None).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("stateDiagram"))
    return [
        edge
        for line in lines[start + 1 :]
        if line.strip() and not line.strip().startswith(("classDef", "Class "))
        for edge in _split_edge(line.strip())
    ]


def to_mermaid(route: Route) -> str:
    """One Mermaid state diagram of the whole route, optional tracks as composite states."""
    main = route.main_track
    optional = [t for t in route.tracks.values() if t.id != main.id]
    extra = [{"name": f"track_{t.id}", "label": _clean(t.label)} for t in optional]
    main_model = _machine_for(route, main, extra)
    for trigger in route.triggers.values():
        if trigger.track == main.id:
            _add(main_model, route, trigger, list(trigger.sources), trigger.dest)
        elif NOT_STARTED in trigger.sources:
            entry = [g for g in trigger.guards if g.name == "in_step"]
            sources = list(guards.as_list(entry[0].param)) if entry else [main.start]
            _add(main_model, route, trigger, sources, f"track_{trigger.track}", skip="in_step")
    lines = ["---", _clean(f"{route.name} ({route.version})"), "---", "stateDiagram-v2"]
    lines += ["  " + line for line in _body(main_model)]
    for step in route.steps_of(main.id):
        if step.final:
            lines.append(f"  {step.id} --> [*]")

    for track in optional:
        model = _machine_for(route, track, [])
        for trigger in route.triggers.values():
            if trigger.track == track.id and NOT_STARTED not in trigger.sources:
                _add(model, route, trigger, list(trigger.sources), trigger.dest)
        lines.append(f"  state track_{track.id} {{")
        lines += ["    " + line for line in _body(model)]
        for step in route.steps_of(track.id):
            if step.final:
                lines.append(f"    {step.id} --> [*]")
        lines.append("  }")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- text


def _role(route: Route, role_id: str) -> str:
    role = route.roles.get(role_id)
    return role.label if role else role_id


def turn_text(route: Route, step: Step) -> str:
    """Who is at turn, in words: one role, any of several, or all of them together."""
    names = [_role(route, r) for r in step.turn_roles]
    if not names:
        return "niemand"
    if len(names) == 1:
        return names[0]
    if step.turn_all:
        return " én ".join(names) + " (samen: ieder bevestigt)"
    return " of ".join(names)


def term_text(route: Route, step: Step, *, short: bool = False) -> str:
    """The term of a step in words, with where it runs from and who may set it. ``short``: the
    label as users read it, without the number of days behind it."""
    if step.term_days is None:
        text = step.term_label or ("geen" if short else "geen termijn")
    else:
        days = f"{step.term_days} dagen"
        if short or not step.term_label:
            text = step.term_label or days
        else:
            text = f"{step.term_label} ({days})"
        if step.term_from == "opened":
            text += ", vanaf het openen van de casus"
        elif step.term_from != "entered":
            trigger = route.triggers.get(step.term_from)
            text += f", vanaf '{trigger.label if trigger else step.term_from}'"
    if step.term_keeps:
        text += "; bij terugkeer loopt de termijn door"
    if step.term_set_by:
        text += f"; einddatum per casus door {guards.role_label(route, step.term_set_by)}"
    return text




def _step_text(route: Route, step: Step) -> list[str]:
    lines = [f"{step.title}  [{step.id}]"]
    if step.description:
        lines.append(f"  {step.description}")
    if step.final and not step.turn_roles:
        lines.append("  Eindstap: niemand aan zet")
    else:
        prefix = "Eindstap; aan zet" if step.final else "Aan zet"
        lines.append(f"  {prefix}: {turn_text(route, step)}")
    if step.involved:
        others = ", ".join(f"{_role(route, r)} ({letter})" for r, letter in step.involved.items())
        lines.append(f"  Verder betrokken: {others}")
    if not step.final or step.term_days is not None or step.term_set_by:
        lines.append(f"  Termijn: {term_text(route, step)}")
    if step.checklist:
        lines.append("  Voor vertrek afvinken:")
        for item in step.checklist:
            extra = []
            if item.optional:
                extra.append("optioneel")
            if item.ticked_by:
                who = ", ".join(guards.role_label(route, r) for r in item.ticked_by)
                extra.append(f"af te vinken door {who}")
            suffix = f"  ({'; '.join(extra)})" if extra else ""
            lines.append(f"    [ ] {item.label}{suffix}")
    outgoing = route.triggers_from(step.id)
    starts = [
        t
        for t in route.triggers.values()
        if NOT_STARTED in t.sources
        and any(g.name == "in_step" and step.id in guards.as_list(g.param) for g in t.guards)
    ]
    if outgoing or starts:
        lines.append("  Volgende stappen:")
        for trigger in outgoing + starts:
            dest = route.steps[trigger.dest].title
            cond = ", ".join(guard_description(g, route) for g in trigger.guards)
            cond_text = f"  (voorwaarden: {cond})" if cond else ""
            auto = " (automatisch)" if trigger.automatic else ""
            lines.append(f"    → {dest}: {trigger.label} [{trigger.id}]{auto}{cond_text}")
    return lines


SEES_TEXT = {
    "school": "alle casussen van de eigen school",
    "assigned": "casussen waaraan toegewezen",
    "swv": "casussen die bij het SWV liggen of lagen",
}


def _roles_text(route: Route) -> list[str]:
    lines = ["== Rollen ==", ""]
    for role in route.roles.values():
        rights = [f"ziet {SEES_TEXT.get(role.sees, role.sees)}"]
        if role.external and role.sees == "assigned":
            rights.append("met toestemming van de ouders")
        if role.assigns:
            rights.append("wijst toe: " + ", ".join(guards.role_label(route, r) for r in role.assigns))
        lines.append(f"{role.label}  [{role.id}]: {'; '.join(rights)}")
    return lines + [""]


def _records_text(route: Route) -> list[str]:
    if not route.decisions and not route.documents:
        return []
    lines = ["== Besluiten en documenten ==", ""]
    for d in route.decisions.values():
        by = ", ".join(guards.role_label(route, r) for r in d.recorded_by)
        lines.append(f"Besluit {d.label}  [{d.id}]: {' / '.join(d.outcomes)}; vastgelegd door {by}")
        for f in d.fields:
            choice = f" ({' / '.join(f.choices)})" if f.choices else ""
            notes = "".join(f"; {n}" for n in f.notes())
            required = ", verplicht" if f.required else ""
            lines.append(f"  veld {f.label} [{f.id}]: {f.type}{choice}{required}{notes}")
    for doc in route.documents.values():
        by = ", ".join(guards.role_label(route, r) for r in doc.recorded_by)
        lines.append(f"Document {doc.label}  [{doc.id}]: vastgelegd door {by}")
    return lines + [""]


def to_text(route: Route) -> str:
    """A readable Dutch 'wie doet wat' listing of every step, track by track."""
    lines = [f"{route.name} (versie {route.version})", RACI_LEGEND, ""]
    lines += _roles_text(route) + _records_text(route)
    for track in route.tracks.values():
        header = f"== {track.label} =="
        if track.optional:
            starters = [
                t.label for t in route.triggers.values() if t.track == track.id and NOT_STARTED in t.sources
            ]
            header += f"  (optioneel spoor; start met: {', '.join(starters) or '—'})"
        lines += [header, ""]
        for step in route.steps_of(track.id):
            lines += _step_text(route, step)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
