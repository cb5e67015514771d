"""Privileges come from the route: the TLV route (other role ids, no ``grants``) as a matrix, and the
route's check of ``grants``."""

from __future__ import annotations

from pathlib import Path

import pytest

from kindroute.errors import RouteInvalid
from kindroute.services import privileges
from kindroute.services.dto import Actor
from kindroute.services.privileges import Action, Target
from kindroute.workflow import default_route_path, parse_route

OWN, OTHER = 1, 2
TLV = parse_route((Path(__file__).parent / "routes" / "tlv_route.toml").read_text(encoding="utf-8"),
                  "tlv_route.toml")


def actor(*roles: str, school: int | None = OWN, pid: int = 100) -> Actor:
    return Actor(pid, "X", tuple(roles), school)


ACTORS = {
    "eigenaar": None,
    "casuscoordinator": actor("casuscoordinator", school=None),
    "tlc": actor("tlc", school=None),
    "directeur": actor("directeur"),
    "ib": actor("ib"),
    "leerkracht": actor("leerkracht"),
    "orthopedagoog": actor("orthopedagoog", school=None),
    # the default route's administrator id means nothing on a route without it
    "swv": actor("swv", school=None),
}
ADMINS = {"eigenaar", "casuscoordinator", "tlc"}
SCHOOL = ADMINS | {"ib", "directeur"}

# TLV: ib and directeur assign leerkracht and ouders (not external, see no more than the school)
CASES = {
    "school toevoegen": ((Action.ADD_SCHOOL, None), ADMINS),
    "leerkracht eigen school": ((Action.ADD_PERSON, Target(OWN, ("leerkracht",))), SCHOOL),
    "ouders eigen school": ((Action.ADD_PERSON, Target(OWN, ("ouders",))), SCHOOL),
    "ib eigen school": ((Action.ADD_PERSON, Target(OWN, ("ib",))), ADMINS),
    "directeur eigen school": ((Action.ADD_PERSON, Target(OWN, ("directeur",))), ADMINS),
    "casuscoordinator": ((Action.ADD_PERSON, Target(None, ("casuscoordinator",))), ADMINS),
    "orthopedagoog op school": ((Action.ADD_PERSON, Target(OWN, ("orthopedagoog",))), ADMINS),
    "leerkracht andere school": ((Action.ADD_PERSON, Target(OTHER, ("leerkracht",))), ADMINS),
    "wijzig leerkracht": ((Action.EDIT_PERSON, Target(OWN, ("leerkracht",), 7)), SCHOOL),
    "wijzig ib": ((Action.EDIT_PERSON, Target(OWN, ("ib",), 7)), ADMINS),
    "beëindig leerkracht": ((Action.END_ROLE, Target(OWN, ("leerkracht",), 7)), SCHOOL),
    "wachtwoord leerkracht": ((Action.SET_PASSWORD, Target(OWN, ("leerkracht",), 7)), SCHOOL),
    "wachtwoord directeur": ((Action.SET_PASSWORD, Target(OWN, ("directeur",), 7)), ADMINS),
    "wachtwoord andere school": ((Action.SET_PASSWORD, Target(OTHER, ("leerkracht",), 7)), ADMINS),
    "eigen wachtwoord": ((Action.SET_PASSWORD, Target(None, ("leerkracht",), 100)), set(ACTORS)),
}


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("case", list(CASES))
def test_privilege_matrix_of_another_route(who, case):
    (action, target), allowed = CASES[case]
    assert privileges.may(ACTORS[who], action, target, TLV) is (who in allowed), (who, case)
    assert (privileges.refusal(ACTORS[who], action, target, TLV) is None) is (who in allowed)


def test_rights_of_the_tlv_route():
    r = privileges.rights(TLV)
    assert r.admins == {"casuscoordinator", "tlc"}
    assert r.grants == {"ib": ("leerkracht", "ouders"), "directeur": ("leerkracht", "ouders")}
    assert privileges.grantable_roles(ACTORS["ib"], TLV.roles, OWN, TLV) == ["leerkracht", "ouders"]
    assert privileges.grantable_roles(ACTORS["tlc"], TLV.roles, OTHER, TLV) == list(TLV.roles)


def test_the_default_route_states_its_grants():
    r = privileges.rights()
    assert r.admins == {"swv"}
    assert r.grants == {"ib": ("leerkracht", "ib"), "directeur": ("leerkracht", "ib", "directeur")}


def _default_with(old: str, new: str):  # type: ignore[no-untyped-def]
    text = default_route_path().read_text(encoding="utf-8")
    assert old in text
    return parse_route(text.replace(old, new, 1), "aangepast.toml")


@pytest.mark.parametrize("old,new,says", [
    ('grants = ["leerkracht", "ib"]', 'grants = ["leerkracht", "swv"]', "ziet meer dan deze rol"),
    ('grants = ["leerkracht", "ib"]', 'grants = ["so_expert"]', "rol buiten de school"),
    ('grants = ["leerkracht", "ib"]', 'grants = ["rector"]', "rector"),
    ('id = "leerkracht"\nlabel = "Leerkracht"\nsees = "assigned"',
     'id = "leerkracht"\nlabel = "Leerkracht"\nsees = "assigned"\ngrants = ["leerkracht"]',
     "alleen een rol die de school ziet"),
])
def test_the_route_check_refuses_wrong_grants(old, new, says):
    with pytest.raises(RouteInvalid) as exc:
        _default_with(old, new)
    assert says in str(exc.value)


def test_without_grants_a_school_role_never_grants_its_peer():
    """An older copy of the default route (no ``grants``): nobody gains a right by the derivation."""
    text = default_route_path().read_text(encoding="utf-8")
    old = parse_route(text.replace('grants = ["leerkracht", "ib"]\n', "")
                      .replace('grants = ["leerkracht", "ib", "directeur"]\n', ""), "oud.toml")
    r = privileges.rights(old)
    assert "directeur" not in r.grants["ib"] and "ib" not in r.grants["directeur"]
    assert {"leerkracht", "ib"} <= set(r.grants["ib"]) and "swv" not in r.grants["ib"]
    assert not privileges.may(actor("ib"), Action.ADD_PERSON, Target(OWN, ("directeur",)), old)
