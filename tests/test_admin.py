"""The admin at scale: full-text search in the changelists, and no counting every row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lib import admin as big_admin
from tests.conftest import make_user
from tests.factories.claims import ClaimFactory
from tests.factories.sources import SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(login):
    return login(make_user("ada", is_superuser=True, is_staff=True))


@pytest.mark.parametrize(
    ("name", "make", "match"),
    [
        ("admin:claims_claim_changelist", lambda: ClaimFactory(text="Artillery shells sent."),
         "Artillery shells sent."),
        ("admin:sources_source_changelist", lambda: SourceFactory(title="Artillery report"),
         "Artillery report"),
    ],
)  # fmt: skip
def test_the_changelist_search_uses_the_full_text_index(name, make, match, admin_client):
    make()
    response = admin_client.get(reverse(name), {"q": "artillery"})
    assert match in response.content.decode()
    assert admin_client.get(reverse(name), {"q": "zebra"}).context["cl"].result_count == 0


def test_the_changelist_never_counts_the_whole_table(admin_client, monkeypatch):
    monkeypatch.setattr(big_admin, "COUNT_CAP", 5)
    ClaimFactory.create_batch(8)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("admin:claims_claim_changelist"))
    assert response.context["cl"].result_count == 6, "capped at COUNT_CAP + 1"
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)


def test_autocomplete_still_matches_word_prefixes(admin_client):
    claim = ClaimFactory(text="Artillery shells sent.")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "artil", "app_label": "claims", "model_name": "evidence", "field_name": "claim"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(claim.pk)]
