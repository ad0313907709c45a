"""Personal API tokens: made and revoked on the account page or by command, stored only as a
hash, acting with their user's rights, read-only where asked, and rate limited."""

import io
import re

import pytest
from django.core import serializers
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from api import actions
from api.models import ApiToken
from claims.models import Claim
from tests.factories.claims import ClaimFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"ct_[0-9a-f]{8}_[\w-]{40,}")


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def submit(client: Client, claim: Claim):
    return client.post(
        f"/api/claims/{claim.pk}/submit/",
        {"version": claim.version},
        content_type="application/json",
    )


def test_a_token_is_made_on_the_account_page_and_shown_once(login, researcher):
    client = login(researcher)
    response = client.post("/accounts/tokens/", {"name": "CMS import", "access": "write"})
    assert response.status_code == 200
    (token,) = TOKEN.findall(response.content.decode())
    assert "no-store" in response["Cache-Control"]
    assert "shown only once" in response.content.decode()
    assert bearer(token).get("/api/claims/").status_code == 200
    # Never again: the list names the token by its prefix only.
    page = client.get("/accounts/tokens/").content.decode()
    assert "CMS import" in page and token not in page and token[:11] in page


def test_the_token_is_stored_only_as_its_hash(researcher):
    row, token = actions.create_token(by=researcher, name="Scripts")
    everything = serializers.serialize("json", [row, *row.history.all()])
    secret = token.split("_", 2)[2]
    assert token not in everything and secret not in everything
    assert len(row.key_hash) == 64


def test_the_account_page_lists_ones_own_tokens_in_a_fixed_number_of_queries(
    login, researcher, reviewer, django_assert_num_queries
):
    for n in range(5):
        actions.create_token(by=researcher, name=f"Script {n}")
    actions.create_token(by=reviewer, name="Not rosa's")
    client = login(researcher)
    # Session, the user with their rights, unread notices (the header), the tokens.
    with django_assert_num_queries(4):
        page = client.get("/accounts/tokens/").content.decode()
    assert page.count("<td>Script ") == 5 and "Not rosa" not in page


def test_a_blank_name_is_refused_and_nothing_made(login, researcher):
    response = login(researcher).post("/accounts/tokens/", {"name": "  ", "access": "read"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_the_token_stops_working(login, researcher):
    row, token = actions.create_token(by=researcher, name="Old script")
    client = login(researcher)
    confirm = client.get(f"/accounts/tokens/{row.pk}/revoke/")
    assert "stops working at once" in confirm.content.decode()
    assert bearer(token).get("/api/claims/").status_code == 200
    response = client.post(f"/accounts/tokens/{row.pk}/revoke/")
    assert response.status_code == 302
    assert bearer(token).get("/api/claims/").status_code == 401
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert row.history.first().history_change_reason == "Revoked"
    assert row.history.first().history_user == researcher


def test_nobody_revokes_someone_elses_token(login, researcher, reviewer):
    row, token = actions.create_token(by=researcher, name="Mine")
    assert login(reviewer).post(f"/accounts/tokens/{row.pk}/revoke/").status_code == 404
    assert bearer(token).get("/api/claims/").status_code == 200


def test_the_command_prints_a_token_that_works(researcher):
    out = io.StringIO()
    call_command("create_api_token", "rosa", "--name", "Monitoring", "--read-only", stdout=out)
    token = out.getvalue().strip()
    assert TOKEN.fullmatch(token)
    row = ApiToken.objects.get()
    assert row.read_only and row.name == "Monitoring" and row.user == researcher
    assert bearer(token).get("/api/claims/").status_code == 200


def test_the_command_refuses_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no user"):
        call_command("create_api_token", "nobody", "--name", "x")


def test_a_read_only_token_reads_but_may_not_write(researcher):
    claim = ClaimFactory(created_by=researcher)
    _, token = actions.create_token(by=researcher, name="Reader", read_only=True)
    client = bearer(token)
    assert client.get(f"/api/claims/{claim.pk}/").status_code == 200
    response = submit(client, claim)
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    claim.refresh_from_db()
    assert claim.status == "draft" and claim.version == 1


def test_a_token_acts_with_its_users_rights_only(researcher):
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(status="in_review")
    _, token = actions.create_token(by=researcher, name="Mine")
    response = bearer(token).post(
        f"/api/claims/{claim.pk}/publish/",
        {"version": 1, "rating": "False", "rationale": "No.", "as_of": "2024-10-20"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Claim.objects.get(pk=claim.pk).status == "in_review"


def test_a_deactivated_users_token_no_longer_works(researcher):
    _, token = actions.create_token(by=researcher, name="Mine")
    researcher.is_active = False
    researcher.save()
    assert bearer(token).get("/api/claims/").status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer ct_00000000_nothing", "Bearer nonsense", "Basic cm9zYTpzZWNyZXQ=", "Bearer "],
)
def test_a_wrong_token_is_a_401_even_with_a_session(header, login, researcher):
    client = login(researcher)
    response = client.get("/api/claims/", headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_right_prefix_with_a_wrong_secret_is_a_401(researcher):
    _, token = actions.create_token(by=researcher, name="Mine")
    assert bearer(token[:-3] + "abc").get("/api/claims/").status_code == 401


def test_signed_out_every_endpoint_is_a_401(db):
    response = Client().get("/api/claims/")
    assert response.status_code == 401


def test_a_session_works_and_its_writes_need_the_csrf_token(researcher):
    claim = ClaimFactory(created_by=researcher)
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)
    assert client.get("/api/claims/").status_code == 200
    assert submit(client, claim).status_code == 403
    client.get("/accounts/tokens/")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        f"/api/claims/{claim.pk}/submit/",
        {"version": 1},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200


def test_past_the_limit_a_token_gets_429_with_retry_after(researcher, reviewer, settings):
    settings.API_RATE_LIMIT = 3
    _, token = actions.create_token(by=researcher, name="Busy")
    _, other = actions.create_token(by=reviewer, name="Calm")
    client = bearer(token)
    assert [client.get("/api/outlets/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/outlets/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many requests" in response.json()["detail"]
    # Counted per token: another token is not held back.
    assert bearer(other).get("/api/outlets/").status_code == 200


def test_last_used_is_written_at_most_once_a_minute_without_history(
    researcher, django_assert_num_queries
):
    row, token = actions.create_token(by=researcher, name="Script")
    assert row.last_used_at is None
    client = bearer(token)
    client.get("/api/outlets/")
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None and first <= timezone.now()
    # Within the minute: no write at all (the token, the rights, the page).
    with django_assert_num_queries(3):
        client.get("/api/outlets/")
    row.refresh_from_db()
    assert row.last_used_at == first
    assert row.history.count() == 1  # only "Created"
