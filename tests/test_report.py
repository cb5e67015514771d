"""The monitor's figures against an independent computation on a small fixed demo database.

The report counts with GROUP BY and window functions in the database; here the same figures
are computed from the plain rows with Python loops, on SQLite and on PostgreSQL, for the
file's owner, an IB (her school only) and the SWV (every case; small counts "<5").
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from test_trust_support import PG_URL, pg_database

from kindroute.demo import generate
from kindroute.errors import InvalidInput
from kindroute.services import Services
from kindroute.services.report import LEAD_TARGETS
from kindroute.services.report_format import render
from kindroute.services.report_model import default_period, months_between
from kindroute.store.db import open_database
from kindroute.store.models import Case, CaseEvent, CaseTrack
from kindroute.store.uow import UnitOfWork

NOW = datetime(2026, 11, 23, 9, 30)
IB, SWV = "Ingrid Bakker", "Jeroen Koster"

BACKENDS = ["sqlite", pytest.param("pg", marks=[
    pytest.mark.pg, pytest.mark.skipif(not PG_URL, reason="KINDROUTE_TEST_PG_URL is niet gezet")])]


@pytest.fixture(params=BACKENDS, scope="module")
def svc(request, tmp_path_factory):
    """One demo database per backend for the whole module (the tests only add, never change)."""
    if request.param == "sqlite":
        db = open_database(str(tmp_path_factory.mktemp("report") / "report.sqlite"))
        generate(db, cases=150, seed=5, now=NOW)
        yield Services(db, clock=lambda: NOW)
        db.dispose()
        return
    with pg_database() as url:
        db = open_database(url)
        generate(db, cases=150, seed=5, now=NOW)
        yield Services(db, clock=lambda: NOW)
        db.dispose()


# ----------------------------------------------------------------------------- the independent sums
def nearest_rank(values: list[int], p: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * p / 100) - 1]


def expected(svc: Services, who: str | None, school_id: int | None = None) -> dict:
    route = svc.route
    today = NOW.date()
    start, end = default_period(today)
    lo, hi = datetime.combine(start, datetime.min.time()), datetime.combine(end + timedelta(days=1),
                                                                              datetime.min.time())
    actor = svc.resolve_actor(who) if who else None
    with UnitOfWork(svc.db, write=False) as uow:
        s = uow.session
        cases = {i: (school, opened) for i, school, opened in s.execute(
            select(Case.id, Case.school_id, Case.opened_at))}
        tracks = list(s.execute(select(CaseTrack.case_id, CaseTrack.track, CaseTrack.step,
                                       CaseTrack.deadline)))
        events = list(s.execute(select(CaseEvent.case_id, CaseEvent.seq, CaseEvent.track,
                                       CaseEvent.from_step, CaseEvent.to_step, CaseEvent.at)))
    if actor is None:
        visible = set(cases)
    elif "swv" in actor.roles:  # the SWV's monitor counts every case (small counts hidden)
        visible = set(cases)
    else:
        visible = {i for i, (school, _o) in cases.items() if school == actor.school_id}
    if school_id is not None:
        visible = {i for i in visible if cases[i][0] == school_id}
    hide = actor is not None and "swv" in actor.roles

    def shown(n: int):
        return "<5" if hide and 0 < n < 5 else n

    def pct(values: list[int], p: int):
        return None if hide and len(values) < 5 else nearest_rank(values, p)

    tracks = [t for t in tracks if t[0] in visible]
    events = [e for e in events if e[0] in visible]
    in_period = [e for e in events if lo <= e[5] < hi]
    final = {s.id for s in route.steps.values() if s.final}
    first = route.main_track.start
    opened_in = [i for i in visible if lo <= cases[i][1] < hi]
    steps = []
    for step in (s for s in route.steps.values() if not s.final):
        here = [t for t in tracks if t[2] == step.id]
        stays = []
        for e in in_period:
            if e[3] != step.id:
                continue
            before = [p[5] for p in events if p[0] == e[0] and p[2] == e[2] and p[1] < e[1]]
            began = max(before) if before else cases[e[0]][1]
            stays.append((e[5].date() - began.date()).days)
        entered = sum(1 for e in in_period if e[4] == step.id) + (len(opened_in) if step.id == first else 0)
        steps.append({"step": step.id, "title": step.title, "now": shown(len(here)),
                      "overdue": shown(sum(1 for t in here if t[3] is not None and t[3] < today)),
                      "entered": shown(entered), "left": shown(sum(1 for e in in_period if e[3] == step.id)),
                      "median_days": pct(stays, 50), "p90_days": pct(stays, 90)})
    main = route.main_track.id
    schools = {}
    for case_id, track, step, deadline in tracks:
        if track == main and step not in final:
            o, d = schools.get(cases[case_id][0], (0, 0))
            schools[cases[case_id][0]] = (o + 1, d + int(deadline is not None and deadline < today))
    months = []
    for month in months_between(start, end):
        ended = [e for e in in_period if e[4] in final and route.steps[e[4]].track == main
                 and e[5].strftime("%Y-%m") == month]
        stayed = sum(1 for e in ended if e[4] == "afgesloten")
        months.append({"month": month,
                       "opened": shown(sum(1 for i in opened_in if cases[i][1].strftime("%Y-%m") == month)),
                       "closed": shown(len(ended)), "referred": shown(len(ended) - stayed),
                       "stayed": shown(stayed)})
    leads = []
    for target in (t for t in LEAD_TARGETS if t in route.steps):
        days = [(e[5].date() - cases[e[0]][1].date()).days for e in in_period if e[4] == target
                and not any(p[0] == e[0] and p[4] == target and p[1] < e[1] for p in events)]
        leads.append({"from": first, "to": target, "median_days": pct(days, 50), "p90_days": pct(days, 90),
                      "n": shown(len(days))})
    return {"steps": steps, "schools": schools, "months": months, "lead_times": leads}


def check(svc: Services, who: str | None, school: int | None = None) -> dict:
    actor = svc.resolve_actor(who) if who else None
    got = svc.report(actor, school=school).to_json()
    want = expected(svc, who, school)
    assert got["steps"] == want["steps"]
    assert got["months"] == want["months"]
    assert got["lead_times"] == want["lead_times"]
    names = {s.id: s.name for s in svc.list_schools()}
    hide = actor is not None and "swv" in actor.roles
    assert got["schools"] == [
        {"school": names[sid], "open": "<5" if hide and 0 < o < 5 else o,
         "overdue": "<5" if hide and 0 < d < 5 else d}
        for sid, (o, d) in sorted(want["schools"].items(), key=lambda kv: names[kv[0]])]
    return got


def test_report_matches_an_independent_count_for_the_file_owner(svc):
    got = check(svc, None)
    assert sum(s["now"] for s in got["steps"] if isinstance(s["now"], int)) > 50
    assert any(s["median_days"] for s in got["steps"])
    assert len(got["schools"]) == 3


def test_an_ib_counts_only_her_school(svc):
    got = check(svc, IB)
    assert [s["school"] for s in got["schools"]] == ["OBS De Regenboog"]
    assert "<5" not in json.dumps(got)  # inside the school: real counts


def test_the_swv_counts_every_case_with_small_counts_hidden(svc):
    got = check(svc, SWV)
    text = json.dumps(got)
    assert '"<5"' in text
    counts = [v for s in got["steps"] for v in (s["now"], s["entered"], s["left"])]
    assert all(v == 0 or v == "<5" or v >= 5 for v in counts)
    assert any(isinstance(v, int) and v >= 5 for v in counts)
    everyone = svc.report(None).to_json()
    assert got["steps"] != everyone["steps"]  # the same cases, but small counts hidden
    assert [s["step"] for s in got["steps"]] == [s["step"] for s in everyone["steps"]]


def test_a_school_filter_narrows_the_count(svc):
    school = next(s for s in svc.list_schools() if s.brin == "07PQ")
    got = check(svc, None, school.id)
    assert [s["school"] for s in got["schools"]] == [school.name]


def test_report_period_and_bad_dates(svc):
    r = svc.report(None, from_="2026-01-01", to="2026-03-31")
    assert [m.month for m in r.months] == ["2026-01", "2026-02", "2026-03"]
    with pytest.raises(InvalidInput, match="voordat ze begint"):
        svc.report(None, from_="2026-03-01", to="2026-01-01")
    with pytest.raises(InvalidInput):
        svc.report(None, from_="gisteren")


def test_formats_carry_the_same_figures_and_escape_names(svc):
    swv = svc.resolve_actor(SWV)
    svc.plusklas.add_location(swv, "<script>alert(1)</script> & Co", places=2, school="21KL")
    r = svc.report(None)
    data = json.loads(render(r, "json"))
    assert set(data) >= {"period", "steps", "schools", "months", "lead_times"}
    assert set(data["steps"][0]) == {"step", "title", "now", "overdue", "entered", "left", "median_days",
                                     "p90_days"}
    assert set(data["schools"][0]) == {"school", "open", "overdue"}
    assert set(data["months"][0]) == {"month", "opened", "closed", "referred", "stayed"}
    assert set(data["lead_times"][0]) == {"from", "to", "median_days", "p90_days", "n"}
    html = render(r, "html")
    assert html.count("<svg") == 3 and "<polyline" in html and "<rect" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    csv_text = render(r, "csv")
    first = data["steps"][0]
    assert f"steps,{first['step']},now,{first['now']}" in csv_text
    md = render(r, "md")
    assert "## Per stap" in md and first["title"] in md
    table = render(r, "table")
    assert "Per stap" in table and "Doorlooptijd" in table


def test_plusklas_occupancy_and_wait_in_the_report(svc):
    r = svc.report(None)
    lists = {loc.name: loc for loc in svc.plusklas.list(None)}
    assert lists, "the demo has Plus-klas locations"
    for p in r.plusklas:
        loc = lists[p.location]
        assert (p.places, p.occupied, p.free, p.waiting) == (loc.places, loc.occupied, loc.free, loc.waiting)
    assert any(p.occupied for p in r.plusklas)
    assert any(p.median_wait_days is not None for p in r.plusklas)


def test_report_date_default_is_twelve_months():
    assert default_period(date(2026, 11, 23)) == (date(2025, 12, 1), date(2026, 11, 23))
    assert default_period(date(2026, 3, 5)) == (date(2025, 4, 1), date(2026, 3, 5))
