"""``kindroute audit verify``: the history proves itself, and any tampering is named."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from test_trust_support import Clock, actor, open_case, run_cli, sqlite_services, to_ondersteuningsteam, walk

from kindroute.services.audit import verify_history


@pytest.fixture
def built(tmp_path):
    """Three cases with history; case b also has a jeugdhulp track."""
    path = tmp_path / "kr.sqlite"
    svc = sqlite_services(path, Clock())
    a = open_case(svc, "Sanne de Vries")
    walk(svc, a, "naar_aanpak_groep", "naar_leerlingbespreking")
    b = open_case(svc, "Daan Visser", teacher="Lotte Jansen")
    ib = actor(svc)
    svc.record_consent(ib, b, role="jeugdhulp", purpose="Wijkteam", given_by="Moeder")
    to_ondersteuningsteam(svc, b)
    svc.advance_case(ib, b, "start_jeugdhulp", note="Wijkteam <b>Noord</b> 👍")
    c = open_case(svc, "Mila Yilmaz")  # no events at all
    yield svc, path, (a, b, c)
    svc.db.dispose()


def tamper(svc, sql: str, **params) -> None:  # type: ignore[no-untyped-def]
    with svc.db.engine.begin() as conn:
        conn.execute(text(sql), params)


def problems(svc) -> list[str]:  # type: ignore[no-untyped-def]
    report = verify_history(svc.db, svc.route)
    return report.problems


def test_an_untouched_history_is_in_order(built):
    svc, path, (a, b, c) = built
    report = verify_history(svc.db, svc.route)
    assert report.ok, report.problems
    with svc.db.engine.connect() as conn:
        steps = conn.execute(text("SELECT COUNT(*) FROM case_events WHERE kind = 'step'")).scalar()
        events = conn.execute(text("SELECT COUNT(*) FROM case_events")).scalar()
    assert steps == 2 + 5 and events > steps  # notes, ticks, consents: events too
    assert (report.cases, report.events) == (3, events)
    r = run_cli("audit", "verify", "--db", str(path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"3 casussen, {events} gebeurtenissen: in orde"


def test_changed_event_is_named_with_case_and_seq(built):
    svc, path, (a, b, c) = built
    tamper(svc, "UPDATE case_events SET note = 'anders' WHERE case_id = :c AND seq = 2", c=b)
    found = problems(svc)
    assert any(f"casus {b}, gebeurtenis 2: inhoud gewijzigd" in p for p in found), found
    assert all(f"casus {a}" not in p for p in found)
    r = run_cli("audit", "verify", "--db", str(path))
    assert r.returncode == 1
    assert f"casus {b}, gebeurtenis 2: inhoud gewijzigd" in r.stdout
    assert "probleem" in r.stderr


def test_changed_actor_or_time_is_detected(built):
    svc, _, (a, b, c) = built
    tamper(svc, "UPDATE case_events SET actor_name = 'Iemand Anders' WHERE case_id = :c AND seq = 1", c=a)
    assert any(f"casus {a}, gebeurtenis 1: inhoud gewijzigd" in p for p in problems(svc))


def test_removed_event_is_detected(built):
    svc, _, (a, b, c) = built
    tamper(svc, "DELETE FROM case_events WHERE case_id = :c AND seq = 3", c=b)
    found = problems(svc)
    assert any(f"casus {b}: gebeurtenis 3 ontbreekt" in p for p in found), found
    assert any(f"casus {b}, gebeurtenis 4: sluit niet aan" in p for p in found), found


def last_seq(svc, case_id: int) -> int:  # type: ignore[no-untyped-def]
    with svc.db.engine.connect() as conn:
        return conn.execute(text("SELECT MAX(seq) FROM case_events WHERE case_id = :c"),
                            {"c": case_id}).scalar()


def test_removed_last_event_is_detected_by_the_head(built):
    svc, _, (a, b, c) = built
    n = last_seq(svc, a)
    tamper(svc, "DELETE FROM case_events WHERE case_id = :c AND seq = :n", c=a, n=n)
    found = problems(svc)
    assert any(f"casus {a}: {n - 1} gebeurtenissen gevonden, de casus noemt er {n}" in p
               for p in found), found
    assert any(f"casus {a}: de kop van de keten" in p for p in found), found


def test_inserted_event_is_detected(built):
    svc, _, (a, b, c) = built
    n = last_seq(svc, a)
    # a forged event appended with a correct-looking hash but not known to the case
    tamper(svc, "INSERT INTO case_events (case_id, seq, track, from_step, to_step, trigger, actor_id, "
                "actor_name, at, note, prev_hash, hash) SELECT case_id, :n + 1, track, to_step, "
                "'afgesloten', 'doel_behaald', actor_id, actor_name, at, '', hash, hash FROM case_events "
                "WHERE case_id = :c AND seq = :n", c=a, n=n)
    found = problems(svc)
    assert any(f"casus {a}, gebeurtenis {n + 1}: inhoud gewijzigd" in p for p in found), found
    assert any(f"casus {a}: {n + 1} gebeurtenissen gevonden, de casus noemt er {n} (ingevoegd)" in p
               for p in found)


def test_renumbered_history_is_detected(built):
    svc, _, (a, b, c) = built
    n = last_seq(svc, b)
    tamper(svc, "UPDATE case_events SET seq = seq + 10 WHERE case_id = :c AND seq = :n", c=b, n=n)
    found = problems(svc)
    missing = ", ".join(str(i) for i in range(n, n + 10))
    assert any(f"casus {b}: gebeurtenis {missing} ontbreekt" in p for p in found), found


def test_current_step_that_differs_from_the_history_is_detected(built):
    svc, _, (a, b, c) = built
    tamper(svc, "UPDATE case_tracks SET step = 'afgesloten' WHERE case_id = :c AND track = 'school'", c=a)
    tamper(svc, "DELETE FROM case_tracks WHERE case_id = :c AND track = 'jeugdhulp'", c=b)
    tamper(svc, "UPDATE case_tracks SET step = 'aanpak_groep' WHERE case_id = :c", c=c)
    found = problems(svc)
    assert any(f"casus {a}: huidige stap 'afgesloten' op spoor 'school' wijkt af" in p for p in found), found
    assert any(f"casus {b}: geschiedenis eindigt in 'toeleiding_jeugdhulp'" in p for p in found), found
    assert any(f"casus {c}: huidige stap 'aanpak_groep'" in p for p in found), found


def test_consistently_rewritten_event_is_still_caught_by_replay_or_head(built):
    """Someone recomputes one event's hash after changing it: the chain breaks at the next one."""
    from kindroute.store.chain import event_hash

    svc, _, (a, b, c) = built
    with svc.db.engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM case_events WHERE case_id = :c AND seq = 1"),
                           {"c": a}).mappings().one()
        from datetime import datetime
        at = row["at"] if isinstance(row["at"], datetime) else datetime.fromisoformat(row["at"])
        new_hash = event_hash(case_id=a, seq=1, track=row["track"], from_step=row["from_step"],
                              to_step=row["to_step"], trigger=row["trigger"], actor_id=row["actor_id"],
                              actor_name="Vervalser", at=at, note=row["note"], prev_hash=row["prev_hash"])
        conn.execute(text("UPDATE case_events SET actor_name = 'Vervalser', hash = :h "
                          "WHERE case_id = :c AND seq = 1"), {"h": new_hash, "c": a})
    found = problems(svc)
    assert any(f"casus {a}, gebeurtenis 2: sluit niet aan" in p for p in found), found


def test_verify_refuses_a_missing_database(tmp_path):
    r = run_cli("audit", "verify", "--db", str(tmp_path / "nope.sqlite"))
    assert r.returncode == 8
    assert "bestaat niet" in r.stderr
    assert not (tmp_path / "nope.sqlite").exists()
