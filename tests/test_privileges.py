"""The privilege rules as a matrix (roles × actions), and the people use cases that apply them."""

from __future__ import annotations

import pytest

from kindroute.errors import AccessDenied, InvalidInput
from kindroute.services import privileges
from kindroute.services import staff as people
from kindroute.services.dto import Actor
from kindroute.services.privileges import Action, Target

OWN, OTHER = 1, 2


def actor(*roles: str, school: int | None = OWN, pid: int = 100) -> Actor:
    return Actor(pid, "X", tuple(roles), school)


ACTORS = {
    "eigenaar": None,
    "swv": actor("swv", school=None),
    "directeur": actor("directeur"),
    "ib": actor("ib"),
    "leerkracht": actor("leerkracht"),
    "so_expert": actor("so_expert", school=None),
    "jeugdhulp": actor("jeugdhulp", school=None),
}

ADMINS = {"eigenaar", "swv"}
HEADS = ADMINS | {"directeur"}
STAFF = HEADS | {"ib"}

# (action, target) -> who may: the whole matrix, every cell stated
CASES = {
    "school toevoegen": ((Action.ADD_SCHOOL, None), ADMINS),
    "leerkracht eigen school": ((Action.ADD_PERSON, Target(OWN, ("leerkracht",))),
                                STAFF),
    "ib eigen school": ((Action.ADD_PERSON, Target(OWN, ("ib",))), STAFF),
    "directeur eigen school": ((Action.ADD_PERSON, Target(OWN, ("directeur",))),
                               HEADS),
    "swv-rol": ((Action.ADD_PERSON, Target(None, ("swv",))), ADMINS),
    "so_expert": ((Action.ADD_PERSON, Target(None, ("so_expert",))), ADMINS),
    "so_expert op school": ((Action.ADD_PERSON, Target(OWN, ("so_expert",))), ADMINS),
    "leerkracht andere school": ((Action.ADD_PERSON, Target(OTHER, ("leerkracht",))), ADMINS),
    "ib andere school": ((Action.ADD_PERSON, Target(OTHER, ("ib",))), ADMINS),
    "wijzig leerkracht": ((Action.EDIT_PERSON, Target(OWN, ("leerkracht",), 7)),
                          STAFF),
    "wijzig directeur": ((Action.EDIT_PERSON, Target(OWN, ("directeur",), 7)), HEADS),
    "wijzig andere school": ((Action.EDIT_PERSON, Target(OTHER, ("leerkracht",), 7)), ADMINS),
    "beëindig leerkracht": ((Action.END_ROLE, Target(OWN, ("leerkracht",), 7)),
                            STAFF),
    "beëindig directeur": ((Action.END_ROLE, Target(OWN, ("directeur",), 7)), HEADS),
    "beëindig ib+so_expert": ((Action.END_ROLE, Target(OWN, ("ib", "so_expert"), 7)), ADMINS),
    "wachtwoord leerkracht": ((Action.SET_PASSWORD, Target(OWN, ("leerkracht",), 7)),
                              STAFF),
    "wachtwoord directeur": ((Action.SET_PASSWORD, Target(OWN, ("directeur",), 7)),
                             HEADS),
    "wachtwoord swv": ((Action.SET_PASSWORD, Target(None, ("swv",), 7)), ADMINS),
    "wachtwoord andere school": ((Action.SET_PASSWORD, Target(OTHER, ("leerkracht",), 7)), ADMINS),
    "eigen wachtwoord": ((Action.SET_PASSWORD, Target(OWN, ("leerkracht",), 100)), set(ACTORS)),
}


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("case", list(CASES))
def test_privilege_matrix(who, case):
    (action, target), allowed = CASES[case]
    if case == "eigen wachtwoord" and who in ("so_expert", "jeugdhulp", "swv"):
        target = Target(None, target.roles, target.person_id)
    assert privileges.may(ACTORS[who], action, target) is (who in allowed)
    reason = privileges.refusal(ACTORS[who], action, target)
    assert (reason is None) is (who in allowed)
    if reason is not None:
        with pytest.raises(AccessDenied):
            privileges.require(ACTORS[who], action, target)


def test_grantable_roles_follow_the_rank():
    known = ["leerkracht", "ib", "directeur", "so_expert", "swv"]
    assert privileges.grantable_roles(ACTORS["ib"], known, OWN) == ["leerkracht", "ib"]
    assert privileges.grantable_roles(ACTORS["directeur"], known, OWN) == ["leerkracht", "ib", "directeur"]
    assert privileges.grantable_roles(ACTORS["ib"], known, OTHER) == []
    assert privileges.grantable_roles(ACTORS["leerkracht"], known, OWN) == []
    assert privileges.grantable_roles(ACTORS["swv"], known, OTHER) == known


@pytest.mark.parametrize("a,b,same", [
    ("Ingrid Bakker", "ingrid bakker", True),
    ("Ömer Çelik", "omer celik", True),
    ("Ingrid  Bakker", "Ingrid Bakker", True),
    ("Ingrid Bakker", "Ingrid Bakkers", False),
])
def test_same_name_ignores_case_accents_and_spacing(a, b, same):
    assert privileges.same_name(a, b) is same


# ---------------------------------------------------------------------- the use cases


def _actor(svc, name):
    return svc.resolve_actor(name)


def test_ib_adds_a_teacher_of_her_own_school(seeded):
    ib = _actor(seeded, "Ingrid Bakker")
    info = people.add_person(seeded, ib, "Nina Nieuw", ["leerkracht"], school=ib.school_id)
    assert info.roles == ("leerkracht",) and info.school == "OBS De Regenboog"
    assert "Nina Nieuw" in [p.name for p in people.list_people(seeded)]


@pytest.mark.parametrize("who,roles,school", [
    ("Ingrid Bakker", ["swv"], None),
    ("Ingrid Bakker", ["directeur"], "12AB"),
    ("Ingrid Bakker", ["leerkracht"], "34CD"),
    ("Tom de Wit", ["leerkracht"], "12AB"),
    ("Sara Smit", ["so_expert"], None),
])
def test_refused_grants_change_nothing(seeded, who, roles, school):
    before = people.list_people(seeded)
    with pytest.raises(AccessDenied):
        people.add_person(seeded, _actor(seeded, who), "Nina Nieuw", roles, school=school)
    assert people.list_people(seeded) == before


def test_names_are_unique_ignoring_case_and_accents(seeded):
    with pytest.raises(InvalidInput, match="Er is al een persoon met de naam 'Ingrid Bakker'"):
        people.add_person(seeded, None, "ingrid bakker", ["leerkracht"], school="12AB")
    people.add_person(seeded, None, "Ömer Çelik", ["leerkracht"], school="12AB")
    with pytest.raises(InvalidInput, match="uniek"):
        people.add_person(seeded, None, "Omer Celik", ["leerkracht"], school="12AB")
    tom = _actor(seeded, "Tom de Wit")
    with pytest.raises(InvalidInput, match="uniek"):
        people.edit_person(seeded, None, tom.id, name="LOTTE JANSEN")
    assert people.edit_person(seeded, None, tom.id, name="Tom de  Wit").name == "Tom de  Wit"


def test_edit_gives_a_role_within_the_rank(seeded):
    ib = _actor(seeded, "Ingrid Bakker")
    tom = _actor(seeded, "Tom de Wit")
    info = people.edit_person(seeded, ib, tom.id, name="Tom de Wit", add_roles=["ib"])
    assert info.roles == ("leerkracht", "ib")
    with pytest.raises(AccessDenied):
        people.edit_person(seeded, ib, tom.id, name="Tom de Wit", add_roles=["directeur"])
    dirk = _actor(seeded, "Dirk Vos")
    with pytest.raises(AccessDenied):
        people.edit_person(seeded, ib, dirk.id, name="Dirk de Baas")


def test_end_role_refused_while_assigned_then_ends_access(seeded):
    ib = _actor(seeded, "Ingrid Bakker")
    tom = _actor(seeded, "Tom de Wit")
    case_id = seeded.open_case(ib, pupil="Eva Dijk", school="12AB", group=5, born="2017-03-01",
                               teacher=tom.id)
    with pytest.raises(InvalidInput, match="nog leerkracht op 1 casus"):
        people.end_role(seeded, ib, tom.id, "leerkracht")
    lotte = _actor(seeded, "Lotte Jansen")
    seeded.assign_role(ib, case_id, "leerkracht", lotte.id)
    info = people.end_role(seeded, ib, tom.id, "leerkracht")
    assert info.roles == ()
    assert tom.id not in [p.id for p in people.list_people(seeded)]
    assert [p.active for p in people.list_people(seeded, include_ended=True) if p.id == tom.id] == [False]
    with pytest.raises(InvalidInput, match="eigen rol"):
        people.end_role(seeded, ib, ib.id, "ib")


def test_only_the_administrator_adds_schools(seeded):
    with pytest.raises(AccessDenied):
        people.add_school(seeded, _actor(seeded, "Ingrid Bakker"), "Nieuwe School", "56EF")
    assert people.add_school(seeded, _actor(seeded, "Willem Hof"), "Nieuwe School", "56EF").brin == "56EF"
