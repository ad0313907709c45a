"""Pages, sessions and permissions cached by data version: served again, never stale."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lib.pagecache import data_version
from tests.factories.claims import ClaimFactory
from tests.factories.sources import EvidenceFactory

pytestmark = [pytest.mark.versioned_cache, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def migration_data(migration_rows):
    """Roles and the rating scale, which the flush of an earlier transactional test removed."""


def main_of(response) -> bytes:
    return response.content.split(b'<main id="main">')[1]


class TestDataVersion:
    def test_moves_once_per_transaction_and_only_after_the_commit(self, migration_data):
        before = data_version()
        with transaction.atomic():
            for claim in ClaimFactory.create_batch(3):
                EvidenceFactory(claim=claim)
            assert data_version() == before  # nothing committed yet: old pages are still right
        assert data_version() == before + 1

    def test_a_rolled_back_transaction_leaves_it_alone(self, migration_data):
        before = data_version()
        with pytest.raises(RuntimeError), transaction.atomic():
            ClaimFactory()
            raise RuntimeError
        assert data_version() == before

    def test_a_change_outside_the_domain_leaves_it_alone(self, migration_data):
        from django_tasks_db.models import DBTaskResult

        before = data_version()
        DBTaskResult.objects.all().delete()
        assert data_version() == before


class TestListPages:
    def test_a_repeated_request_reads_one_row_and_draws_nothing(self, migration_data, login):
        from tests.conftest import make_user

        client = login(make_user("rosa", "Researcher"))
        ClaimFactory.create_batch(3)
        first = client.get(reverse("claims:list"))
        with CaptureQueriesContext(connection) as queries:
            second = client.get(reverse("claims:list"))
        assert main_of(second) == main_of(first)  # the header's CSRF token is new each time
        # Only the data version: session, user, permissions and the list come from memory.
        assert [query["sql"] for query in queries] == [
            "SELECT value FROM lib_dataversion WHERE id = 1"
        ]

    def test_a_change_is_on_the_next_page_drawn(self, migration_data, login):
        from tests.conftest import make_user

        client = login(make_user("rosa", "Researcher"))
        claim = ClaimFactory(text="A claim with no evidence yet")
        assert b"No evidence" in client.get(reverse("claims:list")).content
        EvidenceFactory(claim=claim, stance="contradicts", source__outlet=None)
        page = client.get(reverse("claims:list")).content.decode()
        assert "No evidence" not in page
        assert "Too little evidence" in page

    def test_a_kept_page_has_a_working_csrf_token_and_this_responses_nonce(self, migration_data):
        import re

        from django.test import Client

        from tests.conftest import make_user

        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user("rosa", "Researcher"))
        client.get(reverse("claims:list"))
        kept = client.get(reverse("claims:list"))
        page = kept.content.decode()
        nonce = re.search(r'<script [^>]*nonce="([^"]+)"', page).group(1)
        assert f"'nonce-{nonce}'" in kept.headers["Content-Security-Policy"]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        logout = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
        assert logout.status_code == 302  # not 403: the token filled into the kept page is good

    def test_htmx_and_full_page_are_kept_apart(self, migration_data, login):
        from tests.conftest import make_user

        client = login(make_user("rosa", "Researcher"))
        ClaimFactory()
        full = client.get(reverse("claims:list"))
        fragment = client.get(reverse("claims:list"), headers={"HX-Request": "true"})
        assert b"<html" in full.content
        assert b"<html" not in fragment.content
        assert main_of(client.get(reverse("claims:list"))) == main_of(full)

    def test_mine_is_not_shown_to_someone_else(self, migration_data, login):
        from tests.conftest import make_user

        rosa, tom = make_user("rosa", "Researcher"), make_user("tom", "Researcher")
        ClaimFactory(text="Rosa's own claim", created_by=rosa)
        assert (
            b"Rosa&#x27;s own claim"
            in login(rosa).get(reverse("claims:list"), {"mine": "on"}).content
        )
        assert b"Rosa&#x27;s own claim" not in (
            login(tom).get(reverse("claims:list"), {"mine": "on"}).content
        )

    def test_a_broken_cursor_is_reported_every_time(self, migration_data, login):
        from tests.conftest import make_user

        client = login(make_user("rosa", "Researcher"))
        for _ in range(2):
            response = client.get(reverse("claims:list"), {"cursor": "broken"})
            assert b"This page link is not valid" in response.content


class TestOtherKeptPages:
    def test_the_claim_page_shows_evidence_added_since(self, migration_data, login):
        from tests.conftest import make_user
        from tests.factories.sources import SourceFactory

        client = login(make_user("rosa", "Researcher"))
        claim, source = ClaimFactory(), SourceFactory(title="A report kept nowhere yet")
        assert b"A report kept nowhere yet" not in client.get(claim.get_absolute_url()).content
        client.post(
            reverse("claims:evidence_add", args=[claim.pk]),
            {"source": f"#{source.pk}", "stance": "supports", "excerpt": "", "note": ""},
        )
        assert b"A report kept nowhere yet" in client.get(claim.get_absolute_url()).content

    def test_search_finds_what_was_added_after_the_same_search(self, migration_data, login):
        from tests.conftest import make_user

        client = login(make_user("rosa", "Researcher"))
        assert b"zeppelin</mark>" not in client.get(reverse("search"), {"q": "zeppelin"}).content
        ClaimFactory(text="A zeppelin was seen over the port")
        assert b"zeppelin</mark>" in client.get(reverse("search"), {"q": "zeppelin"}).content

    def test_a_page_kept_yesterday_is_drawn_again_today(self, migration_data, login, monkeypatch):
        import datetime

        from lib import pagecache
        from tests.conftest import make_user

        client = login(make_user("rosa", "Researcher"))
        ClaimFactory()
        client.get(reverse("claims:list"))
        tomorrow = pagecache.timezone.localdate() + datetime.timedelta(days=1)
        monkeypatch.setattr(pagecache.timezone, "localdate", lambda: tomorrow)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("claims:list"))
        assert any("claims_claim" in query["sql"] for query in queries)


class TestSignedInState:
    def test_a_session_ended_elsewhere_is_over_here_too(self, migration_data, login):
        from tests.conftest import make_user

        client = login(make_user("rosa", "Researcher"))
        assert client.get(reverse("claims:list")).status_code == 200
        Session.objects.all().delete()  # another process's logout, or clearsessions
        response = client.get(reverse("claims:list"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_a_revoked_role_is_refused_on_the_next_request(self, migration_data, login):
        from tests.conftest import make_user

        rosa = make_user("rosa", "Researcher")
        client = login(rosa)
        assert client.get(reverse("claims:list")).status_code == 200
        rosa.groups.remove(Group.objects.get(name="Researcher"))
        assert client.get(reverse("claims:list")).status_code == 403

    def test_a_deactivated_user_is_signed_out_on_the_next_request(self, migration_data, login):
        from tests.conftest import make_user

        rosa = make_user("rosa", "Researcher")
        client = login(rosa)
        assert client.get(reverse("claims:list")).status_code == 200
        rosa.is_active = False
        rosa.save()
        assert client.get(reverse("claims:list")).status_code == 302
