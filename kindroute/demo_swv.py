"""Demo data for the SWV's view: the sociale kaart, the verbeterbord with a retrospective, and
Plus-klas locations with placements and a waiting list — for the demo's small SWV.

Written through the services (as a user would), after the cases exist, so the Plus-klas places
go to cases that stand in the Plus-klas step and the waiting list to cases asking for one.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from kindroute.errors import KindrouteError

#: (name, kind, contact, reach, meetings, schools by index (None: all))
PARTNERS: tuple[tuple[str, str, str, str, str, tuple[int, ...] | None], ...] = (
    ("Wijkteam Noord", "wijkteam", "Kevin Brouwer", "088 123 45 60 · wijkteamnoord@example.nl",
     "Spreekuur op school elke 2e dinsdag", (0, 1)),
    ("CJG Centrum", "wijkteam", "Naima Ouali", "088 123 45 70 · cjg@example.nl",
     "MDO op afroep; inloop vrijdagochtend", (2,)),
    ("GGD Regio Rijn & Vallei", "ggd", "Linda Meijer", "0318 123 456 · jgz@example.nl",
     "Jeugdarts sluit aan bij het ondersteuningsteam", None),
    ("Schoolmaatschappelijk werk Vallei", "smw", "Esther Kok", "06 12 34 56 78",
     "Wekelijks op maandag op school", None),
    ("Kinderopvang De Boomhut", "kinderopvang", "Marloes de Jong", "0318 654 321",
     "Warme overdracht bij instroom groep 1", (0,)),
    ("SO De Piramide", "so_school", "Gert Hofman", "0318 777 888 · aanmelding@example.nl",
     "Consultatie na TLV-aanvraag", None),
    ("Logopediepraktijk Spraakwater", "logopedie", "Inge Smits", "0318 222 333",
     "Behandeling op school, op woensdag", (1, 2)),
    ("Plusklas De Ontdekking", "plusklas", "Anouk Peters", "06 98 76 54 32",
     "Overdracht met de leerkracht na elk blok", (0, 1)),
)

#: (action, goal, status, due in days (negative: past), step or None, school index or None)
ACTIONS: tuple[tuple[str, str, str, int, str | None, int | None], ...] = (
    ("Vaste MDO-momenten per school inplannen", "Minder wachttijd voor het ondersteuningsteam",
     "bezig", 14, "ondersteuningsteam", None),
    ("Checklist complete aanvraag delen met alle IB'ers", "Aanvragen in één keer compleet",
     "doen", 21, "arrangement_aanvraag", None),
    ("Intervisie OPP-schrijven voor IB'ers", "OPP binnen 6 weken vastgesteld",
     "idee", 60, "opp_opstellen", None),
    ("Terugkoppeling Plus-klas naar de leerkracht standaardiseren", "Overdracht thuis nabij",
     "klaar", -20, "plusklas", None),
    ("Tweede Plus-klaslocatie in het westen verkennen", "Kortere wachtlijst Plus-klas",
     "idee", 90, "plusklas", None),
    ("Signaleringsformulier vereenvoudigen", "Signalering binnen 2 weken rond",
     "bezig", -3, "signalering", 0),
    ("Leerlingbesprekingen vooraf plannen voor het hele jaar", "Geen casus langer dan 2 weken in bespreking",
     "doen", 30, "leerlingbespreking", 1),
    ("Ouders standaard uitnodigen bij evaluatie", "Ouders als partner", "klaar", -45, "evaluatie", 2),
)


def fill_swv(db: Any, *, route: Any, now: datetime, seed: int = 1) -> None:
    """Partners, improvement actions, a retrospective and Plus-klas places (once per database)."""
    from kindroute.services import Services

    svc = Services(db, route, clock=lambda: now)
    if svc.partners.list():
        return  # already there (demo --append)
    rng = random.Random(seed)
    schools = sorted(svc.list_schools(), key=lambda s: s.id)  # the demo's order: De Regenboog first
    people = {p.name: p for p in svc.list_people()}
    # someone of the SWV: a role of the route that sees the SWV's cases
    swv_roles = {r.id for r in svc.route.roles.values() if r.sees == "swv"}
    swv_people = [p for p in svc.list_people() if swv_roles & set(p.roles)]
    if not schools or not swv_people:
        return
    swv = svc.resolve_actor(swv_people[0].id)
    for name, kind, contact, reach, meetings, idx in PARTNERS:
        chosen = schools if idx is None else [schools[i] for i in idx if i < len(schools)]
        svc.partners.add(swv, name, kind=kind, contact=contact, reach=reach, meetings=meetings,
                         schools=[s.id for s in chosen],
                         people=[people[contact].id] if contact in people else [])
    ibs = svc.list_people(role="ib")
    for action, goal, status, due, step, school in ACTIONS:
        owner = (rng.choice(swv_people) if school is None
                 else next((p for p in ibs if p.school_id == schools[school].id), swv_people[0]))
        board = schools[school].id if school is not None and school < len(schools) else None
        row = svc.board.add(swv, action, goal=goal, owner=owner.id, due=(now + timedelta(days=due)).date(),
                            school=board,
                            step=step if step in route.steps else None, status=status)
        if status == "klaar":
            svc.board.done(swv, row.id, success="Afgesproken werkwijze staat in het handboek van het SWV")
    svc.board.add_retro(swv, held_on=(now - timedelta(days=7)).date(),
                        went_well="Bordsessies op maandag zijn kort en iedereen weet wat er speelt",
                        can_be_better="Acties blijven te lang in 'idee' staan",
                        actions="Elke bordsessie één idee naar 'doen'")
    _plusklas(svc, swv, schools, now, rng)


def _plusklas(svc: Any, swv: Any, schools: list[Any], now: datetime, rng: random.Random) -> None:
    """Two locations; the cases in the Plus-klas step placed, some requests waiting."""
    from kindroute.services import CaseFilter

    if "plusklas" not in svc.route.steps or len(schools) < 2:
        return
    last = schools[-1]
    first = svc.plusklas.add_location(swv, "Plusklas De Ontdekking", places=6, school=schools[0].id,
                                      days="di do", serves=[(schools[1].id, 15, 6.5)])
    second = svc.plusklas.add_location(swv, "Plusklas Het Anker", places=4, school=last.id, days="wo",
                                       serves=[(schools[1].id, 20, 9.0)])
    by_school = {schools[0].id: first.name, last.id: second.name}

    def location_for(school_id: int, k: int) -> str:
        return by_school.get(school_id) or (first.name if k % 2 == 0 else second.name)

    today = now.date()
    placed = svc.list_cases(None, CaseFilter(step="plusklas"), limit=40)
    for k, row in enumerate(placed):
        school = next(s for s in schools if s.name == row.school)
        start = min(today, today - timedelta(days=rng.randint(0, 40)))
        try:
            svc.plusklas.place(swv, row.id, location_for(school.id, k), days="di", start=start,
                               requested=start - timedelta(days=rng.randint(5, 50)))
        except KindrouteError:
            continue
    asking = svc.list_cases(None, CaseFilter(step="arrangement_aanvraag"), limit=5)
    for k, row in enumerate(asking):
        school = next(s for s in schools if s.name == row.school)
        try:
            svc.plusklas.place(swv, row.id, location_for(school.id, k),
                               requested=today - timedelta(days=rng.randint(1, 30)))
        except KindrouteError:
            continue
