"""The route a database holds: stored when the database is first used, replaced only by
``kindroute workflow install``, and kept per version so every case replays under the route it
ran under.

* :func:`route_in_use` gives the route every command and the TUI work with: the stored one; a
  route file given with ``--route`` must be that same route (same text), or the database must be
  new (then that file becomes its route).
* :func:`install_route` adopts a new version in one transaction: every open case's current steps
  must exist in the new route or be moved by its ``[[migrate]]`` table; each open case gets a
  history event saying so, and remembers from which event on it runs under the new version.
* :func:`route_plans` tells the audit which route each case's events ran under.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kindroute.errors import AccessDenied, InvalidInput, RouteMismatch, StepNotAllowed
from kindroute.services import history
from kindroute.services.dto import Actor
from kindroute.services.stored_route import current_row, parse_stored
from kindroute.store.db import Database
from kindroute.store.models import Case, CaseRoute, CaseTrack, RouteVersion
from kindroute.store.uow import UnitOfWork
from kindroute.workflow import NOT_STARTED, Route, get_engine, load_route
from kindroute.workflow.model import ROUTE_INSTALL_TRIGGER, SEES_ASSIGNED
from kindroute.workflow.vocabulary import STATUS_OPEN

#: How many stranded cases an install refusal lists before "and N more".
SHOW_STRANDED = 20


def _current_row(session: Session | Connection) -> Any:
    return current_row(session)


def has_routes(conn: Connection | Session) -> bool:
    """The schema has the routes table (not so on a database opened without migrating)."""
    bind = conn.connection() if isinstance(conn, Session) else conn
    return inspect(bind).has_table(RouteVersion.__tablename__)


def stored_route(db: Database) -> Route | None:
    """The route the database holds, or None when it holds none yet."""
    with UnitOfWork(db, write=False) as uow:
        if not has_routes(uow.connection):
            return None
        row = _current_row(uow.connection)
    return parse_stored(row) if row is not None else None


def route_for_reading(db: Database, requested: Route | None = None) -> Route:
    """The route to read ``db`` with, changing nothing: the stored route (a different requested
    route is refused), else the requested or the default route."""
    stored = stored_route(db)
    if stored is None:
        return requested if requested is not None else load_route()
    if requested is not None and requested.hash != stored.hash:
        raise RouteMismatch(mismatch_message(stored, requested))
    return stored


def _store_first(db: Database, route: Route, now: datetime) -> None:
    """Store the first route of a database (a concurrent first use may have beaten us to it)."""
    try:
        with UnitOfWork(db) as uow:
            if _current_row(uow.connection) is None:
                uow.connection.execute(RouteVersion.__table__.insert(), {
                    "name": route.name, "version": route.version, "hash": route.hash,
                    "content": route.text, "installed_at": now, "installed_by_id": None,
                })
                _seal_routes(db, uow.connection, None, now)
            uow.commit()
    except IntegrityError:
        pass  # another session stored the first route at the same moment: theirs stands


def _seal_routes(db: Database, conn: Connection, actor: Actor | None, now: datetime,
                 gone: Iterable[int] = ()) -> None:
    """The installed routes changed: an event of the register chain naming every route row (and
    the ``gone`` ones, removed)."""
    from kindroute.services import register

    ids = list(conn.execute(select(RouteVersion.id)).scalars())
    register.record(db, conn, actor, now, "route", [("routes", i) for i in [*gone, *ids]])


def mismatch_message(stored: Route, requested: Route) -> str:
    return (
        f"Deze database gebruikt route '{stored.name}' (versie {stored.version}); het routebestand "
        f"{requested.source} is een andere route ('{requested.name}', versie {requested.version}). "
        "Laat --route weg om de route van de database te gebruiken, of neem het bestand in gebruik "
        f"met: kindroute workflow install {requested.source} --as PERSOON"
    )


def _replace_on_empty(db: Database, route: Route, now: datetime) -> bool:
    """On a database without cases: make ``route`` its only route. False when it has cases."""
    with UnitOfWork(db) as uow:
        conn = uow.connection
        if conn.execute(select(Case.id).limit(1)).first() is not None:
            return False
        gone = list(conn.execute(select(RouteVersion.id)).scalars())
        conn.execute(RouteVersion.__table__.delete())
        conn.execute(RouteVersion.__table__.insert(), {
            "name": route.name, "version": route.version, "hash": route.hash,
            "content": route.text, "installed_at": now, "installed_by_id": None,
        })
        _seal_routes(db, conn, None, now, gone)
        uow.commit()
    return True


def route_in_use(db: Database, requested: Route | None = None, *, now: datetime | None = None,
                 adopt_if_empty: bool = False) -> Route:
    """The route to work with on ``db``.

    The database's own route; on a database without one (new, or from before routes were
    stored) the requested route (or the default route) is stored and used. A requested route
    that differs from the stored one is refused with a message naming ``workflow install`` —
    except with ``adopt_if_empty`` (demo data) on a database without cases, which takes it.
    """
    with UnitOfWork(db, write=False) as uow:
        row = _current_row(uow.connection)
    if row is None:
        route = requested if requested is not None else load_route()
        if route.text:
            _store_first(db, route, now or datetime.now())
            with UnitOfWork(db, write=False) as uow:
                row = _current_row(uow.connection)
        if row is None or row.hash == route.hash:
            return route
    stored = parse_stored(row)
    if requested is not None and requested.hash != stored.hash:
        if adopt_if_empty and requested.text and _replace_on_empty(db, requested, now or datetime.now()):
            return requested
        raise RouteMismatch(mismatch_message(stored, requested))
    return requested if requested is not None else stored


# ----------------------------------------------------------------------------- versions per case


def route_versions(conn: Connection | Session) -> dict[int, Route]:
    """Every stored route by id."""
    rows = conn.execute(select(RouteVersion.id, RouteVersion.name, RouteVersion.version, RouteVersion.hash,
                               RouteVersion.content)).all()
    return {row.id: parse_stored(row) for row in rows}


@dataclass(frozen=True)
class RoutePlans:
    """Which route each case's history ran under: segments ``(from_seq, route)`` per case."""

    first: Route | None
    by_version: dict[str, Route]
    segments: dict[int, list[tuple[int, Route]]]

    def for_case(self, case_id: int, version: str, fallback: Route) -> list[tuple[int, Route]]:
        """The segments of a case: from its rows, else its route version, else the first route."""
        found = self.segments.get(case_id)
        if found:
            return found
        route = self.by_version.get(version) or self.first or fallback
        return [(0, route)]


def route_plans(conn: Connection | Session) -> RoutePlans:
    if not has_routes(conn):
        return RoutePlans(None, {}, {})
    routes = route_versions(conn)
    segments: dict[int, list[tuple[int, Route]]] = {}
    for case_id, from_seq, route_id in conn.execute(
        select(CaseRoute.case_id, CaseRoute.from_seq, CaseRoute.route_id)
        .order_by(CaseRoute.case_id, CaseRoute.from_seq)
    ):
        if route_id in routes:
            segments.setdefault(case_id, []).append((from_seq, routes[route_id]))
    first = routes[min(routes)] if routes else None
    return RoutePlans(first, {r.version: r for r in routes.values()}, segments)


Event = tuple[int, str, str, str, str]
Moves = dict[int, list[tuple[str, str, str]]]


def replay_case(plan: list[tuple[int, Route]], events: Iterable[Event]) -> dict[str, str]:
    """Replay (seq, track, from, to, trigger) events, each under the route of its segment."""
    steps: dict[str, str] | None = None
    bounds = [seq for seq, _r in plan[1:]]
    routes = [r for _s, r in plan]
    index = 0
    batch: list[tuple[str, str, str, str]] = []

    def flush() -> None:
        nonlocal steps, batch
        engine = get_engine(routes[index])
        start = dict(steps) if steps is not None else None
        if start is not None:  # tracks of a new version that the case never entered
            for tid in engine.route.tracks:
                start.setdefault(tid, engine.initial_steps()[tid])
        steps = engine.replay(batch, start)
        batch = []

    for seq, track, source, dest, trigger in events:
        while index < len(bounds) and seq >= bounds[index]:
            flush()
            index += 1
        batch.append((track, source, dest, trigger))
    flush()
    while index < len(bounds):  # a switch without events after it
        index += 1
        flush()
    return steps or {}


# ----------------------------------------------------------------------------- install


@dataclass(frozen=True)
class InstallResult:
    name: str
    version: str
    previous: str
    cases: int  # open cases moved onto the new version
    migrated: int  # of which a step changed by [[migrate]]


def may_install(route: Route, actor: Actor) -> bool:
    """A person whose role sees more than their own assigned cases (the school's IB or director,
    the SWV) may install a route."""
    return any(
        (role := route.roles.get(r)) is not None and role.sees != SEES_ASSIGNED for r in actor.roles
    )


def _plan_moves(current: Route, new: Route, rows: list[Any]) -> tuple[Moves, list[str]]:
    """Per open case the (track, old step, new step) of its tracks, and the stranded cases."""
    moves: dict[int, list[tuple[str, str, str]]] = {}
    stranded: list[str] = []
    for case_id, track, step in rows:
        if step in new.steps and new.steps[step].track == track:
            target = step
        else:
            target = new.migrate.get(step, "")
            if target not in new.steps or new.steps[target].track != track:
                title = current.steps[step].title if step in current.steps else step
                why = (
                    f"[[migrate]] wijst naar '{target}', dat niet in spoor '{track}' ligt"
                    if target else "en [[migrate]] zegt niet waarheen"
                )
                stranded.append(
                    f"casus {case_id}: stap '{step}' ({title}) bestaat niet in versie {new.version} {why}"
                )
                continue
        moves.setdefault(case_id, []).append((track, step, target))
    return moves, stranded


def install_route(db: Database, actor: Actor, new: Route, now: datetime) -> InstallResult:
    """Adopt ``new`` as the database's route, in one transaction (see the module docstring)."""
    with UnitOfWork(db) as uow:
        s = uow.session
        row = _current_row(s)
        current = parse_stored(row) if row is not None else load_route()
        if not may_install(current, actor):
            raise AccessDenied(
                f"U ({actor.name}) mag geen route installeren: dat mag een rol die meer ziet dan de eigen "
                "toegewezen casussen (intern begeleider, directeur, SWV)."
            )
        if row is not None and row.hash == new.hash:
            raise InvalidInput(f"Route '{new.name}' versie {new.version} is al in gebruik; niets te doen.")
        same_version = s.scalar(select(RouteVersion.id).where(RouteVersion.version == new.version))
        if same_version is not None:
            raise InvalidInput(
                f"Versie {new.version} is al eerder geïnstalleerd met een andere inhoud. Geef de nieuwe "
                "route een eigen versie ([route] version = \"…\")."
            )
        if row is None:  # a database used before routes were stored: keep what it ran under
            s.add(RouteVersion(name=current.name, version=current.version, hash=current.hash,
                               content=current.text or "", installed_at=now))
            s.flush()
            row = _current_row(s)
        rows = s.execute(
            select(CaseTrack.case_id, CaseTrack.track, CaseTrack.step)
            .join(Case, Case.id == CaseTrack.case_id)
            .where(Case.status == STATUS_OPEN, CaseTrack.step != NOT_STARTED)
            .order_by(CaseTrack.case_id, CaseTrack.track)
        ).all()
        moves, stranded = _plan_moves(current, new, rows)
        if stranded:
            shown = stranded[:SHOW_STRANDED]
            if len(stranded) > SHOW_STRANDED:
                shown.append(f"… en nog {len(stranded) - SHOW_STRANDED} casus(sen)")
            raise StepNotAllowed(
                f"Route '{new.name}' versie {new.version} is niet geïnstalleerd: {len(stranded)} open "
                "casus(sen) zouden vastlopen. Voeg [[migrate]] toe "
                "(from = \"oude_stap\", to = \"nieuwe_stap\").",
                shown,
            )
        version_row = RouteVersion(name=new.name, version=new.version, hash=new.hash, content=new.text,
                                   installed_at=now, installed_by_id=actor.id)
        s.add(version_row)
        s.flush()
        migrated = _move_cases(db, s, actor, current, new, row.id, version_row.id, moves, now)
        from kindroute.services.clocks import refresh_every_case  # clocks needs the services' context

        refresh_every_case(s.connection(), new)  # the new version's terms and clocks count from now
        _seal_routes(db, s.connection(), actor, now)
        uow.commit()
        return InstallResult(new.name, new.version, current.version, len(moves), migrated)


def _move_cases(db: Database, s: Session, actor: Actor, current: Route, new: Route, old_id: int,
                new_id: int, moves: Moves, now: datetime) -> int:
    """Write the install event(s) of every open case and move its tracks; returns how many
    cases changed step."""
    engine = get_engine(new)
    note = f"Route '{new.name}' versie {new.version} in gebruik genomen (was versie {current.version})"
    has_rows = set(s.scalars(select(CaseRoute.case_id).where(CaseRoute.case_id.in_(list(moves)))).all()) \
        if moves else set()
    migrated = 0
    main = new.main_track.id
    for case_id, tracks in moves.items():
        case = s.get(Case, case_id)
        assert case is not None
        changed = [(t, a, b) for t, a, b in tracks if a != b]
        migrated += bool(changed)
        events = changed or [next(((t, a, b) for t, a, b in tracks if t == main), tracks[0])]
        first_seq = case.history_count + 1
        for track, _source, dest in changed:
            row = s.get(CaseTrack, (case_id, track))
            assert row is not None
            row.step = dest
            row.entered_at = now
            row.entered_seq = first_seq
            row.at_turn_role = engine.at_turn_role(dest)
            row.deadline = engine.deadline(dest, now.date(), opened_on=case.opened_at.date())
        if case_id not in has_rows:
            s.add(CaseRoute(case_id=case_id, from_seq=0, route_id=old_id))
        s.add(CaseRoute(case_id=case_id, from_seq=first_seq, route_id=new_id))
        case.route_version = new.version
        case.updated_at = now
        case.version = (case.version or 0) + 1
        s.flush()
        # the install event(s) in the case's keyed history; the last one seals what changed
        conn = s.connection()
        key = history.history_key_for(db, conn, write=True)
        head, seq = case.history_head, case.history_count
        for n, (track, source, dest) in enumerate(events, start=1):
            records: list[history.Record] = []
            if n == len(events):
                records = history.record_digests(conn, "cases", [case_id]) + history.record_digests(
                    conn, "case_tracks", [t for t, _a, _b in changed], case_id)
            seq, head = history.append_event(
                conn, key, case_id=case_id, prev_hash=head, prev_count=seq, kind="step", actor=actor,
                at=now, records=records, note=note, track=track, from_step=source, to_step=dest,
                trigger=ROUTE_INSTALL_TRIGGER)
        case.history_head, case.history_count = head, seq
    s.flush()
    return migrated


def route_history(db: Database) -> list[dict[str, Any]]:
    """Every stored route version, oldest first (for ``workflow versions``)."""
    with UnitOfWork(db, write=False) as uow:
        counts = dict(uow.connection.execute(
            select(Case.route_version, func.count()).group_by(Case.route_version)).all())
        rows = uow.connection.execute(
            select(RouteVersion.id, RouteVersion.name, RouteVersion.version, RouteVersion.hash,
                   RouteVersion.installed_at).order_by(RouteVersion.id)).all()
    return [
        {"name": r.name, "version": r.version, "hash": r.hash, "installed_at": r.installed_at,
         "cases": counts.get(r.version, 0)}
        for r in rows
    ]
