"""A verdict on a claim with no evidence is published only when the reviewer says so."""

import datetime

import pytest
from django.urls import reverse

from claims import actions
from claims.models import Claim, Rating
from tests.conftest import make_user
from tests.factories.claims import ClaimFactory
from tests.factories.sources import EvidenceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 10, 20)
CHECKBOX = 'name="without_evidence"'


@pytest.fixture
def claim_in_review(reviewer):
    # Written by someone else, so the four-eyes rule lets the reviewer publish.
    claim = ClaimFactory(created_by=make_user("author", "Researcher"))
    Claim.objects.filter(pk=claim.pk).update(status="in_review", reviewer=reviewer)
    claim.refresh_from_db()
    return claim


def publish(claim, by, **confirmation):
    return actions.publish_verdict(
        claim,
        by=by,
        rating=Rating.objects.get(label="Unverified"),
        rationale="Nothing found either way.",
        as_of=TODAY,
        **confirmation,
    )


def form_data(claim, **overrides) -> dict:
    return {
        "rating": Rating.objects.get(label="Unverified").pk,
        "rationale": "Nobody has published a figure; typed with care.",
        "as_of": "2024-10-20",
        "seen_version": claim.version,
        **overrides,
    }


class TestTheAction:
    def test_a_claim_without_evidence_is_refused_without_the_confirmation(
        self, claim_in_review, reviewer
    ):
        with pytest.raises(actions.Invalid, match="This claim has no evidence") as refusal:
            publish(claim_in_review, reviewer)
        assert refusal.value.field == "without_evidence"
        claim_in_review.refresh_from_db()
        assert (claim_in_review.status, claim_in_review.published_at) == ("in_review", None)
        assert not claim_in_review.publications.exists()

    def test_with_the_confirmation_it_is_published(self, claim_in_review, reviewer):
        publish(claim_in_review, reviewer, without_evidence=True)
        claim_in_review.refresh_from_db()
        assert claim_in_review.status == "published"
        assert claim_in_review.publications.count() == 1

    def test_a_claim_with_evidence_needs_no_confirmation(self, claim_in_review, reviewer):
        EvidenceFactory(claim=claim_in_review, stance="context")
        publish(claim_in_review, reviewer)
        claim_in_review.refresh_from_db()
        assert claim_in_review.status == "published"


class TestThePublishForm:
    def test_the_checkbox_is_offered_only_while_there_is_no_evidence(
        self, claim_in_review, login, reviewer
    ):
        client = login(reviewer)
        page = client.get(claim_in_review.get_absolute_url()).content.decode()
        assert CHECKBOX in page and "Publish without evidence" in page
        EvidenceFactory(claim=claim_in_review)
        page = client.get(claim_in_review.get_absolute_url()).content.decode()
        assert CHECKBOX not in page
        assert 'action="' + reverse("claims:publish", args=[claim_in_review.pk]) in page

    def test_without_the_tick_it_is_refused_and_the_rationale_kept(
        self, claim_in_review, login, reviewer
    ):
        url = reverse("claims:publish", args=[claim_in_review.pk])
        response = login(reviewer).post(url, form_data(claim_in_review))
        assert response.status_code == 400
        html = response.content.decode()
        assert "This claim has no evidence. Add evidence first, or tick" in html
        assert "Nobody has published a figure; typed with care." in html
        assert CHECKBOX in html, "the box to tick is on the page that refuses"
        claim_in_review.refresh_from_db()
        assert claim_in_review.status == "in_review"

    def test_with_the_tick_it_is_published(self, claim_in_review, login, reviewer):
        url = reverse("claims:publish", args=[claim_in_review.pk])
        data = form_data(claim_in_review, without_evidence="on")
        response = login(reviewer).post(url, data)
        assert response.status_code == 302
        claim_in_review.refresh_from_db()
        assert claim_in_review.status == "published"

    @pytest.mark.parametrize("role", ["researcher", "source_admin"])
    def test_roles_that_do_not_review_are_refused_even_with_the_tick(
        self, role, claim_in_review, login, request
    ):
        url = reverse("claims:publish", args=[claim_in_review.pk])
        client = login(request.getfixturevalue(role))
        data = form_data(claim_in_review, without_evidence="on")
        assert client.post(url, data).status_code == 403
        claim_in_review.refresh_from_db()
        assert claim_in_review.status == "in_review"

    def test_anonymous_visitors_are_sent_to_log_in(self, claim_in_review, login):
        url = reverse("claims:publish", args=[claim_in_review.pk])
        response = login(None).post(url, form_data(claim_in_review, without_evidence="on"))
        assert response.status_code == 302 and "/login/" in response["Location"]
        claim_in_review.refresh_from_db()
        assert claim_in_review.status == "in_review"
