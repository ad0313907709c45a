"""Security settings: production settings pass the deploy checks; pages carry a CSP."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import PROJECT_ROOT

PRODUCTION_ENVIRONMENT = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-like-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "claims.example.org",
}


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    # The browser tests allow async-unsafe ORM calls in this process; production never does.
    env = {**os.environ, **environment}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(  # noqa: S603 - a fixed command line
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deploy_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENVIRONMENT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION_ENVIRONMENT, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_nonce_based_csp_and_htmx_has_the_nonce(login, researcher):
    response = login(researcher).get(reverse("articles:list"))
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html
    assert "/static/django_htmx/htmx-2.min.js" in html


@pytest.mark.django_db
def test_pages_set_referrer_and_opener_policies(client):
    response = client.get(reverse("login"))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
