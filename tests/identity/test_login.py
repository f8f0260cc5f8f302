"""Signing in and out: the sign-in page, password sign-in (and turning it off), sign-out, the audit log,
and the OIDC pipeline steps of identity.oidc run on real rows with the claims a provider sends. The
whole journey through a real OpenID provider is tests/e2e/test_oidc.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from social_django.models import UserSocialAuth
from social_django.utils import load_backend, load_strategy

from hub.models import AuditEntry
from identity.models import Membership, MembershipSource, Team
from identity.oidc import (
    SignInRefused,
    link_provisioned_person,
    memberships_sync_from_claim,
    refuse_unwelcome,
    sync_teams,
    update_profile,
)
from identity.selectors import user_roles
from identity.services import membership_add, user_deactivate
from identity.views import OIDC_BACKEND, PROVIDER_LOGOUT_SESSION_KEY

User = get_user_model()
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Nothing listens there: discovery fails at once, as it does while a provider is down.
UNREACHABLE_ISSUER = "http://127.0.0.1:9"


@pytest.fixture
def oidc(settings: Any, db: Any) -> Any:
    """OIDC configured (the provider itself is not reached by these tests)."""
    settings.OIDC_ISSUER = settings.SOCIAL_AUTH_OIDC_OIDC_ENDPOINT = UNREACHABLE_ISSUER
    settings.OIDC_NAME = "Acme ID"
    settings.SOCIAL_AUTH_OIDC_KEY, settings.SOCIAL_AUTH_OIDC_SECRET = "switchboard", "secret"
    settings.AUTHENTICATION_BACKENDS = [OIDC_BACKEND, MODEL_BACKEND]
    settings.ROLE_GROUPS = {"builder": ["builders"], "approver": ["approvers"], "viewer": ["everyone"]}
    return settings


@pytest.fixture
def backend(oidc: Any) -> Any:
    """The real OIDC backend, as the pipeline gets it, holding the claims of a validated ID token."""
    request = RequestFactory().get("/complete/oidc/", REMOTE_ADDR="192.0.2.7")
    request.session = SessionStore()
    strategy = load_strategy(request)
    found = load_backend(strategy, "oidc", redirect_uri="/complete/oidc/")
    found.id_token = {}
    return found


def signed_in_claims(backend: Any, **claims: Any) -> dict[str, Any]:
    backend.id_token = {"iss": UNREACHABLE_ISSUER, "aud": "switchboard", **claims}
    return {}


def audit_actions(prefix: str = "auth.") -> list[tuple[str, str | None, dict[str, Any]]]:
    return [
        (e.action, e.actor_name, e.detail)
        for e in AuditEntry.objects.filter(action__startswith=prefix).order_by("id")
    ]


# --- the sign-in page and password sign-in ------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_without_oidc_is_the_password_form(client: Client) -> None:
    page = client.get("/login/?next=/runs")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="password"' in html and 'value="/runs"' in html
    assert "Sign in with" not in html


def test_the_sign_in_page_offers_the_provider_labelled_by_oidc_name(client: Client, oidc: Any) -> None:
    html = client.get("/login/?next=/runs").content.decode()
    assert 'action="/login/oidc/"' in html
    assert "Sign in with Acme ID" in html
    assert html.count('value="/runs"') == 2  # both ways in go back where the person was headed
    assert 'name="password"' in html  # break-glass admins still have it


def test_password_sign_in_starts_a_session_and_is_audited(
    client: Client, make_person: Callable[..., Any]
) -> None:
    carol = make_person("carol")
    client.get("/login/")
    answer = client.post(
        "/login/",
        {"username": "carol", "password": "carol-password-1", "next": "/runs"},
        REMOTE_ADDR="192.0.2.9",
    )
    assert answer.status_code == 302 and answer["Location"] == "/runs"
    assert client.session["_auth_user_id"] == str(carol.pk)
    assert audit_actions() == [
        ("auth.signed_in", "carol", {"method": "password", "ip": "192.0.2.9"}),
    ]
    # a signed-in person who opens the sign-in page goes on to the app (never back to it)
    assert client.get("/login/?next=/flows/new")["Location"] == "/flows/new"
    assert client.get("/login/?next=/login/")["Location"] == "/"


def test_a_wrong_password_is_said_plainly_and_audited_without_the_password(
    client: Client, make_person: Callable[..., Any]
) -> None:
    make_person("carol")
    page = client.post("/login/", {"username": "carol", "password": "nope"})
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode()
    assert "correct username and password" in page.content.decode()
    assert "_auth_user_id" not in client.session
    [(action, actor, detail)] = audit_actions()
    assert action == "auth.sign_in_failed" and actor == "system" and detail["username"] == "carol"
    assert "nope" not in str(detail) and detail["ip"] == "127.0.0.1"


def test_service_accounts_and_deactivated_people_cannot_sign_in_with_a_password(
    client: Client, make_person: Callable[..., Any]
) -> None:
    make_person("robot", is_service_account=True)
    page = client.post("/login/", {"username": "robot", "password": "robot-password-1"})
    assert "Service accounts cannot sign in" in page.content.decode()
    dora = make_person("dora")
    user_deactivate(user=dora, reason="left")
    page = client.post("/login/", {"username": "dora", "password": "dora-password-1"})
    assert page.status_code == 200 and "_auth_user_id" not in client.session
    assert [a for a, _, d in audit_actions()] == ["auth.sign_in_failed", "auth.sign_in_failed"]


def test_with_password_login_off_the_form_is_gone_and_a_password_post_is_refused(
    client: Client, oidc: Any, alice: Any
) -> None:
    oidc.PASSWORD_LOGIN = False
    oidc.AUTHENTICATION_BACKENDS = [OIDC_BACKEND]
    html = client.get("/login/").content.decode()
    assert 'name="password"' not in html and "Sign in with Acme ID" in html
    # even a superuser with the right password
    answer = client.post("/login/", {"username": "alice", "password": "alice-password-1"})
    assert answer.status_code == 403
    assert "Password sign-in is turned off" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert audit_actions() == []


# --- sign-out -----------------------------------------------------------------------------------


def test_sign_out_ends_the_session_and_is_audited(client: Client, make_person: Callable[..., Any]) -> None:
    carol = make_person("carol")
    client.force_login(carol, backend=MODEL_BACKEND)
    assert client.get("/logout/").status_code == 200  # a page with a button: a link signs nobody out
    answer = client.post("/logout/", {"next": "/login/"}, REMOTE_ADDR="192.0.2.9")
    assert answer.status_code == 302 and answer["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/api/v1/me").status_code in (401, 403)
    assert audit_actions() == [("auth.signed_out", "carol", {"method": "password", "ip": "192.0.2.9"})]
    assert client.get("/logout/")["Location"] == "/login/"


def test_sign_out_of_an_oidc_session_ends_it_even_when_the_provider_is_unreachable(
    client: Client, oidc: Any, make_person: Callable[..., Any]
) -> None:
    carol = make_person("carol")
    client.force_login(carol, backend=OIDC_BACKEND)
    answer = client.post("/logout/")
    assert answer.status_code == 302 and answer["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert [(a, d["method"]) for a, _, d in audit_actions()] == [("auth.signed_out", "oidc")]


def test_the_provider_sign_out_page_sends_the_browser_on_only_once_signed_out(
    client: Client, oidc: Any, make_person: Callable[..., Any]
) -> None:
    end_session = "https://id.example/logout?id_token_hint=abc&post_logout_redirect_uri=x"
    session = client.session
    session[PROVIDER_LOGOUT_SESSION_KEY] = end_session
    session.save()
    page = client.get("/logout/provider/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'http-equiv="refresh"' in html
    assert "https://id.example/logout?id_token_hint=abc&amp;post_logout_redirect_uri=x" in html
    assert "Continue to Acme ID" in html
    # back on the sign-in page, the round trip is over
    client.get("/login/")
    assert client.get("/logout/provider/")["Location"] == "/login/"


# --- the OIDC start and callback, where they fail -----------------------------------------------


def test_an_unreachable_provider_is_said_plainly_on_the_sign_in_page(client: Client, oidc: Any) -> None:
    client.get("/login/")
    answer = client.post("/login/oidc/", {"next": "/"})
    assert answer.status_code == 302 and answer["Location"] == "/login/"
    html = client.get("/login/").content.decode()
    assert "Sign-in with Acme ID did not work" in html
    assert "could not be reached" in html


def test_starting_oidc_sign_in_needs_a_post_with_the_csrf_token(oidc: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.get("/login/oidc/").status_code == 405
    assert strict.post("/login/oidc/").status_code == 403


def test_a_callback_that_does_not_match_the_session_is_refused(client: Client, oidc: Any) -> None:
    answer = client.get("/complete/oidc/", {"code": "stolen", "state": "made-up"})
    assert answer.status_code == 302 and answer["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert "Sign-in with Acme ID did not work" in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_without_oidc_its_routes_are_not_there(client: Client) -> None:
    assert client.post("/login/oidc/").status_code == 404
    assert client.get("/complete/oidc/").status_code == 404


# --- the pipeline: groups claim → memberships → roles -------------------------------------------


def test_memberships_follow_the_groups_claim_and_roles_follow_them(
    oidc: Any, make_person: Callable[..., Any]
) -> None:
    carol = make_person("carol")
    sales = Team.objects.create(name="Sales")
    membership_add(user=carol, team=sales, source=MembershipSource.LOCAL)
    ops = Team.objects.create(name="Ops", scim_managed=True)
    membership_add(user=carol, team=ops, source=MembershipSource.SCIM)

    # first sign-in: teams are made, memberships added with source oidc
    added, removed = memberships_sync_from_claim(user=carol, group_names=["builders", "approvers", "admins"])
    assert (added, removed) == (["admins", "approvers", "builders"], [])
    assert sorted(Membership.objects.filter(user=carol).values_list("team__name", "source")) == [
        ("Ops", "scim"),
        ("Sales", "local"),
        ("admins", "oidc"),
        ("approvers", "oidc"),
        ("builders", "oidc"),
    ]
    assert user_roles(carol) == ["approver", "builder"]

    # next sign-in the provider dropped approvers (and never listed Sales or Ops): only that goes
    sync_teams(user=carol, groups=["builders", "admins", "Ops"])
    assert sorted(Membership.objects.filter(user=carol).values_list("team__name", "source")) == [
        ("Ops", "scim"),
        ("Sales", "local"),
        ("admins", "oidc"),
        ("builders", "oidc"),
    ]
    assert user_roles(carol) == ["builder"]

    # no groups at all
    sync_teams(user=carol, groups=[])
    assert sorted(Membership.objects.filter(user=carol).values_list("team__name", flat=True)) == [
        "Ops",
        "Sales",
    ]
    assert user_roles(carol) == []
    carol.refresh_from_db()
    assert not carol.is_superuser and not carol.is_staff
    assert Team.objects.filter(name="approvers").exists()  # teams stay: flows may belong to them
    assert ("team.member_removed", "system") in [(a, n) for a, n, _ in audit_actions("team.")]


def test_a_group_named_like_an_admin_group_makes_no_superuser(
    oidc: Any, make_person: Callable[..., Any]
) -> None:
    carol = make_person("carol")
    sync_teams(user=carol, groups=["admins", "superusers", "staff", "Domain Admins"])
    carol.refresh_from_db()
    assert (carol.is_superuser, carol.is_staff) == (False, False)
    assert user_roles(carol) == []  # ROLE_GROUPS maps none of them


# --- the pipeline: which person an identity is --------------------------------------------------


def test_an_identity_links_to_the_person_scim_provisioned_with_its_subject(
    backend: Any, make_person: Callable[..., Any]
) -> None:
    carol = make_person("carol@corp.example", scim_managed=True, scim_external_id="00u-carol")
    response = signed_in_claims(backend, sub="00u-carol", email="someone@else.example")
    assert link_provisioned_person(backend, uid="00u-carol", response=response) == {
        "user": carol,
        "is_new": False,
    }
    # Entra ID: its `sub` is per application; the object id (`oid`) is what SCIM sent as externalId
    dave = make_person("dave@corp.example", scim_managed=True, scim_external_id="7d1f-oid")
    response = signed_in_claims(backend, sub="pairwise-xyz", oid="7d1f-oid")
    assert link_provisioned_person(backend, uid="pairwise-xyz", response=response)["user"] == dave


def test_an_identity_links_by_e_mail_only_when_the_provider_verified_it(
    backend: Any, make_person: Callable[..., Any]
) -> None:
    carol = make_person("carol", email="Carol@Corp.example")
    unverified = signed_in_claims(backend, sub="s1", email="carol@corp.example", email_verified=False)
    assert link_provisioned_person(backend, uid="s1", response=unverified) is None
    silent = signed_in_claims(backend, sub="s1", email="carol@corp.example", preferred_username="carol")
    assert link_provisioned_person(backend, uid="s1", response=silent) is None
    verified = signed_in_claims(backend, sub="s1", email="carol@corp.example", email_verified=True)
    assert link_provisioned_person(backend, uid="s1", response=verified) == {"user": carol, "is_new": False}
    # userinfo's "true" as a string counts too; and a username that is the e-mail matches
    dave = make_person("dave@corp.example", email="")
    stringly = signed_in_claims(backend, sub="s2", email="dave@corp.example", email_verified="true")
    assert link_provisioned_person(backend, uid="s2", response=stringly)["user"] == dave


def test_superusers_and_people_with_another_identity_are_never_linked_by_e_mail(
    backend: Any, alice: Any, make_person: Callable[..., Any]
) -> None:
    claims = {"email": "alice@example.com", "email_verified": True}
    assert (
        link_provisioned_person(backend, uid="s1", response=signed_in_claims(backend, sub="s1", **claims))
        is None
    )
    erin = make_person("erin")
    UserSocialAuth.objects.create(user=erin, provider="oidc", uid="old-subject")
    claims = {"email": "erin@example.com", "email_verified": True}
    with pytest.raises(SignInRefused, match="signs in with another identity"):
        link_provisioned_person(
            backend, uid="new-subject", response=signed_in_claims(backend, sub="s", **claims)
        )


def test_an_identity_already_linked_is_left_to_social_auth(
    backend: Any, make_person: Callable[..., Any]
) -> None:
    carol = make_person("carol")
    assert link_provisioned_person(backend, uid="s1", response={}, user=carol) is None


def test_deactivated_people_and_service_accounts_are_refused_and_it_is_audited(
    backend: Any, make_person: Callable[..., Any]
) -> None:
    carol = make_person("carol", scim_managed=True)
    user_deactivate(user=carol, reason="SCIM active: false")
    with pytest.raises(SignInRefused, match="has been deactivated"):
        refuse_unwelcome(backend, user=carol)
    robot = make_person("robot", is_service_account=True)
    with pytest.raises(SignInRefused, match="Service accounts cannot sign in"):
        refuse_unwelcome(backend, user=robot)
    refuse_unwelcome(backend, user=make_person("dora"))  # anyone else goes on
    refuse_unwelcome(backend, user=None)  # someone new goes on
    assert [(a, d["reason"], d["ip"]) for a, _, d in audit_actions()] == [
        ("auth.sign_in_refused", "deactivated", "192.0.2.7"),
        ("auth.sign_in_refused", "service_account", "192.0.2.7"),
    ]


def test_the_profile_follows_the_provider_but_scim_stays_the_source_of_truth(
    backend: Any, make_person: Callable[..., Any]
) -> None:
    details = {
        "email": "carol.chen@corp.example",
        "fullname": "Carol Chen",
        "first_name": "Carol",
        "last_name": "Chen",
        "username": "cchen",
    }
    carol = make_person("carol")
    update_profile(
        backend, details=details, response=signed_in_claims(backend, email_verified=True), user=carol
    )
    carol.refresh_from_db()
    assert (carol.username, carol.email, carol.display_name, carol.first_name, carol.last_name) == (
        "carol",
        "carol.chen@corp.example",
        "Carol Chen",
        "Carol",
        "Chen",
    )
    # an address the provider has not verified is not taken
    update_profile(
        backend,
        details={**details, "email": "x@evil.example"},
        response=signed_in_claims(backend, email_verified=False),
        user=carol,
    )
    carol.refresh_from_db()
    assert carol.email == "carol.chen@corp.example"
    # a SCIM-provisioned person: only blanks are filled
    dave = make_person("dave", email="dave@corp.example", scim_managed=True, display_name="")
    update_profile(backend, details={**details, "email": "other@corp.example"}, response={}, user=dave)
    dave.refresh_from_db()
    assert (dave.email, dave.display_name) == ("dave@corp.example", "Carol Chen")
    assert not dave.is_superuser
