"""Realistic demo data: schools, staff, pupils and cases spread over every step of the route.

``generate(db, cases=60, seed=1, now=...)`` fills a database in one transaction. The
same seed (and the same ``now``) gives the same data. The staff is the same for every
seed, so ``--as "Ingrid Bakker"`` (IB of the first school) and ``--as "Tom de Wit"``
(a teacher there) always work.

Every case has a history that the route allows: events walk the route from its start
to the case's current step, each by the person at turn with a Dutch note; the hash
chain is computed exactly as :mod:`kindroute.store.chain` does; the consents, checklist
ticks and documents each step's guards needed exist, dated before the step. After the
last step some consents are withdrawn, expired or missing, so some next steps are
blocked, as in real life.

Speed: paths through the route are planned once per route (a few variants per step),
not per case, and rows go in with one ``executemany`` per table (no ORM objects), so
100,000 cases take seconds. The same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from kindroute.errors import InvalidInput

log = logging.getLogger(__name__)

# ----------------------------------------------------------------------------- fixed data

#: The three demo schools (name, BRIN). The first is Ingrid Bakker's.
SCHOOLS: tuple[tuple[str, str], ...] = (
    ("OBS De Regenboog", "21KL"),
    ("CBS De Wegwijzer", "07PQ"),
    ("IKC Het Kompas", "13XR"),
)

SWV = "SWV Passend Primair Onderwijs Rijn & Vallei"

#: Staff per school: IB, director, and a teacher per group (1..8).
SCHOOL_STAFF: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Ingrid Bakker", "Henk Jansen", (
        "Sanne Visser", "Fatima El Amrani", "Daan Smit", "Lotte van Dijk",
        "Tom de Wit", "Emre Kaya", "Mirjam de Boer", "Joost Mulder",
    )),
    ("Saskia Vermeulen", "Peter van den Berg", (
        "Anouk Hendriks", "Bram Willems", "Nadia Benali", "Kees van Leeuwen",
        "Esra Yıldız", "Wouter Prins", "Femke Bos", "Ricardo Martis",
    )),
    ("Yvonne Hoekstra", "Mohamed Bouzid", (
        "Merel Kuipers", "Ilse de Graaf", "Sevda Arslan", "Bart Scholten",
        "Hanneke van der Veen", "Rachid Amrani", "Jolien Post", "Stefan de Haan",
    )),
)

#: Staff outside the schools: (name, role, organisation).
OUTSIDE_STAFF: tuple[tuple[str, str, str], ...] = (
    ("Marieke Dekker", "so_expert", SWV),
    ("Ruud Bosman", "so_expert", SWV),
    ("Anouk Peters", "plusklas", "Plusklas De Ontdekking"),
    ("Kevin Brouwer", "jeugdhulp", "Wijkteam Noord"),
    ("Naima Ouali", "jeugdhulp", "CJG Centrum"),
    ("Esther Kok", "smw", "Schoolmaatschappelijk werk Vallei"),
    ("Linda Meijer", "ggd", "GGD Regio Rijn & Vallei"),
    ("Jeroen Koster", "swv", SWV),
    ("Annemiek Vos", "swv", SWV),
)

#: Independent experts whose advice a TLV needs (the outcome of a deskundigenadvies).
EXPERTS = (
    "Marieke Dekker (SO-expert)", "drs. Paul Willems (orthopedagoog)", "Sophie Lammers (GZ-psycholoog)",
)

FIRST_NAMES = (
    # Dutch
    "Daan", "Sem", "Lucas", "Finn", "Levi", "Milan", "Bram", "Luuk", "Jesse", "Thijs", "Noah",
    "Emma", "Julia", "Tess", "Sophie", "Zoë", "Mila", "Sara", "Evi", "Lotte", "Fleur", "Saar", "Nina",
    # Turkish
    "Emir", "Yusuf", "Mert", "Kerem", "Elif", "Zeynep", "Ayşe", "Defne", "Eylül", "Ömer", "Çağla",
    # Moroccan
    "Mohamed", "Adam", "Ayoub", "Ilias", "Rayan", "Noor", "Salma", "Yasmine", "Aya", "Imane", "Hiba",
    # Surinamese / Antillean
    "Jayden", "Shanaya", "Jurvaino", "Djenna", "Giovanni", "Quincy",
    # Polish, Syrian, Eritrean, Ukrainian
    "Jakub", "Zofia", "Omar", "Rania", "Yonas", "Senait", "Oleksandr", "Sofiia",
)

EXTRA_LAST_NAMES = (
    "Yılmaz", "Kaya", "Demir", "Öztürk", "Çelik", "Aydın", "Şahin", "Doğan", "El Amrani", "Bouzid",
    "Benali", "El Idrissi", "Ait Taleb", "Haddou", "Ouali", "Tahiri", "Kromosoeto", "Martina",
    "Nowak", "Kowalska", "Al-Hassan", "Haile", "Tesfay", "Kovalenko", "Bondarenko",
)

PARENT_TITLES = ("moeder", "vader", "moeder", "vader", "verzorger", "ouders")

CONSENT_PURPOSES = {
    "so_expert": "Consultatie, observatie en advies door de SO-expert",
    "plusklas": "Plaatsing in en overdracht met de Plusklas",
    "jeugdhulp": "Toeleiding naar en afstemming met de jeugdhulp (wijkteam/CJG)",
    "smw": "Gesprekken met schoolmaatschappelijk werk en afstemming met school",
    "ggd": "Onderzoek en advies door de jeugdarts van de GGD",
    "swv": "Delen van het dossier met het samenwerkingsverband voor de aanvraag",
}

TRIGGER_NOTES: dict[str, tuple[str, ...]] = {
    "naar_aanpak_groep": (
        "Observatie gedaan in rekenles en op het plein; ouders zijn gebeld en herkennen het beeld.",
        "Zorg over technisch lezen: DMT stagneert. Ouders geïnformeerd bij het tienminutengesprek.",
        "Leerling trekt zich terug in de groep en huilt vaker. Ouders weten ervan.",
    ),
    "naar_leerlingbespreking": (
        "Extra instructie aan de verlengde instructietafel helpt onvoldoende; inbrengen bij IB.",
        "Na acht weken aanpak in de groep nog steeds onrust; doelen niet gehaald.",
    ),
    "doel_behaald": (
        "Doelen behaald, ouders tevreden. Dossier afgesloten.",
        "Leesniveau weer op AVI-niveau van de groep; geen extra ondersteuning meer nodig.",
    ),
    "naar_aanpak_school": (
        "Hulpplan opgesteld: twee keer per week RT bij de onderwijsassistent.",
        "Afgesproken: time-outplek en dagkaart; evaluatie over zes weken.",
    ),
    "naar_ondersteuningsteam": (
        "Hulpplan geëvalueerd; basisondersteuning is niet toereikend. Aanmelden voor het OT.",
        "Ouders willen graag meedenken; inbrengen in het ondersteuningsteam.",
    ),
    "naar_consultatie_so_expert": (
        "OT adviseert consultatie door de SO-expert; ouders hebben toestemming gegeven.",
        "Vraag aan SO-expert: observatie in de groep en handelingsadvies voor de leerkracht.",
    ),
    "terug_naar_ondersteuningsteam": (
        "Plan van aanpak van de SO-expert besproken; terug naar het OT voor vervolg.",
    ),
    "naar_opp_opstellen": (
        "OT: leerling heeft een eigen leerlijn nodig voor rekenen; OPP opstellen.",
        "Uitstroomperspectief bijstellen; OPP wordt opgesteld met ouders.",
    ),
    "terug_naar_aanpak_school": (
        "OT ziet voldoende mogelijkheden binnen de basisondersteuning; hulpplan bijgesteld.",
    ),
    "naar_arrangement_aanvraag": (
        "OPP vastgesteld, ouders akkoord met het handelingsdeel. Arrangement aangevraagd bij het SWV.",
    ),
    "naar_plusklas": (
        "OPP vastgesteld; leerling start na de vakantie in de Plusklas.",
    ),
    "arrangement_toegekend": (
        "SWV heeft het arrangement toegekend voor een schooljaar; start uitvoering.",
    ),
    "plusklas_toegekend": (
        "Arrangement toegekend in de vorm van een Plusklasplaatsing.",
    ),
    "arrangement_afgewezen": (
        "SWV wijst de aanvraag af: eerst de basisondersteuning verder benutten. Terug naar het OT.",
    ),
    "naar_evaluatie": (
        "Tussenevaluaties per doel gedaan; evaluatiegesprek met ouders gepland.",
        "Blok afgerond; evaluatie met ouders en leerling.",
    ),
    "arrangement_verlengen": (
        "Doelen deels behaald; ouders en school willen het arrangement verlengen.",
    ),
    "naar_tlv_aanvraag": (
        "Ondanks het arrangement onvoldoende ontwikkeling; TLV voor SBO aanvragen.",
        "Ouders en school zien dat SO beter past; TLV-aanvraag voorbereid.",
    ),
    "tlv_toegekend": (
        "TLV toegekend; leerling start na de herfstvakantie op SBO De Klimop.",
        "TLV SO cat. 1 toegekend; plaatsing geregeld.",
    ),
    "tlv_afgewezen": (
        "TLV afgewezen: commissie vraagt eerst een arrangement. Terug naar het OT.",
    ),
    "heropenen": (
        "Zorgen zijn terug na de zomervakantie; dossier heropend.",
    ),
    "start_jeugdhulp": (
        "In het OT besproken: gezin heeft steun nodig. Met toestemming aangemeld bij het wijkteam.",
    ),
    "jeugdhulp_gestart": (
        "Intake wijkteam gedaan; gezinscoach start volgende week.",
    ),
    "jeugdhulp_afronden": (
        "Jeugdhulp afgerond; afspraken overgedragen aan school en ouders.",
    ),
}

FREE_NOTES = (
    "Gesprek met moeder gehad; thuis gaat het beter sinds de nieuwe dagstructuur.",
    "Leerling gaf zelf aan dat de koptelefoon helpt bij zelfstandig werken.",
    "Resultaten Cito M-toets besproken met ouders.",
    "Vader belde: leerling slaapt slecht, afgesproken om over twee weken te evalueren.",
    "Observatie op het plein: speelt vaker samen met klasgenoten.",
    "Verslag van het oudergesprek toegevoegd aan het dossier in ParnasSys.",
)

AGREEMENTS = (
    ("Verslag van het OT naar ouders sturen", "ib"),
    ("Observatie in de rekenles uitvoeren", "leerkracht"),
    ("Handelingsadviezen bespreken met de leerkracht", "so_expert"),
    ("Evaluatiegesprek met ouders plannen", "ib"),
    ("Dagkaart invoeren en na drie weken evalueren", "leerkracht"),
    ("Contact opnemen met het wijkteam over de gezinssituatie", "smw"),
    ("Gehoortest laten doen bij de jeugdarts", "ggd"),
    ("Overdracht plusklas en groepsleerkracht plannen", "plusklas"),
)

#: How many of the cases stand in each step (relative weights; early steps are busiest).
STEP_WEIGHTS = {
    "signalering": 15, "aanpak_groep": 18, "leerlingbespreking": 8, "aanpak_school": 15,
    "ondersteuningsteam": 8, "consultatie_so_expert": 3, "opp_opstellen": 3,
    "arrangement_aanvraag": 3, "arrangement_uitvoering": 4, "plusklas": 2, "evaluatie": 3,
    "tlv_aanvraag": 2, "verwezen_sbo_so": 2, "afgesloten": 14,
}

OVERDUE_SHARE = 0.3
JEUGDHULP_SHARE = 0.3
BLOCK_SHARE = 0.5
TICKED_SHARE = 0.4
BATCH = 20_000

# ----------------------------------------------------------------------------- route plans


@dataclass(frozen=True)
class _Move:
    """One trigger as the demo takes it, with what its guards need."""

    track: str
    trigger: str
    source: str
    dest: str
    checklist: tuple[str, ...]  # items of the source step to tick before leaving
    consents: tuple[str, ...]  # roles needing valid consent
    assigned: tuple[str, ...]  # roles needing a person
    consent_assigned_external: bool
    opp: bool
    advices: int
    decision: str | None
    author_role: str | None  # at turn in the source step
    enc: str  # pre-encoded JSON of track, from, to, trigger for the hash chain


@dataclass
class _Plan:
    route: Any
    engine: Any
    main: str
    start: str
    moves: dict[str, _Move]
    paths: dict[str, list[list[_Move]]]  # main target step -> path variants
    side_track: str | None = None
    side_paths: dict[str, list[_Move]] = field(default_factory=dict)  # side step -> moves from start
    side_in_step: tuple[str, ...] = ()  # main steps the side track may start from
    external: frozenset[str] = frozenset()
    checklists: dict[str, list[str]] = field(default_factory=dict)
    #: step -> (a way out needs an SWV decision, the first way out that needs consent)
    outs: dict[str, tuple[bool, _Move | None]] = field(default_factory=dict)


def _move(route: Any, trigger: Any, source: str) -> _Move:
    from kindroute.workflow import NOT_STARTED

    checklist: tuple[str, ...] = ()
    consents: list[str] = []
    assigned: list[str] = []
    cae = opp = False
    advices = 0
    decision = None
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
        elif g.name == "opp_vastgesteld":
            opp = True
        elif g.name == "expert_advices":
            advices = int(param)
        elif g.name == "swv_decision":
            decision = str(param)
    author = None if source == NOT_STARTED else route.steps[source].at_turn
    parts = (trigger.track, source, trigger.dest, trigger.id)
    enc = ",".join(json.dumps(v, ensure_ascii=False) for v in parts)
    return _Move(trigger.track, trigger.id, source, trigger.dest, checklist, tuple(consents), tuple(assigned),
                 cae, opp, advices, decision, author, enc)


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


def plan_route(route: Any, seed: int = 0) -> _Plan:
    """Paths through ``route`` to every step, planned once (a few variants per step)."""
    from kindroute.workflow import NOT_STARTED, get_engine

    rng = random.Random(f"paths-{seed}")
    main = route.main_track
    moves = {
        (t.id, s): _move(route, t, s) for t in route.triggers.values() for s in t.sources
    }
    by_source: dict[str, list[_Move]] = {}
    for (_tid, s), m in moves.items():
        by_source.setdefault(s, []).append(m)
    paths: dict[str, list[list[_Move]]] = {}
    for step in route.steps_of(main.id):
        dist = _distances(route, main.id, step.id)
        if main.start not in dist:
            continue
        variants: list[list[_Move]] = []
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
    plan = _Plan(route=route, engine=get_engine(route), main=main.id, start=main.start,
                 moves=dict(moves), paths=paths,
                 external=frozenset(r.id for r in route.roles.values() if r.external))
    plan.checklists = {s.id: [c.id for c in s.checklist] for s in route.steps.values()}
    for s in route.steps:
        outs = [moves[(t.id, s)] for t in route.triggers_from(s)]
        plan.outs[s] = (any(m.decision for m in outs),
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


# ----------------------------------------------------------------------------- writing rows

#: Columns written per table, in order. Child tables leave ``id`` to the database.
COLUMNS: dict[str, tuple[str, ...]] = {
    "schools": ("id", "name", "brin"),
    "people": ("id", "name", "organisation", "roles", "school_id", "password_hash", "db_login", "active",
               "created_at"),
    "pupils": ("id", "name", "first_name", "tussenvoegsel", "last_name", "search_name", "sort_name",
               "date_of_birth", "group", "school_id", "left_school_on"),
    "pupil_words": ("pupil_id", "word"),
    "cases": ("id", "pupil_id", "school_id", "status", "opened_at", "opened_by_id", "closed_at", "updated_at",
              "route_version", "registered_on", "zorgplicht_extended", "history_head", "history_count",
              "version"),
    "case_tracks": ("case_id", "track", "step", "entered_at", "deadline", "at_turn_role", "entered_seq"),
    "case_events": ("case_id", "seq", "track", "from_step", "to_step", "trigger", "actor_id",
                    "actor_name", "at", "note", "prev_hash", "hash"),
    "assignments": ("case_id", "role", "person_id", "started_at", "ended_at", "assigned_by_id"),
    "consents": ("case_id", "role", "organisation", "purpose", "given_by", "pupil_cosigned",
                 "valid_from", "valid_until", "withdrawn_on", "withdrawn_by_id", "withdrawn_reason",
                 "recorded_by_id", "recorded_at"),
    "checklist_ticks": ("case_id", "step", "item", "done_by_id", "done_at", "visit"),
    "documents": ("case_id", "kind", "outcome", "title", "step", "author_id", "at"),
    "notes": ("case_id", "author_id", "at", "step", "text"),
    "agreements": ("case_id", "what", "who_id", "who_role", "due_on", "created_by_id", "created_at",
                   "done_at", "done_by_id"),
}
TABLE_ORDER = tuple(COLUMNS)
OWN_IDS = ("schools", "people", "pupils", "cases")
#: Above this many rows, SQLite indexes are dropped during the load and built once afterwards.


class _Writer:
    """Bulk inserts with one executemany per batch, in the driver's own parameter style."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        dialect = conn.dialect
        self.mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
        self.prep = dialect.identifier_preparer

    def insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        cols = COLUMNS[table]
        if self.mark is None:  # a driver with another parameter style: let SQLAlchemy bind
            from sqlalchemy import column, insert
            from sqlalchemy import table as sa_table

            t = sa_table(table, *(column(c) for c in cols))
            for i in range(0, len(rows), BATCH):
                self.conn.execute(insert(t), [dict(zip(cols, r, strict=True)) for r in rows[i:i + BATCH]])
            return
        sql = (f"INSERT INTO {self.prep.quote(table)} ({', '.join(self.prep.quote(c) for c in cols)}) "
               f"VALUES ({', '.join([self.mark] * len(cols))})")
        for i in range(0, len(rows), BATCH):
            self.conn.exec_driver_sql(sql, rows[i:i + BATCH])


@dataclass
class DemoSummary:
    schools: int = 0
    people: int = 0
    pupils: int = 0
    cases: int = 0
    events: int = 0
    rows: int = 0
    seconds: float = 0.0
    steps: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        return (f"{self.cases} casussen, {self.pupils} leerlingen, {self.people} personen, "
                f"{self.schools} scholen, {self.events} stappen in de geschiedenis "
                f"({self.rows} rijen in {self.seconds:.1f} s)")


# ----------------------------------------------------------------------------- the generator

_DAYS = 5000  # offsets (days before today) with a precomputed date
_TIMES = 4096  # precomputed moments during office hours


class _Gen:
    """Builds all rows in memory (tuples in column order), then they are written in bulk.

    A moment is a day offset (days before today, >= 1, so always before ``now``) plus one
    of a pool of office-hour times; its database value is built from precomputed strings
    (SQLite) or objects (PostgreSQL) instead of datetime arithmetic per row.
    """

    def __init__(self, plan: _Plan, rng: random.Random, now: datetime, sqlite: bool,
                 next_ids: dict[str, int]) -> None:
        self.p = plan
        self.rng = rng
        self.now = now
        self.today = now.date()
        self.sqlite = sqlite
        self.ids = dict(next_ids)
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLE_ORDER}
        self.person_name: dict[int, str] = {}
        self.person_enc: dict[int, str] = {}
        self.by_role: dict[str, list[int]] = {}
        self.school_staff: list[dict[str, Any]] = []
        self.note_enc: dict[str, str] = {}
        self.pupil_identities: set[tuple[str, date, int]] = set()
        self.route_version = plan.route.version
        trng = random.Random(f"times-{rng.random()}")
        secs = sorted(trng.randrange(8 * 3600, 17 * 3600) for _ in range(_TIMES))
        self.time_str = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{trng.randrange(1, 10**6):06d}"
                         for s in secs]
        self.day_iso = [(self.today - timedelta(days=o)).isoformat() for o in range(_DAYS)]
        if not sqlite:
            self.time_td = [timedelta(hours=int(t[:2]), minutes=int(t[3:5]), seconds=int(t[6:8]),
                                      microseconds=int(t[9:])) for t in self.time_str]
            self.day_dt = [datetime.combine(self.today - timedelta(days=o), time()) for o in range(_DAYS)]

    def ts(self, off: int) -> Any:
        """The database value of a random moment ``off`` days before today."""
        i = int(self.rng.random() * _TIMES)
        if self.sqlite:
            return f"{self.day_iso[off]} {self.time_str[i]}"
        return self.day_dt[off] + self.time_td[i]

    def ts_iso(self, off: int) -> tuple[Any, str]:
        """A moment as (database value, ISO text as the hash chain writes it)."""
        i = int(self.rng.random() * _TIMES)
        iso = f"{self.day_iso[off]}T{self.time_str[i]}"
        if self.sqlite:
            return f"{self.day_iso[off]} {self.time_str[i]}", iso
        return self.day_dt[off] + self.time_td[i], iso

    def d(self, value: date | None) -> Any:
        if value is None:
            return None
        return value.isoformat() if self.sqlite else value

    def day(self, off: int) -> date:
        return self.today - timedelta(days=off)

    def take(self) -> dict[str, list[tuple[Any, ...]]]:
        """The rows made so far (in column order), leaving empty lists for the next batch."""
        rows, self.rows = self.rows, {t: [] for t in TABLE_ORDER}
        return rows

    def next_id(self, table: str) -> int:
        i = self.ids[table]
        self.ids[table] = i + 1
        return i

    def inside(self, hi: int, lo: int) -> int:
        """A day strictly between offsets ``hi`` (earlier) and ``lo`` (later); needs hi - lo >= 2."""
        return lo + 1 + int(self.rng.random() * (hi - lo - 1))

    # -- staff and schools
    def add_person(self, name: str, roles: str, school_id: int | None, org: str | None,
                   existing: dict[tuple[str, int | None], int]) -> int:
        pid = existing.get((name, school_id))
        if pid is None:
            pid = self.next_id("people")
            created = self.now - timedelta(days=400)
            self.rows["people"].append((pid, name, org, roles, school_id, None, None, True,
                                        created.isoformat(" ", "microseconds") if self.sqlite else created))
        self.person_name[pid] = name
        self.person_enc[pid] = json.dumps(name, ensure_ascii=False)
        for r in roles.split():
            self.by_role.setdefault(r, []).append(pid)
        return pid

    def staff(self, schools: dict[str, int], people: dict[tuple[str, int | None], int]) -> None:
        for (name, brin), (ib, director, teachers) in zip(SCHOOLS, SCHOOL_STAFF, strict=True):
            sid = schools.get(brin)
            if sid is None:
                sid = self.next_id("schools")
                self.rows["schools"].append((sid, name, brin))
            self.school_staff.append({
                "id": sid,
                "ib": self.add_person(ib, "ib", sid, None, people),
                "directeur": self.add_person(director, "directeur", sid, None, people),
                "teachers": [self.add_person(t, "leerkracht", sid, None, people) for t in teachers],
            })
        for name, role, org in OUTSIDE_STAFF:
            self.add_person(name, role, None, org, people)

    # -- pupils
    def pupils(self, n: int, seed: int) -> list[tuple[int, int, int, date, str]]:
        from faker import Faker

        from kindroute.services.text import fold, name_words, split_name

        fake = Faker("nl_NL")
        fake.seed_instance(seed)
        last_pool = [fake.last_name() for _ in range(400)] + list(EXTRA_LAST_NAMES) * 4
        first_pool = [fake.first_name() for _ in range(150)] + list(FIRST_NAMES) * 3
        rng = self.rng
        year0 = self.today.year if self.today.month >= 9 else self.today.year - 1  # school year start
        n_schools = len(self.school_staff)
        out = []
        rows, word_rows = self.rows["pupils"], self.rows["pupil_words"]
        # split_name, fold and name_words per name part, once (the tests check this equals
        # doing it per pupil; a name's words are its parts' words together)
        firsts = [(f, fold(f), name_words(f)) for f in first_pool]
        lasts = []
        for last_name in last_pool:
            _f, tv, last = split_name(f"X {last_name}")
            lasts.append((last_name, tv, last, fold(last_name), fold(last), fold(tv), name_words(last_name)))
        for _ in range(n):
            first, ffold, fwords = firsts[int(rng.random() * len(firsts))]
            full_last, tv, last, flfull, flast, ftv, lwords = lasts[int(rng.random() * len(lasts))]
            name = f"{first} {full_last}"
            school = int(rng.random() * n_schools)
            group = 1 + int(rng.random() * 8)
            born = date(year0 - group - 4, 10, 1) + timedelta(days=int(rng.random() * 365))
            school_id = self.school_staff[school]["id"]
            while (name, born, school_id) in self.pupil_identities:  # unique like the database wants
                born += timedelta(days=1)
            self.pupil_identities.add((name, born, school_id))
            pid = self.next_id("pupils")
            sort = f"{flast} {ffold} {ftv}" if ftv else f"{flast} {ffold}"
            rows.append((pid, name, first, tv, last, f"{ffold} {flfull}", sort, self.d(born), group,
                         self.school_staff[school]["id"], None))
            word_rows.extend((pid, w) for w in sorted(fwords | lwords))
            out.append((pid, school, group, born, name))
        return out

    def enc_note(self, text: str) -> str:
        e = self.note_enc.get(text)
        if e is None:
            e = self.note_enc[text] = json.dumps(text, ensure_ascii=False)
        return e

    # -- one case
    def case(self, target: str, side_target: str | None, pupil: tuple[int, int, int, date, str]) -> None:
        p, rng, rows = self.p, self.rng, self.rows
        rand = rng.random
        pupil_id, school, group, born, pupil_name = pupil
        staff = self.school_staff[school]
        cid = self.next_id("cases")
        variants = p.paths[target]
        # the plain (shortest) path most of the time, a detour now and then
        path = variants[0]
        if len(variants) > 1 and rand() >= 0.6:
            path = variants[1 + int(rand() * (len(variants) - 1))]
        n = len(path)
        side_moves: list[_Move] = []
        side_visit = -1
        if side_target is not None:
            visits = [p.start] + [m.dest for m in path]
            eligible = [i for i, s in enumerate(visits) if s in p.side_in_step]
            if eligible:
                side_visit = eligible[-1]
                side_moves = p.side_paths[side_target]
        k = len(side_moves)
        # day offsets (days before today) of entering each main visit: offsets[i], i = 0..n
        current = p.route.steps[target]
        term = current.term_days
        if current.final or term is None:
            off = rng.randint(2, 120)
        elif rand() < OVERDUE_SHARE:
            off = term + rng.randint(1, max(2, min(40, term)))
        else:
            off = rng.randint(2, max(2, term - 1))
        need = 2 * k + 4
        if side_visit == n:
            off = max(off, need)
        offsets = [off]
        steps = p.route.steps
        for i in range(n - 1, -1, -1):
            t = steps[path[i].source].term_days
            dur = max(3, int(min(t if t is not None else 120, 90) * (0.3 + 0.6 * rand())))
            if i == side_visit:
                dur = max(dur, need)
            offsets.append(offsets[-1] + dur)
        offsets.reverse()
        # the side-track events: distinct days inside their main visit, at least two days apart
        side_days: list[int] = []
        if k:
            hi = offsets[side_visit]
            lo = offsets[side_visit + 1] if side_visit < n else 0
            gap = (hi - lo) // (k + 1)
            side_days = [hi - gap * (j + 1) + int(rand() * max(1, gap - 1)) for j in range(k)]
        # all events by day: (offset, is_side, index); numbered 1..
        merged = [(offsets[i + 1], False, i) for i in range(n)]
        if k:
            merged += [(d, True, j) for j, d in enumerate(side_days)]
            merged.sort(key=lambda e: -e[0])
        main_visit_seq = [0] * (n + 1)
        side_visit_seq = [0] * (k + 1)
        for seq, (_off, is_side, idx) in enumerate(merged, start=1):
            if is_side:
                side_visit_seq[idx + 1] = seq
            else:
                main_visit_seq[idx + 1] = seq

        ib, teacher = staff["ib"], staff["teachers"][group - 1]
        holders: dict[str, int] = {"leerkracht": teacher, "ib": ib}
        opened = self.ts(offsets[0])
        assignments = rows["assignments"]
        assignments.append((cid, "leerkracht", teacher, opened, None, ib))
        assignments.append((cid, "ib", ib, opened, None, ib))
        if rand() < 0.3:
            holders["directeur"] = staff["directeur"]
            assignments.append((cid, "directeur", staff["directeur"], opened, None, ib))
        consents: dict[str, list[Any]] = {}  # role -> the consent row, still mutable
        docs = {"opp": 0, "advices": 0}
        parent = (f"{FIRST_NAMES[int(rand() * 23)]} {pupil_name.split(' ', 1)[-1]} "
                  f"({PARENT_TITLES[int(rand() * len(PARENT_TITLES))]})")
        cosign = self.today.year - born.year >= 12  # co-signs whenever it could be needed
        external = p.external

        def consent(role: str, off: int) -> None:
            if role not in consents:
                purpose = CONSENT_PURPOSES.get(role, "Delen van het dossier")
                consents[role] = [cid, role, None, purpose, parent, cosign and role == "jeugdhulp", off,
                                  None, None, None, None, ib, self.ts(off)]

        def assign(role: str, off: int) -> int:
            pid = holders.get(role)
            if pid is None:
                pool = self.by_role.get(role) or [ib]
                pid = holders[role] = pool[int(rand() * len(pool))]
                assignments.append((cid, role, pid, self.ts(off), None, ib))
                if role in external:
                    consent(role, off)
            return pid

        def doc(kind: str, outcome: str, title: str, step: str, by: int, off: int) -> None:
            rows["documents"].append((cid, kind, outcome, title, step, by, self.ts(off)))

        ticks = rows["checklist_ticks"]

        def satisfy(m: _Move, hi: int, lo: int, visit: int) -> int:
            """Create what the guards of ``m`` need inside the days (hi, lo); return its author."""
            author = assign(m.author_role, self.inside(hi, lo)) if m.author_role is not None else ib
            for role in m.assigned:
                assign(role, self.inside(hi, lo))
            for role in m.consents:
                consent(role, self.inside(hi, lo))
            if m.checklist:
                day = self.inside(hi, lo)
                for item in m.checklist:
                    ticks.append((cid, m.source, item, author, self.ts(day), visit))
            if m.opp and not docs["opp"]:
                doc("opp", "vastgesteld", f"OPP {pupil_name}", m.source, ib, self.inside(hi, lo))
                docs["opp"] = 1
            while docs["advices"] < m.advices:
                expert = EXPERTS[docs["advices"] % len(EXPERTS)]
                doc("deskundigenadvies", expert, "Advies bij de TLV-aanvraag", m.source, ib,
                    self.inside(hi, lo))
                docs["advices"] += 1
            if m.decision is not None:
                swv = rng.choice(self.by_role.get("swv") or [ib])
                doc("swv_besluit", m.decision, "Besluit commissie toewijzing", m.source, swv,
                    self.inside(hi, lo))
            return author

        head = GENESIS_HASH
        entered: dict[str, tuple[int, int, Any]] = {}  # track -> (seq, offset, db value)
        ev_rows, note_rows = rows["case_events"], rows["notes"]
        last_at, last_off = opened, offsets[0]
        for seq, (off, is_side, idx) in enumerate(merged, start=1):
            if is_side:
                m = side_moves[idx]
                hi = side_days[idx - 1] if idx else offsets[side_visit]
                author = satisfy(m, hi, off, side_visit_seq[idx])
            else:
                m = path[idx]
                author = satisfy(m, offsets[idx], off, main_visit_seq[idx])
            notes = TRIGGER_NOTES.get(m.trigger) or (f"{m.trigger}.",)
            note = notes[int(rand() * len(notes))]
            at, iso = self.ts_iso(off)
            h = hashlib.sha256(
                f'[{cid},{seq},{m.enc},{author},{self.person_enc[author]},"{iso}",{self.enc_note(note)},"{head}"]'
                .encode()).hexdigest()
            ev_rows.append((cid, seq, m.track, m.source, m.dest, m.trigger, author, self.person_name[author],
                            at, note, head, h))
            if WITH_STEP_NOTES:
                note_rows.append((cid, author, at, m.source, note))
            head = h
            entered[m.track] = (seq, off, at)
            last_at, last_off = at, off
        eng = p.engine
        main_seq, main_off, main_at = entered.get(p.main, (0, offsets[0], opened))
        deadline = self.d(eng.deadline(target, self.day(main_off)))
        rows["case_tracks"].append((cid, p.main, target, main_at, deadline, current.at_turn, main_seq))
        if k:
            s_seq, s_off, s_at = entered[p.side_track]  # type: ignore[index]
            rows["case_tracks"].append((cid, p.side_track, side_target, s_at,
                                        self.d(eng.deadline(side_target, self.day(s_off))),
                                        eng.at_turn_role(side_target), s_seq))
            side_role = eng.at_turn_role(side_target)
            if side_role is not None and side_role not in holders and last_off >= 2:
                assign(side_role, self.inside(last_off, 0))
        # the current step: who is at turn, some ticks, a decision, blocked next steps
        cur_off = offsets[n]
        if not current.final:
            if current.at_turn is not None and current.at_turn not in holders and last_off >= 2:
                assign(current.at_turn, self.inside(last_off, 0))
            items = p.checklists[target]
            if items:
                done = items if rand() < TICKED_SHARE else items[: int(rand() * len(items))]
                by = holders.get(current.at_turn or "ib", ib)
                for item in done:
                    ticks.append((cid, target, item, by, self.ts(self.inside(cur_off, 0)), main_seq))
            outs = p.outs[target]
            if outs[0] and rand() < 0.4:
                swv = self.by_role.get("swv") or [ib]
                doc("swv_besluit", "toegekend", "Besluit commissie toewijzing", target,
                    swv[int(rand() * len(swv))], self.inside(cur_off, 0))
            if outs[1] is not None and rand() < BLOCK_SHARE:
                self.block(cid, outs[1], last_off, holders, consents, consent)
            for _ in range((0, 1, 1, 2)[int(rand() * 4)]):
                what, role = AGREEMENTS[int(rand() * len(AGREEMENTS))]
                who = holders.get(role)
                done_ = rand() < 0.3
                rows["agreements"].append((cid, what, who, role,
                                           self.d(self.today + timedelta(days=rng.randint(-14, 28))), ib,
                                           self.ts(self.inside(cur_off, 0)), self.ts(1) if done_ else None,
                                           (who or ib) if done_ else None))
        for _ in range((0, 0, 1, 2)[int(rand() * 4)]):
            note_rows.append((cid, ib if rand() < 0.5 else teacher, self.ts(self.inside(cur_off, 0)), target,
                              FREE_NOTES[int(rand() * len(FREE_NOTES))]))
        for c in consents.values():
            c[6] = self.d(self.day(c[6]))
            c[7], c[8] = self.d(c[7]), self.d(c[8])
            rows["consents"].append(tuple(c))
        status, closed_at = "open", None
        if current.final:
            status = "closed" if target == "afgesloten" else "referred"
            closed_at = main_at
        registered = self.d(self.day(offsets[0])) if target == p.start and rand() < 0.2 else None
        opener = teacher if rand() < 0.7 else ib
        rows["cases"].append((cid, pupil_id, staff["id"], status, opened, opener, closed_at, last_at,
                              self.route_version, registered, False, head, len(merged), 1 + len(merged)))

    def block(self, cid: int, m: _Move, last_off: int, holders: dict[str, int],
              consents: dict[str, list[Any]], consent: Any) -> None:
        """Block a consent-guarded next step: consent missing, withdrawn or expired (after the history).

        Consent rows hold day offsets here: [6] valid from, [7] until, [8] withdrawn on.
        """
        rng, p = self.rng, self.p
        if m.consents:
            role = m.consents[0]
        else:
            options = [r for r in ("smw", "ggd", "so_expert") if r in p.external]
            if not options:
                return
            role = rng.choice(options)
        kind = rng.choice(("missing", "withdrawn", "expired")) if last_off >= 2 else "missing"
        if role in consents and kind == "missing":
            if last_off < 2:
                return
            kind = "withdrawn"
        ib = holders["ib"]
        if kind == "missing":
            if role not in holders and last_off >= 2 and (m.consent_assigned_external or rng.random() < 0.5):
                pool = self.by_role.get(role) or [ib]
                pid = holders[role] = rng.choice(pool)
                self.rows["assignments"].append((cid, role, pid, self.ts(self.inside(last_off, 0)), None, ib))
            return
        if role not in consents:
            consent(role, self.inside(last_off, 0))
            end_off = 0
        else:
            end_off = rng.randrange(max(1, min(last_off, consents[role][6])))  # after the last step
        c = consents[role]
        if kind == "withdrawn":
            c[8] = self.day(end_off)
            c[9] = ib
            c[10] = rng.choice(("Ouders willen eerst zelf een gesprek met de huisarts.",
                                "Ouders trekken de toestemming in na onenigheid over het advies.", None))
        else:
            c[7] = self.day(end_off + 1)
        if role in p.external and role not in holders:
            pool = self.by_role.get(role) or [ib]
            holders[role] = pid = rng.choice(pool)
            self.rows["assignments"].append((cid, role, pid, c[12], None, ib))


GENESIS_HASH = "0" * 64
#: The services also copy a step's note into the case's notes; the demo keeps it in the history
#: only (it is shown there), which saves a row per event.
WITH_STEP_NOTES = False


def allocate(plan: _Plan, n: int, rng: random.Random) -> list[tuple[str, str | None]]:
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


def _sqlite_indexes(conn: Any) -> list[tuple[str, str]]:
    """The explicit indexes of the tables the demo fills (name, CREATE statement)."""
    names = ", ".join(f"'{t}'" for t in TABLE_ORDER)
    return [(n, sql) for n, sql in conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({names})")]


REINDEX_CASES = 20_000  # from this many cases, SQLite indexes are built once after the load
CHUNK = 5_000  # cases generated per batch handed to the writer thread


class _LoadThread:
    """Writes the rows in one transaction on its own thread, while the main thread generates.

    SQLite (and psycopg) release the GIL while they work, so generating the next batch in
    Python overlaps with storing the previous one. The thread owns its connection; nothing
    is committed unless :meth:`finish` is reached, so an error anywhere rolls everything back.
    """

    _DONE, _ABORT = object(), object()

    def __init__(self, db: Any, *, append: bool, big: bool) -> None:
        import queue
        import threading

        self.db, self.append, self.big = db, append, big
        self.batches: queue.Queue[Any] = queue.Queue(maxsize=2)
        self.ready: queue.Queue[Any] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="kindroute-demo-writer", daemon=True)
        self.error: BaseException | None = None
        self.events = 0
        self.closed = False

    def start(self) -> None:
        self.thread.start()

    def state(self) -> dict[str, Any]:
        state = self.ready.get()
        if isinstance(state, BaseException):
            self.thread.join()
            self.closed = True
            raise state
        return state

    def put(self, rows: dict[str, list[tuple[Any, ...]]]) -> int:
        self._check()
        self.events += len(rows["case_events"])
        self.batches.put(rows)
        return sum(len(r) for r in rows.values())

    def finish(self) -> None:
        self._check()
        self.batches.put(self._DONE)
        self.thread.join()
        self.closed = True
        self._check()

    def abort(self) -> None:
        import queue

        if self.closed:
            return
        while self.thread.is_alive():
            try:
                self.batches.put(self._ABORT, timeout=0.1)
                break
            except queue.Full:
                continue
        self.thread.join()
        self.closed = True

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        from sqlalchemy import func, select, text

        from kindroute.store.models import Case, Person, School

        sent = False
        try:
            with self.db.engine.connect() as conn:
                conn = conn.execution_options(kindroute_write=True)
                sqlite = conn.dialect.name == "sqlite"
                raw = conn.connection.driver_connection if sqlite else None
                if raw is not None:
                    # ids are made by the generator, so the foreign keys hold by construction
                    raw.execute("PRAGMA foreign_keys = OFF")
                    raw.execute("PRAGMA cache_size = -262144")
                try:
                    with conn.begin():
                        count = select(func.count()).select_from(Case.__table__)
                        existing = conn.execute(count).scalar() or 0
                        if existing and not self.append:
                            raise InvalidInput(
                                f"De database {self.db.display} bevat al {existing} casussen; demo-gegevens "
                                "vullen alleen een lege database. Gebruik --append om er demo-casussen bij "
                                "te zetten, of kies een ander bestand met --db."
                            )
                        state = {
                            "next_ids": {
                                t: (conn.execute(text(f"SELECT MAX(id) FROM {t}")).scalar() or 0) + 1
                                for t in OWN_IDS},
                            "schools": {b: i for i, b in conn.execute(select(School.id, School.brin)) if b},
                            "people": {(nm, sid): i for i, nm, sid in
                                       conn.execute(select(Person.id, Person.name, Person.school_id))},
                            # pupils already there (--append): a new one never has the same identity
                            "pupils": {tuple(r) for r in conn.execute(text(
                                "SELECT name, date_of_birth, school_id FROM pupils"))},
                        }
                        self.ready.put(state)
                        sent = True
                        indexes = _sqlite_indexes(conn) if sqlite and self.big else []
                        for name, _sql in indexes:
                            conn.exec_driver_sql(f'DROP INDEX "{name}"')
                        writer = _Writer(conn)
                        while True:
                            batch = self.batches.get()
                            if batch is self._ABORT:
                                raise _Aborted
                            if batch is self._DONE:
                                break
                            for table in TABLE_ORDER:
                                writer.insert(table, batch[table])
                        for _name, sql in indexes:
                            conn.exec_driver_sql(sql)
                        if conn.dialect.name == "postgresql":
                            for table in OWN_IDS:
                                conn.execute(text(
                                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
                finally:
                    if raw is not None:
                        raw.execute("PRAGMA cache_size = -2000")
                        raw.execute("PRAGMA foreign_keys = ON")
        except _Aborted:
            pass
        except BaseException as exc:  # handed to the main thread
            self.error = exc
            if not sent:
                self.ready.put(exc)
            else:  # unblock a producer waiting on a full queue
                while not self.batches.empty():
                    self.batches.get_nowait()


class _Aborted(Exception):
    """The main thread gave up: roll back."""


def generate(db: Any, *, cases: int = 60, seed: int = 1, now: datetime | None = None, route: Any = None,
             append: bool = False) -> DemoSummary:
    """Fill ``db`` with demo data in one transaction; refuses a database with cases unless ``append``."""
    import time as _time

    from kindroute.workflow import load_route

    started = _time.perf_counter()

    def _phase(what: str) -> None:
        log.debug("demo: %s after %.2f s", what, _time.perf_counter() - started)
    if cases < 0:
        raise InvalidInput("Het aantal casussen kan niet negatief zijn.")
    now = now or datetime.now()
    route = route or load_route()
    plan = plan_route(route, seed)
    if not plan.paths:
        raise InvalidInput(f"Route {route.name} heeft geen stappen die vanaf de start bereikbaar zijn.")
    rng = random.Random(seed)
    summary = DemoSummary()
    sqlite = db.engine.dialect.name == "sqlite"
    writer = _LoadThread(db, append=append, big=cases >= REINDEX_CASES)
    writer.start()
    try:
        state = writer.state()  # raises the writer's error (e.g. refusing a database with cases)
        gen = _Gen(plan, rng, now, sqlite, state["next_ids"])
        gen.staff(state["schools"], state["people"])
        gen.pupil_identities.update((n, d if isinstance(d, date) else date.fromisoformat(d), s)
                                    for n, d, s in state["pupils"])
        pupils = gen.pupils(cases + 250, seed)
        chosen = rng.sample(pupils, cases)
        for i, ((target, side), pupil) in enumerate(zip(allocate(plan, cases, rng), chosen, strict=True)):
            gen.case(target, side, pupil)
            summary.steps[target] = summary.steps.get(target, 0) + 1
            if i % CHUNK == CHUNK - 1:
                summary.rows += writer.put(gen.take())
        summary.rows += writer.put(gen.take())
        summary.events = writer.events
        _phase("generated")
        writer.finish()
        _phase("committed")
    finally:
        writer.abort()
    summary.schools = len(gen.school_staff)
    summary.people = len(gen.person_name)
    summary.pupils = cases + 250
    summary.cases = cases
    summary.seconds = _time.perf_counter() - started
    return summary
