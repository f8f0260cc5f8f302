"""Fixtures shared by every test: people, API clients, real workers, local peers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from identity.services import apitoken_create, membership_add, role_grant, team_default
from tests.support.sink import HttpSink
from tests.support.smtp import SmtpSink
from tests.support.workers import embedded_worker, worker_processes


def person(username: str, *roles: str, teams: tuple[Any, ...] = ()) -> Any:
    """A person (password `<username>-password-1`) holding `roles`, a member of `teams`."""
    user = get_user_model().objects.create_user(username, f"{username}@example.com", f"{username}-password-1")
    for role in roles:
        role_grant(user=user, role=role)
    for team in teams:
        membership_add(user=user, team=team, source="local")
    return user


@pytest.fixture
def alice(db: Any) -> Any:
    """A builder who is also an admin (a superuser). She is in no team, so the flows she makes go to
    the default team (`DEFAULT_TEAM`); as an admin she sees every team's."""
    return get_user_model().objects.create_superuser("alice", "alice@example.com", "alice-password-1")


@pytest.fixture
def bob(db: Any) -> Any:
    """An approver in the default team, where alice's flows are: he sees them and decides on them."""
    return person("bob", "approver", teams=(team_default(),))


@pytest.fixture
def carol(db: Any) -> Any:
    """A builder in the default team: she edits and runs alice's flows but does not approve."""
    return person("carol", "builder", teams=(team_default(),))


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {apitoken_create(user=user, name='test')[1]}")
    return client


@pytest.fixture
def api(alice: Any) -> APIClient:
    """The API as alice, through a real bearer token."""
    return client_for(alice)


@pytest.fixture
def bob_api(bob: Any) -> APIClient:
    return client_for(bob)


@pytest.fixture
def carol_api(carol: Any) -> APIClient:
    return client_for(carol)


@pytest.fixture(scope="session")
def _workers(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Real workers for the whole session: a thread on the in-process broker, or a process on Redis."""
    with django_db_blocker.unblock():
        if settings.EMBEDDED:
            with embedded_worker():
                yield
        else:
            with worker_processes(1, tmp_path_factory.mktemp("workers") / "worker.log"):
                yield


@pytest.fixture
def worker(transactional_db: Any, _workers: None, settings: Any) -> Iterator[None]:
    """Runs queued in this test are executed by real workers (data is committed, not rolled back).

    Loopback is allowed as an egress target, as the worker processes are told too, so flows can
    reach the test's local peers.
    """
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    yield
    # Let runs the test started finish before the tables are emptied: a worker process still writing
    # while PostgreSQL truncates can deadlock the flush.
    from flows.models import Run, RunStatus

    deadline = time.monotonic() + 10
    while Run.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    """A local HTTP server that records requests; reaching it needs 127.0.0.1 in EGRESS_ALLOW."""
    with HttpSink() as sink:
        yield sink


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    """A local SMTP server, with Django's SMTP backend pointed at it."""
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield sink
