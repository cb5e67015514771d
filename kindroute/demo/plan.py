"""Route planning: which path a demo case takes through the route to the step it stands in.

Paths are planned once per route (a few variants per step, some with a detour), not per
case; :func:`allocate` then says which step each case stands in.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from kindroute.demo.data import JEUGDHULP_SHARE, STEP_WEIGHTS
from kindroute.store.chain import step_part


@dataclass(frozen=True)
class Move:
    """One trigger as the demo takes it, with what its guards need."""

    track: str
    trigger: str
    source: str
    dest: str
    checklist: tuple[str, ...]  # items of the source step to tick before leaving
    consents: tuple[str, ...]  # roles needing valid consent
    assigned: tuple[str, ...]  # roles needing a person
    consent_assigned_external: bool
    #: decisions the guards need: (decision id, outcome)
    decisions: tuple[tuple[str, str], ...]
    #: advices the guards need: (roles, count, document kind or None)
    advices: tuple[tuple[tuple[str, ...], int, str | None], ...]
    author_role: str | None  # at turn in the source step
    enc: str  # track, from, to, trigger encoded once for the hash chain (chain.step_part)


@dataclass
class RoutePlan:
    """Every path the demo takes through one route, with what each step asks."""

    route: Any
    engine: Any
    main: str
    start: str
    moves: dict[str, Move]
    paths: dict[str, list[list[Move]]]  # main target step -> path variants
    side_track: str | None = None
    side_paths: dict[str, list[Move]] = field(default_factory=dict)  # side step -> moves from start
    side_in_step: tuple[str, ...] = ()  # main steps the side track may start from
    external: frozenset[str] = frozenset()
    checklists: dict[str, list[str]] = field(default_factory=dict)
    #: step -> (a decision a way out needs, the first way out that needs consent)
    outs: dict[str, tuple[tuple[str, str] | None, Move | None]] = field(default_factory=dict)


def _move(route: Any, trigger: Any, source: str) -> Move:
    from kindroute.workflow import NOT_STARTED

    checklist: tuple[str, ...] = ()
    consents: list[str] = []
    assigned: list[str] = []
    cae = False
    decisions: list[tuple[str, str]] = []
    advices: list[tuple[tuple[str, ...], int, str | None]] = []
    for g in trigger.guards:
        param = g.param
        if g.name == "checklist_complete" and source in route.steps:
            checklist = tuple(i.id for i in route.steps[source].checklist)
        elif g.name == "consent":
            consents += list(param) if isinstance(param, list | tuple) else [param]
        elif g.name == "assigned":
            assigned += list(param) if isinstance(param, list | tuple) else [param]
        elif g.name == "consent_assigned_external":
            cae = True
        elif g.name == "decision":
            ident = param["id"]  # one decision id, or several (the first is today's)
            decisions.append((ident if isinstance(ident, str) else ident[0], param["outcome"]))
        elif g.name == "decided":
            decisions.append((param, route.decisions[param].outcomes[0]))
        elif g.name == "advices":
            roles = param["roles"]
            roles = tuple(roles) if isinstance(roles, list | tuple) else (roles,)
            advices.append((roles, int(param["count"]), param.get("document")))
    author = None if source == NOT_STARTED else route.steps[source].at_turn
    enc = step_part(trigger.track, source, trigger.dest, trigger.id)
    return Move(trigger.track, trigger.id, source, trigger.dest, checklist, tuple(consents), tuple(assigned),
                 cae, tuple(decisions), tuple(advices), author, enc)


def _distances(route: Any, track: str, target: str) -> dict[str, int]:
    """Steps from which ``target`` can be reached, with the number of steps needed."""
    back: dict[str, list[str]] = {}
    for t in route.triggers.values():
        if t.track == track:
            for s in t.sources:
                back.setdefault(t.dest, []).append(s)
    dist = {target: 0}
    queue = deque([target])
    while queue:
        s = queue.popleft()
        for p in back.get(s, []):
            if p not in dist:
                dist[p] = dist[s] + 1
                queue.append(p)
    return dist


def plan_route(route: Any, seed: int = 0) -> RoutePlan:
    """Paths through ``route`` to every step, planned once (a few variants per step)."""
    from kindroute.workflow import NOT_STARTED, get_engine

    rng = random.Random(f"paths-{seed}")
    main = route.main_track
    moves = {
        (t.id, s): _move(route, t, s) for t in route.triggers.values() for s in t.sources
    }
    by_source: dict[str, list[Move]] = {}
    for (_tid, s), m in moves.items():
        by_source.setdefault(s, []).append(m)
    paths: dict[str, list[list[Move]]] = {}
    for step in route.steps_of(main.id):
        dist = _distances(route, main.id, step.id)
        if main.start not in dist:
            continue
        variants: list[list[Move]] = []
        seen: set[tuple[str, ...]] = set()
        for attempt in range(8):
            detour = 0.0 if attempt == 0 else 0.35
            cur, path = main.start, []
            limit = dist[main.start] + 5
            while True:
                options = [m for m in by_source.get(cur, []) if m.track == main.id and m.dest in dist]
                if cur == step.id and (path or attempt == 0 or rng.random() < 0.5):
                    break
                closer = [m for m in options if dist[m.dest] < dist.get(cur, 99)]
                free = [m for m in options if len(path) + 1 + dist[m.dest] <= limit]
                if closer and (rng.random() >= detour or not free):
                    m = closer[0] if attempt == 0 else rng.choice(closer)
                elif free:
                    m = rng.choice(free)
                else:
                    break
                path.append(m)
                cur = m.dest
            key = tuple(m.trigger for m in path)
            if cur == step.id and key not in seen:
                seen.add(key)
                variants.append(path)
            if len(variants) >= 4:
                break
        paths[step.id] = variants
    plan = RoutePlan(route=route, engine=get_engine(route), main=main.id, start=main.start,
                 moves=dict(moves), paths=paths,
                 external=frozenset(r.id for r in route.roles.values() if r.external))
    plan.checklists = {s.id: [c.id for c in s.checklist] for s in route.steps.values()}
    for s in route.steps:
        outs = [moves[(t.id, s)] for t in route.triggers_from(s)]
        needed = [d for m in outs for d in m.decisions if route.decisions[d[0]].scope == "step"]
        plan.outs[s] = (needed[0] if needed else None,
                        next((m for m in outs if m.consents or m.consent_assigned_external), None))
    side = next((t for t in route.tracks.values() if t.optional), None)
    if side is not None:
        starts = [m for (_t, s), m in moves.items() if s == NOT_STARTED and m.track == side.id]
        if starts:
            first = starts[0]
            trig = route.triggers[first.trigger]
            in_step = [g.param for g in trig.guards if g.name == "in_step"]
            plan.side_track = side.id
            plan.side_in_step = tuple(
                s for p in in_step for s in (p if isinstance(p, list | tuple) else [p])
            ) or tuple(s.id for s in route.steps_of(main.id) if not s.final)
            for step in route.steps_of(side.id):
                dist = _distances(route, side.id, step.id)
                if first.dest not in dist:
                    continue
                cur, path = first.dest, [first]
                while cur != step.id:
                    m = next(m for m in by_source[cur]
                             if m.track == side.id and dist.get(m.dest, 99) < dist[cur])
                    path.append(m)
                    cur = m.dest
                plan.side_paths[step.id] = path
    return plan



def allocate(plan: RoutePlan, n: int, rng: random.Random) -> list[tuple[str, str | None]]:
    """Which step each case stands in: every step at least once, then by weight."""
    steps = list(plan.paths)
    out: list[tuple[str, str | None]] = [(s, None) for s in steps]
    if plan.side_track:
        host = next((s for s in plan.side_in_step if s in plan.paths), None)
        if host is not None:
            out += [(host, side) for side in plan.side_paths]
    weights = [STEP_WEIGHTS.get(s, 4) for s in steps]
    sides = list(plan.side_paths)
    extra = rng.choices(steps, weights, k=max(0, n - len(out)))
    for s in extra:
        side = rng.choice(sides) if sides and rng.random() < JEUGDHULP_SHARE else None
        out.append((s, side))
    out = out[:n]
    rng.shuffle(out)
    return out
