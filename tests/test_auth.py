"""Logging in and out: demo users get in, a wrong password is refused with a message."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=StringIO())


@pytest.mark.parametrize("username", ["researcher", "reviewer", "admin"])
def test_each_demo_user_logs_in_with_the_demo_password(username, demo, client):
    response = client.post(reverse("login"), {"username": username, "password": "demo"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("claims:list")).status_code == 200


def test_a_wrong_password_is_refused_with_a_message(demo, client):
    response = client.post(reverse("login"), {"username": "researcher", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert 'value="researcher"' in response.content.decode(), "the form keeps the username"
    assert "_auth_user_id" not in client.session


def test_the_login_page_is_the_one_page_anonymous_visitors_see(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<label for="id_username">Username</label>' in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_logging_out_takes_a_post_and_ends_the_session(login, researcher):
    client = login(researcher)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("articles:list")).status_code == 302


def test_the_admin_refuses_researchers_and_admits_source_admins(login, researcher, source_admin):
    assert login(researcher).get(reverse("admin:index")).status_code == 302
    admin_page = login(source_admin).get(reverse("admin:sources_outlet_changelist"))
    assert admin_page.status_code == 200


class TestSignedInStateIsReadEachRequest:
    """Sessions, users and roles come from the database on each request: a change counts at once,
    whichever server made it (nothing is kept in a process's memory)."""

    def test_a_session_ended_elsewhere_is_over_here_too(self, login, researcher):
        from django.contrib.sessions.models import Session

        client = login(researcher)
        assert client.get(reverse("claims:list")).status_code == 200
        Session.objects.all().delete()  # another server's sign-out, or clearsessions
        response = client.get(reverse("claims:list"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_a_revoked_role_is_refused_on_the_next_request(self, login, researcher):
        from django.contrib.auth.models import Group

        client = login(researcher)
        assert client.get(reverse("claims:list")).status_code == 200
        researcher.groups.remove(Group.objects.get(name="Researcher"))
        assert client.get(reverse("claims:list")).status_code == 403

    def test_a_user_deactivated_by_a_bulk_update_is_signed_out_at_once(self, login, researcher):
        from django.contrib.auth.models import User

        client = login(researcher)
        assert client.get(reverse("claims:list")).status_code == 200
        # update() sends no signal: only reading the user afresh can notice it.
        User.objects.filter(pk=researcher.pk).update(is_active=False)
        assert client.get(reverse("claims:list")).status_code == 302

    def test_a_page_has_a_working_csrf_token_and_its_own_nonce(self, researcher):
        import re

        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(researcher)
        first = client.get(reverse("claims:list")).content.decode()
        response = client.get(reverse("claims:list"))
        page = response.content.decode()
        nonce = re.search(r'<script [^>]*nonce="([^"]+)"', page).group(1)
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        assert f'nonce="{nonce}"' not in first  # a nonce is never served twice
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
