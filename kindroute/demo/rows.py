"""Row generation: schools, staff, pupils and cases as rows for the store's tables, built in memory.

Every case has a history that the route allows: events walk the route from its start to
the case's current step, each by the person at turn with a Dutch note, sealed in the hash
chain by :mod:`kindroute.store.chain`; the consents, checklist ticks and documents each
step's guards needed exist, dated before the step. After the last step some consents are
withdrawn, expired or missing, so some next steps are blocked, as in real life.

Rows are dicts keyed by the tables' column names (see :mod:`kindroute.demo.writer`).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from kindroute.demo.data import (
    AGREEMENTS,
    BLOCK_SHARE,
    CONSENT_PURPOSES,
    EXTRA_LAST_NAMES,
    FIRST_NAMES,
    FREE_NOTES,
    OUTSIDE_STAFF,
    OVERDUE_SHARE,
    PARENT_TITLES,
    ROLE_DIRECTOR,
    ROLE_IB,
    ROLE_TEACHER,
    SCHOOL_STAFF,
    SCHOOLS,
    TICKED_SHARE,
    TRIGGER_NOTES,
)
from kindroute.demo.plan import Move, RoutePlan
from kindroute.demo.tally import FigureTally
from kindroute.demo.writer import TABLE_ORDER, Rows
from kindroute.store.chain import GENESIS, encode, seal
from kindroute.workflow.vocabulary import (
    STATUS_CLOSED,
    STATUS_OPEN,
    STATUS_REFERRED,
    STEP_CLOSED,
)

_DAYS = 5000  # offsets (days before today) with a precomputed date
_TIMES = 4096  # precomputed moments during office hours


class RowMaker:
    """Builds all rows in memory, then they are written in bulk; :meth:`take` hands them over.

    A moment is a day offset (days before today, >= 1, so always before ``now``) plus one
    of a pool of office-hour times; its database value is built from precomputed strings
    (SQLite) or objects (PostgreSQL) instead of datetime arithmetic per row.
    """

    def __init__(self, plan: RoutePlan, rng: random.Random, now: datetime, sqlite: bool,
                 next_ids: dict[str, int]) -> None:
        self.p = plan
        self.rng = rng
        self.now = now
        self.today = now.date()
        self.sqlite = sqlite
        self.ids = dict(next_ids)
        self.rows: Rows = {t: [] for t in TABLE_ORDER}
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
        self.tally = FigureTally(self.day_iso)  # the monitor's figures of these cases
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

    def take(self) -> Rows:
        """The rows made so far, leaving empty lists for the next batch."""
        rows, self.rows = self.rows, {t: [] for t in TABLE_ORDER}
        self.tally.flush()
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
            self.rows["people"].append({
                "id": pid, "name": name, "organisation": org, "roles": roles, "school_id": school_id,
                "password_hash": None, "db_login": None, "active": True,
                "created_at": created.isoformat(" ", "microseconds") if self.sqlite else created})
        self.person_name[pid] = name
        self.person_enc[pid] = encode(name)
        for r in roles.split():
            self.by_role.setdefault(r, []).append(pid)
        return pid

    def staff(self, schools: dict[str, int], people: dict[tuple[str, int | None], int]) -> None:
        for (name, brin), (ib, director, teachers) in zip(SCHOOLS, SCHOOL_STAFF, strict=True):
            sid = schools.get(brin)
            if sid is None:
                sid = self.next_id("schools")
                self.rows["schools"].append({"id": sid, "name": name, "brin": brin})
            self.school_staff.append({
                "id": sid,
                ROLE_IB: self.add_person(ib, ROLE_IB, sid, None, people),
                ROLE_DIRECTOR: self.add_person(director, ROLE_DIRECTOR, sid, None, people),
                "teachers": [self.add_person(t, ROLE_TEACHER, sid, None, people) for t in teachers],
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
            rows.append({"id": pid, "name": name, "first_name": first, "tussenvoegsel": tv,
                         "last_name": last, "search_name": f"{ffold} {flfull}", "sort_name": sort,
                         "date_of_birth": self.d(born), "group": group,
                         "school_id": school_id, "left_school_on": None})
            word_rows.extend({"pupil_id": pid, "word": w} for w in sorted(fwords | lwords))
            out.append((pid, school, group, born, name))
        return out

    def enc_note(self, text: str) -> str:
        e = self.note_enc.get(text)
        if e is None:
            e = self.note_enc[text] = encode(text)
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
        side_moves: list[Move] = []
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

        ib, teacher = staff[ROLE_IB], staff["teachers"][group - 1]
        holders: dict[str, int] = {ROLE_TEACHER: teacher, ROLE_IB: ib}
        opened = self.ts(offsets[0])
        assignments = rows["assignments"]

        def assignment(role: str, pid: int, at: Any) -> None:
            assignments.append({"case_id": cid, "role": role, "person_id": pid, "started_at": at,
                                "ended_at": None, "assigned_by_id": ib})

        assignment(ROLE_TEACHER, teacher, opened)
        assignment(ROLE_IB, ib, opened)
        if rand() < 0.3:
            holders[ROLE_DIRECTOR] = staff[ROLE_DIRECTOR]
            assignment(ROLE_DIRECTOR, staff[ROLE_DIRECTOR], opened)
        consents: dict[str, dict[str, Any]] = {}  # role -> the consent row, still changing
        done_records: set[tuple[str, str]] = set()  # decisions of scope "case" already recorded
        parent = (f"{FIRST_NAMES[int(rand() * 23)]} {pupil_name.split(' ', 1)[-1]} "
                  f"({PARENT_TITLES[int(rand() * len(PARENT_TITLES))]})")
        cosign = self.today.year - born.year >= 12  # co-signs whenever it could be needed
        external = p.external

        def consent(role: str, off: int) -> None:
            if role not in consents:
                purpose = CONSENT_PURPOSES.get(role, "Delen van het dossier")
                consents[role] = {
                    "case_id": cid, "role": role, "organisation": None, "purpose": purpose,
                    "given_by": parent,
                    "pupil_cosigned": cosign and role == "jeugdhulp", "valid_from": off, "valid_until": None,
                    "withdrawn_on": None, "withdrawn_by_id": None, "withdrawn_reason": None,
                    "recorded_by_id": ib, "recorded_at": self.ts(off)}

        def assign(role: str, off: int) -> int:
            pid = holders.get(role)
            if pid is None:
                pool = self.by_role.get(role) or [ib]
                pid = holders[role] = pool[int(rand() * len(pool))]
                assignment(role, pid, self.ts(off))
                if role in external:
                    consent(role, off)
            return pid

        def doc(kind: str, outcome: str, title: str, step: str, by: int, off: int) -> None:
            rows["documents"].append({"case_id": cid, "kind": kind, "outcome": outcome, "title": title,
                                      "step": step, "author_id": by, "at": self.ts(off),
                                      "fields_json": None})

        ticks = rows["checklist_ticks"]

        def satisfy(m: Move, hi: int, lo: int, visit: int) -> int:
            """Create what the guards of ``m`` need inside the days (hi, lo); return its author."""
            author = assign(m.author_role, self.inside(hi, lo)) if m.author_role is not None else ib
            for role in m.assigned:
                assign(role, self.inside(hi, lo))
            for role in m.consents:
                consent(role, self.inside(hi, lo))
            if m.checklist:
                day = self.inside(hi, lo)
                for item in m.checklist:
                    ticks.append({"case_id": cid, "step": m.source, "item": item, "done_by_id": author,
                                  "done_at": self.ts(day), "visit": visit})
            for roles, count, kind in m.advices:
                kind = kind or next(iter(p.route.documents))
                for role in roles[:count]:
                    by = assign(role, self.inside(hi, lo))
                    if (kind, str(by)) not in done_records:
                        done_records.add((kind, str(by)))
                        doc(kind, "", f"{p.route.documents[kind].label} ({self.person_name[by]})", m.source,
                            by, self.inside(hi, lo))
            for decision, outcome in m.decisions:
                spec = p.route.decisions[decision]
                if spec.scope == "case" and (decision, outcome) in done_records:
                    continue
                done_records.add((decision, outcome))
                doc(decision, outcome, f"{spec.label} {pupil_name}", m.source,
                    self.recorder(spec, holders, ib), self.inside(hi, lo))
            return author

        head = GENESIS
        entered: dict[str, tuple[int, int, Any]] = {}  # track -> (seq, offset, db value)
        ev_rows, note_rows = rows["case_events"], rows["notes"]
        last_at, last_off = opened, offsets[0]
        moves: list[tuple[int, str, str, str]] = []
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
            h = seal(cid, seq, m.enc, author, self.person_enc[author], iso, self.enc_note(note), head)
            ev_rows.append({"case_id": cid, "seq": seq, "track": m.track, "from_step": m.source,
                            "to_step": m.dest, "trigger": m.trigger, "actor_id": author,
                            "actor_name": self.person_name[author], "at": at, "note": note, "prev_hash": head,
                            "hash": h, "scheme": 1, "kind": "step", "records": "", "gseq": None,
                            "gprev": None, "gprev_case": None})
            head = h
            entered[m.track] = (seq, off, at)
            moves.append((off, m.track, m.source, m.dest))
            last_at, last_off = at, off
        eng = p.engine
        main_seq, main_off, main_at = entered.get(p.main, (0, offsets[0], opened))
        deadline = self.d(eng.deadline(target, self.day(main_off)))
        n_tracks = len(rows["case_tracks"])
        rows["case_tracks"].append({"case_id": cid, "track": p.main, "step": target, "entered_at": main_at,
                                    "deadline": deadline, "at_turn_role": current.at_turn,
                                    "entered_seq": main_seq})
        if k:
            s_seq, s_off, s_at = entered[p.side_track]  # type: ignore[index]
            rows["case_tracks"].append({"case_id": cid, "track": p.side_track, "step": side_target,
                                        "entered_at": s_at,
                                        "deadline": self.d(eng.deadline(side_target, self.day(s_off))),
                                        "at_turn_role": eng.at_turn_role(side_target), "entered_seq": s_seq})
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
                by = holders.get(current.at_turn or ROLE_IB, ib)
                for item in done:
                    ticks.append({"case_id": cid, "step": target, "item": item, "done_by_id": by,
                                  "done_at": self.ts(self.inside(cur_off, 0)), "visit": main_seq})
            outs = p.outs[target]
            if outs[0] is not None and rand() < 0.4:
                decision, outcome = outs[0]
                spec = p.route.decisions[decision]
                doc(decision, outcome, f"{spec.label} {pupil_name}", target,
                    self.recorder(spec, holders, ib), self.inside(cur_off, 0))
            if outs[1] is not None and rand() < BLOCK_SHARE:
                self.block(cid, outs[1], last_off, holders, consents, consent)
            for _ in range((0, 1, 1, 2)[int(rand() * 4)]):
                what, role = AGREEMENTS[int(rand() * len(AGREEMENTS))]
                who = holders.get(role)
                done_ = rand() < 0.3
                rows["agreements"].append({
                    "case_id": cid, "what": what, "who_id": who, "who_role": role,
                    "due_on": self.d(self.today + timedelta(days=rng.randint(-14, 28))), "created_by_id": ib,
                    "created_at": self.ts(self.inside(cur_off, 0)), "done_at": self.ts(1) if done_ else None,
                    "done_by_id": (who or ib) if done_ else None})
        for _ in range((0, 0, 1, 2)[int(rand() * 4)]):
            note_rows.append({"case_id": cid, "author_id": ib if rand() < 0.5 else teacher,
                              "at": self.ts(self.inside(cur_off, 0)), "step": target,
                              "text": FREE_NOTES[int(rand() * len(FREE_NOTES))]})
        for c in consents.values():
            c["valid_from"] = self.d(self.day(c["valid_from"]))
            c["valid_until"], c["withdrawn_on"] = self.d(c["valid_until"]), self.d(c["withdrawn_on"])
            rows["consents"].append(c)
        status, closed_at = STATUS_OPEN, None
        if current.final:
            status = STATUS_CLOSED if target == STEP_CLOSED else STATUS_REFERRED
            closed_at = main_at
        self.tally.case(staff["id"], offsets[0], moves, rows["case_tracks"][n_tracks:], status)
        registered = self.d(self.day(offsets[0])) if target == p.start and rand() < 0.2 else None
        opener = teacher if rand() < 0.7 else ib
        rows["cases"].append({
            "id": cid, "pupil_id": pupil_id, "school_id": staff["id"], "status": status, "opened_at": opened,
            "opened_by_id": opener, "closed_at": closed_at, "updated_at": last_at,
            "route_version": self.route_version, "registered_on": registered, "zorgplicht_extended": False,
            "history_head": head, "history_count": len(merged), "version": 1 + len(merged),
            # demo histories are plain chains of steps (scheme 1); ``audit seal`` seals them
            "history_scheme": 1})

    def recorder(self, spec: Any, holders: dict[str, int], ib: int) -> int:
        """Someone who may record a decision: a holder of one of its roles on the case, else a
        person with such a role (the SWV), else the IB."""
        for role in spec.recorded_by:
            if role in holders:
                return holders[role]
        for role in spec.recorded_by:
            pool = self.by_role.get(role)
            if pool:
                return pool[int(self.rng.random() * len(pool))]
        return ib

    def block(self, cid: int, m: Move, last_off: int, holders: dict[str, int],
              consents: dict[str, dict[str, Any]], consent: Any) -> None:
        """Block a consent-guarded next step: consent missing, withdrawn or expired (after the history).

        Consent rows hold a day offset in ``valid_from`` here (dates in the others).
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
        ib = holders[ROLE_IB]
        if kind == "missing":
            if role not in holders and last_off >= 2 and (m.consent_assigned_external or rng.random() < 0.5):
                pool = self.by_role.get(role) or [ib]
                pid = holders[role] = rng.choice(pool)
                self.rows["assignments"].append({"case_id": cid, "role": role, "person_id": pid,
                                                 "started_at": self.ts(self.inside(last_off, 0)),
                                                 "ended_at": None, "assigned_by_id": ib})
            return
        if role not in consents:
            consent(role, self.inside(last_off, 0))
            end_off = 0
        else:
            # after the last step
            end_off = rng.randrange(max(1, min(last_off, consents[role]["valid_from"])))
        c = consents[role]
        if kind == "withdrawn":
            c["withdrawn_on"] = self.day(end_off)
            c["withdrawn_by_id"] = ib
            c["withdrawn_reason"] = rng.choice(("Ouders willen eerst zelf een gesprek met de huisarts.",
                                "Ouders trekken de toestemming in na onenigheid over het advies.", None))
        else:
            c["valid_until"] = self.day(end_off + 1)
        if role in p.external and role not in holders:
            pool = self.by_role.get(role) or [ib]
            holders[role] = pid = rng.choice(pool)
            self.rows["assignments"].append({"case_id": cid, "role": role, "person_id": pid,
                                             "started_at": c["recorded_at"], "ended_at": None,
                                             "assigned_by_id": ib})


