"""Sign-in is throttled per account and per address (django-axes), with a message and an unlock."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOCKED = "Sign-in paused"


def sign_in(username, password, address="192.0.2.10", **headers):
    client = Client(REMOTE_ADDR=address, headers=headers)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_after_five_wrong_ones_is_refused_with_a_message(researcher):
    for _ in range(5):
        sign_in("rosa", "wrong")
    client, response = sign_in("rosa", "secret-for-tests")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize("page", ["login", "admin:login"])
def test_a_name_longer_than_any_account_is_refused_before_it_is_checked_or_recorded(page):
    # Recording it as a failed attempt overflowed axes' 255-character column: a 500 on PostgreSQL.
    client = Client(REMOTE_ADDR="192.0.2.10")
    data = {"username": "x" * 10_000, "password": "secret-for-tests"}
    response = client.post(reverse(page), data)
    assert response.status_code == 200
    assert "username and password" in response.content.decode()  # as for any unknown name
    assert not AccessAttempt.objects.exists()
    assert not signed_in(client)


def test_an_account_is_locked_whatever_address_the_attempts_come_from(researcher):
    for n in range(5):
        sign_in("rosa", "wrong", address=f"198.51.100.{n}")
    _, response = sign_in("rosa", "secret-for-tests", address="203.0.113.99")
    assert response.status_code == 429


def test_an_address_is_locked_whatever_accounts_it_tries(researcher, reviewer):
    for n in range(5):
        sign_in(f"guess{n}", "wrong", address="198.51.100.7")
    _, response = sign_in("victor", "secret-for-tests", address="198.51.100.7")
    assert response.status_code == 429
    client, elsewhere = sign_in("victor", "secret-for-tests", address="198.51.100.8")
    assert elsewhere.status_code == 302 and signed_in(client)


def test_a_forged_forwarded_for_header_does_not_dodge_the_address_limit(researcher):
    for n in range(5):
        sign_in(f"guess{n}", "wrong", X_Forwarded_For=f"203.0.113.{n}")
    _, response = sign_in("rosa", "secret-for-tests", X_Forwarded_For="203.0.113.200")
    assert response.status_code == 429


def test_a_few_mistakes_then_success_starts_the_count_again(researcher):
    for _ in range(4):
        sign_in("rosa", "wrong")
    client, response = sign_in("rosa", "secret-for-tests")
    assert response.status_code == 302 and signed_in(client)
    for _ in range(4):
        sign_in("rosa", "wrong")
    client, _ = sign_in("rosa", "secret-for-tests")
    assert signed_in(client)


def test_an_administrator_unlocks_an_account_with_a_command(researcher):
    for n in range(5):
        sign_in("rosa", "wrong", address=f"198.51.100.{n}")
    call_command("axes_reset_username", "rosa", stdout=StringIO())
    client, response = sign_in("rosa", "secret-for-tests", address="203.0.113.5")
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.parametrize("path", ["/accounts/password_reset/", "/accounts/password_reset/done/"])
def test_there_is_no_password_reset_form_without_mail(path):
    assert Client().get(path).status_code in (302, 404)
    assert not Client().get(path, follow=True).content.decode().count("Reset")
