"""The running stacks end-to-end tests use: the embedded default, or web and worker processes on
PostgreSQL with Redis or RabbitMQ."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from django.conf import settings

from tests.support.processes import Stack, reachable, switchboard


def _backends() -> list[str]:
    if settings.EMBEDDED:
        return ["embedded"]
    found = ["redis"]
    if reachable(5672):
        found.append("rabbitmq")
    return found


@pytest.fixture(params=_backends())
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    backend = request.param
    if backend == "embedded":
        with switchboard(tmp_path, {}, workers=0) as running:
            yield running
        return
    db = settings.DATABASES["default"]
    name = f"switchboard_e2e_{uuid.uuid4().hex[:10]}"
    admin_dsn = (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    )
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}",
        "DRAMATIQ_NAMESPACE": name,
    }
    # Redis carries the live updates in both; RabbitMQ, where chosen, carries the runs.
    env["REDIS_URL"] = settings.REDIS_URL
    if backend == "rabbitmq":
        env["BROKER_URL"] = "amqp://guest:guest@127.0.0.1:5672/"
    try:
        with switchboard(tmp_path, env, workers=1) as running:
            running.backend = backend
            yield running
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def person(stack: Stack, username: str) -> httpx.Client:
    """A person created the documented way (password `<username>-password-1`), with an API client
    holding a token from `manage.py apitoken`."""
    env = {**stack.env, "DJANGO_SUPERUSER_PASSWORD": f"{username}-password-1"}
    stack.env, saved = env, stack.env
    try:
        stack.manage(
            "createsuperuser", "--noinput", "--username", username, "--email", f"{username}@example.com"
        )
    finally:
        stack.env = saved
    token = stack.manage("apitoken", username).strip().splitlines()[-1]
    return httpx.Client(
        base_url=stack.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def browser_session(stack: Stack, username: str) -> str:
    """Sign in through the real login form, as a browser does; the session cookie's value."""
    with httpx.Client(base_url=stack.url) as browser:
        browser.get("/login/")
        answer = browser.post(
            "/login/",
            data={
                "username": username,
                "password": f"{username}-password-1",
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                "next": "/",
            },
        )
        assert answer.status_code == 302, answer.text
        return str(browser.cookies["sessionid"])
