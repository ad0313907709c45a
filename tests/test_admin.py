"""The admin: full-text search and no counting at scale; every write through the actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim
from lib import admin as big_admin
from tests.conftest import make_user
from tests.factories.claims import ClaimFactory, publish
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


class TestTheAdminWritesThroughTheActions:
    """The admin gets the same rights, state checks, versions and history as the pages."""

    def change_url(self, claim):
        return reverse("admin:claims_claim_change", args=[claim.pk])

    def test_an_edit_is_an_action_with_its_version_history_and_search_text(self, admin_client):
        from claims.models import Claimant, Tag
        from lib.search import search

        claim = ClaimFactory(text="Old wording.")
        claimant = Claimant.objects.create(name="Kim Yong-hyun")
        tag = Tag.objects.create(name="Seoul")
        data = {
            "text": "New wording.",
            "claimant": claimant.pk,
            "claimed_on": "2024-10-08",
            "tags": [tag.pk],
            "seen_version": 1,
            **INLINES_EMPTY,
        }
        response = admin_client.post(self.change_url(claim), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        claim.refresh_from_db()
        assert (claim.text, claim.claimant, claim.version) == ("New wording.", claimant, 2)
        assert list(claim.tags.all()) == [tag]
        assert claim.history.latest().history_user.username == "ada"
        assert [hit.object for hit in search(Claim.objects.all(), "seoul")] == [claim]

    def test_a_stale_admin_save_is_refused_with_what_changed_and_changes_nothing(
        self, admin_client
    ):
        claim = ClaimFactory(text="Wording one.")
        data = {"text": "Wording two.", "claimed_on": "", "seen_version": 1, **INLINES_EMPTY}
        admin_client.post(self.change_url(claim), data)
        stale = {**data, "text": "Wording three."}
        response = admin_client.post(self.change_url(claim), stale, follow=True)
        assert response.status_code == 200
        assert "Someone else changed this after you opened it" in response.content.decode()
        claim.refresh_from_db()
        assert (claim.text, claim.version) == ("Wording two.", 2)

    def test_a_published_claim_is_shown_read_only_and_a_forged_save_is_refused(self, admin_client):
        claim = publish(ClaimFactory(text="Frozen."))
        page = admin_client.get(self.change_url(claim)).content.decode()
        assert 'name="_save"' not in page and "Frozen." in page
        data = {"text": "Thawed.", "claimed_on": "", "seen_version": claim.version}
        assert admin_client.post(self.change_url(claim), data).status_code == 403
        delete = reverse("admin:claims_claim_delete", args=[claim.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        claim.refresh_from_db()
        assert claim.text == "Frozen."

    def test_a_bulk_delete_goes_through_the_action_and_never_takes_a_published_claim(
        self, admin_client
    ):
        drafts, published = ClaimFactory.create_batch(2), publish(ClaimFactory())
        url = reverse("admin:claims_claim_changelist")

        def delete(*claims):
            selected = [claim.pk for claim in claims]
            data = {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
            return admin_client.post(url, data)

        assert delete(drafts[0], published).status_code == 403
        assert Claim.objects.count() == 3
        assert delete(*drafts).status_code == 302
        assert list(Claim.objects.all()) == [published]
        gone = Claim.history.filter(history_type="-")
        assert {record.history_user.username for record in gone} == {"ada"}

    @pytest.mark.parametrize("model", ["mention", "evidence"])
    def test_mentions_and_evidence_are_only_shown(self, model, admin_client):
        from tests.factories.claims import MentionFactory
        from tests.factories.sources import EvidenceFactory

        row = MentionFactory() if model == "mention" else EvidenceFactory()
        assert admin_client.get(reverse(f"admin:claims_{model}_add")).status_code == 403
        change = reverse(f"admin:claims_{model}_change", args=[row.pk])
        assert admin_client.get(change).status_code == 200
        assert admin_client.post(change, {}).status_code == 403

    def test_a_renamed_claimant_renames_in_search(self, admin_client):
        from lib.search import search

        claim = ClaimFactory(claimant__name="Kim")
        change = reverse("admin:claims_claimant_change", args=[claim.claimant.pk])
        data = {"name": "Kim Yong-hyun", "kind": "person", "description": ""}
        assert admin_client.post(change, data).status_code == 302
        assert [hit.object for hit in search(Claim.objects.all(), "yong")] == [claim]

    def test_a_claimant_with_claims_is_not_deleted(self, admin_client):
        claim = ClaimFactory()
        delete = reverse("admin:claims_claimant_delete", args=[claim.claimant.pk])
        admin_client.post(delete, {"post": "yes"})
        claim.refresh_from_db()
        assert claim.claimant is not None


INLINES_EMPTY = {
    f"{prefix}-{field}": value
    for prefix in ("mentions", "evidence", "publications")
    for field, value in (
        ("TOTAL_FORMS", "0"),
        ("INITIAL_FORMS", "0"),
        ("MIN_NUM_FORMS", "0"),
        ("MAX_NUM_FORMS", "1000"),
    )
}
