"""SCIM filters select the same people and teams on SQLite and PostgreSQL (the suite runs on both):
`eq`, `co`, `sw` (and `ne`, `ew`, `pr`, `not`), `and` binding tighter than `or`, each attribute
compared with its own case rules, and anything else refused with `invalidFilter`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.identity.conftest import Scim


@pytest.fixture
def people(scim: Scim) -> dict[str, str]:
    """Three provisioned people and one local one, by short name → SCIM id."""
    ids = {
        "ada": scim.create_user(
            "Ada.Lovelace@example.com",
            externalId="EXT-Ada",
            displayName="Ada Lovelace",
            emails=[
                {"value": "ada@example.com", "type": "work", "primary": True},
                {"value": "countess@analytical.example", "type": "home"},
            ],
        )["id"],
        "grace": scim.create_user(
            "grace.hopper@example.com",
            externalId="ext-grace",
            displayName="Grace Hopper",
            emails=[{"value": "Grace@Navy.example", "type": "work", "primary": True}],
        )["id"],
        "alan": scim.create_user("alan.turing@example.org", displayName="Alan Turing", active=False)["id"],
    }
    return ids


def matched(scim: Scim, expression: str, people: dict[str, str], resource: str = "/Users") -> set[str]:
    answer = scim.get(resource, filter=expression)
    assert answer.status_code == 200, answer.content
    by_id = {v: k for k, v in people.items()}
    return {by_id.get(r["id"], r.get("userName") or r.get("displayName")) for r in answer.json()["Resources"]}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # userName is not case-exact (RFC 7643 §4.1.1)
        ('userName eq "ada.lovelace@EXAMPLE.com"', {"ada"}),
        ('userName co "HOPPER"', {"grace"}),
        ('userName sw "alan."', {"alan"}),
        ('userName ew "example.org"', {"alan"}),
        ('userName ne "ada.lovelace@example.com"', {"grace", "alan", "bob"}),
        # externalId is case-exact
        ('externalId eq "EXT-Ada"', {"ada"}),
        ('externalId eq "ext-ada"', set()),
        ('externalId co "Ada"', {"ada"}),
        ('externalId co "ada"', set()),
        ('externalId sw "ext-"', {"grace"}),
        ('externalId sw "EXT-"', {"ada"}),
        ("externalId pr", {"ada", "grace"}),
        # every e-mail address counts, not only the primary one, regardless of case
        ('emails.value eq "COUNTESS@analytical.example"', {"ada"}),
        ('emails.value eq "grace@navy.example"', {"grace"}),
        ('emails.value co "navy"', {"grace"}),
        ('emails.value sw "countess@"', {"ada"}),
        ('emails eq "ada@example.com"', {"ada"}),
        ('emails[value eq "ada@example.com"]', {"ada"}),
        ('emails.value eq "bob@example.com"', {"bob"}),  # a local person's address
        ('emails.value co "@example.com"', {"ada", "bob"}),
        # displayName is not case-exact
        ('displayName co "love"', {"ada"}),
        ('displayName sw "grace"', {"grace"}),
        ('displayName eq "ALAN TURING"', {"alan"}),
        # active, as a boolean and as the text Entra writes
        ("active eq false", {"alan"}),
        ('active eq "False"', {"alan"}),
        ("active eq true", {"ada", "grace", "bob"}),
        # logic: and binds tighter than or; not; grouping
        ('userName sw "alan" or userName sw "grace" and active eq false', {"alan"}),
        ('(userName sw "alan" or userName sw "grace") and active eq true', {"grace"}),
        ('displayName co "a" and not (active eq false)', {"ada", "grace"}),
        ('userName eq "nobody" or externalId eq "ext-grace"', {"grace"}),
        ('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ADA"', {"ada"}),
        ('id eq "not-a-uuid"', set()),
    ],
)
def test_user_filters(
    scim: Scim, people: dict[str, str], bob: Any, expression: str, expected: set[str]
) -> None:
    # Given three provisioned people and bob, a local one
    # when a provider lists people with a filter
    # then exactly the expected ones match
    assert matched(scim, expression, people) == expected


def test_filtering_by_id_finds_that_person(scim: Scim, people: dict[str, str]) -> None:
    assert matched(scim, f'id eq "{people["grace"]}"', people) == {"grace"}


def test_group_filters(scim: Scim, people: dict[str, str]) -> None:
    # Given two groups, one with Ada in it
    sales = scim.create_group("Sales EMEA", people["ada"])["id"]
    scim.post(
        "/Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Ops",
            "externalId": "G-Ops",
        },
    )

    # when filtering groups, then the display name ignores case, the external id does not, and a
    # member's id finds the groups they are in
    assert matched(scim, 'displayName eq "sales emea"', {"sales": sales}, "/Groups") == {"sales"}
    assert matched(scim, 'displayName sw "Sal"', {"sales": sales}, "/Groups") == {"sales"}
    assert matched(scim, 'externalId eq "G-Ops"', {}, "/Groups") == {"Ops"}
    assert matched(scim, 'externalId eq "g-ops"', {}, "/Groups") == set()
    assert matched(scim, f'members[value eq "{people["ada"]}"]', {"sales": sales}, "/Groups") == {"sales"}
    assert matched(scim, f'members.value eq "{people["grace"]}"', {}, "/Groups") == set()


@pytest.mark.parametrize(
    "expression",
    [
        'nickName eq "Babs"',  # an attribute Switchboard does not filter on
        'emails.type eq "work"',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"',
        'userName regex "a.*"',  # no such operator
        'userName gt "a"',
        'userName eq "unterminated',
        "userName eq",
        'userName eq "a" and',
        '(userName eq "a"',
        'active co "tr"',
        "userName eq 42",
    ],
)
def test_what_cannot_be_evaluated_is_an_invalid_filter(
    scim: Scim, people: dict[str, str], expression: str
) -> None:
    answer = scim.get("/Users", filter=expression)
    assert answer.status_code == 400
    assert answer.json()["scimType"] == "invalidFilter"
    assert answer.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
