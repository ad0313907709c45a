"""Public pages and the feed answer a reader whose copy is current with 304, drawing nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import actions
from claims.models import Rating
from tests.factories.claims import ClaimFactory, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(reviewer):
    return publish(ClaimFactory(text="The bridge was closed for a week."), reviewer=reviewer)


def republish(claim, reviewer):
    actions.reopen(claim, by=reviewer, note="New evidence.")
    actions.publish_verdict(
        claim,
        by=reviewer,
        rating=Rating.objects.get(label="Misleading"),
        rationale="Looked again.",
        as_of=claim.verdict_as_of,
        without_evidence=True,
    )


def public_urls(claim) -> list[str]:
    return [
        reverse("public_claim", args=[claim.pk]),
        reverse("public_index"),
        reverse("claimreview_feed"),
    ]


class TestARepeatedRequest:
    @pytest.mark.parametrize("which", [0, 1, 2], ids=["claim page", "index", "feed"])
    def test_is_answered_304_with_two_queries_and_no_body(self, client, published, which):
        url = public_urls(published)[which]
        first = client.get(url)
        assert first.status_code == 200
        assert first["ETag"].startswith('W/"')
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == first["ETag"]
        # The version (the newest publication, with the claim's state on its page) and the
        # rating scale: nothing of the page itself is read.
        assert len(queries) == 2

    def test_304_keeps_the_policy_the_page_came_with(self, client, published):
        url = reverse("public_claim", args=[published.pk])
        first = client.get(url)
        assert "nonce-" in first["Content-Security-Policy"]
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
        # A new nonce would not match the scripts of the page the reader already has.
        assert "Content-Security-Policy" not in again
        assert "HX-Request" in again["Vary"] and "Cookie" in again["Vary"]

    def test_a_stale_tag_gets_the_page(self, client, published):
        url = reverse("public_claim", args=[published.pk])
        response = client.get(url, headers={"If-None-Match": 'W/"from-last-year"'})
        assert response.status_code == 200
        assert b"The bridge was closed for a week." in response.content


class TestAChangeGivesANewTag:
    @pytest.mark.parametrize("which", [0, 1, 2], ids=["claim page", "index", "feed"])
    def test_a_new_publication(self, client, published, reviewer, which):
        url = public_urls(published)[which]
        before = client.get(url)["ETag"]
        republish(published, reviewer)
        after = client.get(url, headers={"If-None-Match": before})
        assert after.status_code == 200
        assert after["ETag"] != before
        assert b"Misleading" in after.content

    def test_another_claim_published_changes_the_index_and_the_feed(
        self, client, published, reviewer
    ):
        tags = {url: client.get(url)["ETag"] for url in public_urls(published)[1:]}
        publish(ClaimFactory(text="A second fact-check."), reviewer=reviewer)
        for url, before in tags.items():
            response = client.get(url, headers={"If-None-Match": before})
            assert response.status_code == 200
            assert b"A second fact-check." in response.content

    def test_reopening_shows_under_review(self, client, published, reviewer):
        url = reverse("public_claim", args=[published.pk])
        before = client.get(url)["ETag"]
        actions.reopen(published, by=reviewer, note="New evidence.")
        response = client.get(url, headers={"If-None-Match": before})
        assert response.status_code == 200
        assert b"Under review since" in response.content

    def test_a_renamed_verdict(self, client, published):
        url = reverse("public_claim", args=[published.pk])
        before = client.get(url)["ETag"]
        Rating.objects.filter(label="False").update(label="Untrue")
        response = client.get(url, headers={"If-None-Match": before})
        assert response.status_code == 200
        assert b"Untrue" in response.content

    def test_each_filter_and_page_has_its_own_tag(self, client, published):
        everything = client.get(reverse("public_index"))["ETag"]
        only_false = client.get(reverse("public_index"), {"verdict": "false"})
        assert only_false["ETag"] != everything
        response = client.get(
            reverse("public_index"), {"verdict": "false"}, headers={"If-None-Match": everything}
        )
        assert response.status_code == 200


class TestWhatIsNeverTagged:
    def test_a_signed_in_reader_gets_the_page_drawn_for_them(self, login, researcher, published):
        client = login(researcher)
        for url in public_urls(published)[:2]:
            response = client.get(url, headers={"If-None-Match": "*"})
            assert response.status_code == 200
            assert "ETag" not in response
            assert b"Signed in as" in response.content

    def test_the_feed_is_the_same_for_everyone(self, login, researcher, client, published):
        url = reverse("claimreview_feed")
        assert login(researcher).get(url)["ETag"] == client.get(url)["ETag"]

    def test_an_unpublished_claim_is_not_found_whatever_is_asked(self, client):
        draft = ClaimFactory()
        response = client.get(
            reverse("public_claim", args=[draft.pk]), headers={"If-None-Match": "*"}
        )
        assert response.status_code == 404
        missing = client.get(reverse("public_claim", args=[draft.pk + 1000]))
        assert missing.status_code == 404
