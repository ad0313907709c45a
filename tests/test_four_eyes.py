"""The four-eyes rule: a verdict is published by a reviewer who wrote no part of the claim.

Read from the history, so nothing a reviewer did to the claim can be undone to slip past it:
rewording the claim, tagging a mention (even one deleted since), adding or changing evidence.
A reviewer publishes only a claim assigned to them or to nobody. Where they may not publish,
the claim page says why and lets them hand the claim to a colleague; an administrator may
publish anyway, and the history says so.
"""

import datetime

import pytest
from django.urls import reverse

from claims import actions
from claims.models import Claim, Rating
from tests.conftest import make_user
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, MentionFactory
from tests.factories.sources import EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 10, 20)


@pytest.fixture
def colleague(db):
    return make_user("wanda", "Reviewer")


@pytest.fixture
def claim(researcher):
    """A submitted claim that the researcher wrote, with a mention."""
    claim = ClaimFactory(text="Grain exports fell by half.", created_by=researcher)
    MentionFactory(claim=claim, created_by=researcher)
    actions.submit_for_review(claim, by=researcher)
    claim.refresh_from_db()
    return claim


def publish(claim, user):
    claim.refresh_from_db()
    return actions.publish_verdict(
        claim,
        by=user,
        rating=Rating.objects.get(label="Misleading"),
        rationale="Half is an overstatement.",
        as_of=TODAY,
        seen_version=claim.version,
        without_evidence=True,
    )


def publish_over_http(client, claim):
    claim.refresh_from_db()
    data = {
        "rating": Rating.objects.get(label="Misleading").pk,
        "rationale": "Half is an overstatement.",
        "as_of": "2024-10-20",
        "seen_version": claim.version,
        "without_evidence": "on",
    }
    return client.post(reverse("claims:publish", args=[claim.pk]), data)


def page(client, claim) -> str:
    return client.get(claim.get_absolute_url()).content.decode()


class TestEachHoleIsClosed:
    def test_a_reviewer_who_rewrote_the_claims_text_may_not_publish_it(
        self, claim, reviewer, login
    ):
        actions.start_review(claim, by=reviewer)
        claim.refresh_from_db()
        actions.edit_claim(
            claim,
            text="Grain exports fell by a third.",
            claimant_name="",
            claimed_on=None,
            by=reviewer,
            seen_version=claim.version,
        )
        response = publish_over_http(login(reviewer), claim)
        assert response.status_code == 403
        assert (
            "Four-eyes rule: you changed its wording, claimant or date, so another reviewer "
            "must publish its verdict." in response.content.decode()
        )
        claim.refresh_from_db()
        assert claim.status == "in_review" and not claim.publications.exists()

    def test_a_reviewer_who_tagged_a_mention_and_deleted_it_may_not_publish(
        self, claim, reviewer, login
    ):
        actions.start_review(claim, by=reviewer)
        article = ArticleFactory()
        mention = actions.add_mention(claim, article, start=62, end=84, by=reviewer)
        actions.delete_mention(mention, by=reviewer, seen_version=mention.version)
        assert not claim.mentions.filter(created_by=reviewer).exists(), "no trace but history"
        with pytest.raises(actions.NoRight, match="you tagged one of its mentions"):
            publish(claim, reviewer)
        assert publish_over_http(login(reviewer), claim).status_code == 403

    def test_a_reviewer_who_added_evidence_may_not_publish(self, claim, reviewer, login):
        actions.start_review(claim, by=reviewer)
        actions.add_evidence(
            claim, source=SourceFactory(), stance="supports", excerpt="", note="", by=reviewer
        )
        with pytest.raises(actions.NoRight, match="you added some of its evidence"):
            publish(claim, reviewer)

    def test_nor_one_who_changed_or_removed_someone_elses_evidence(
        self, claim, reviewer, researcher
    ):
        evidence = EvidenceFactory(claim=claim, added_by=researcher)
        actions.start_review(claim, by=reviewer)
        actions.edit_evidence(
            evidence, stance="context", excerpt="", note="", by=reviewer, seen_version=1
        )
        with pytest.raises(actions.NoRight, match="changed or removed some of its evidence"):
            publish(claim, reviewer)

    def test_a_reviewer_may_not_publish_a_claim_assigned_to_another(
        self, claim, reviewer, colleague, login
    ):
        actions.assign_reviewer(claim, reviewer=colleague, by=reviewer)
        response = publish_over_http(login(reviewer), claim)
        assert response.status_code == 403
        assert "This claim is assigned to wanda: only they may publish" in (
            response.content.decode()
        )
        publish(claim, colleague)
        claim.refresh_from_db()
        assert (claim.status, claim.reviewer) == ("published", colleague)

    def test_a_mention_moved_with_its_articles_text_is_not_writing(
        self, researcher, reviewer, login
    ):
        article = ArticleFactory(text="Exports fell by half, the minister said.")
        claim = ClaimFactory(created_by=researcher)
        actions.add_mention(claim, article, start=0, end=20, by=researcher)
        response = login(reviewer).post(
            reverse("reader:edit_text", args=[article.pk]),
            {"text": "Editor's note.\n\n" + article.text, "seen_version": article.version},
        )
        assert response.status_code == 302
        mention = claim.mentions.get()
        assert mention.start == 16, "moved by the reviewer's edit of the text"
        assert mention.history.latest().history_user == reviewer
        assert reviewer.pk not in actions.contributions(claim)
        actions.submit_for_review(claim, by=researcher)
        actions.start_review(claim, by=reviewer)
        publish(claim, reviewer)

    def test_a_reviewer_who_wrote_nothing_publishes(self, claim, reviewer):
        actions.start_review(claim, by=reviewer)
        publish(claim, reviewer)
        claim.refresh_from_db()
        assert claim.status == "published"


class TestAdministrators:
    def test_an_administrator_may_publish_what_they_wrote_and_the_history_says_so(self):
        admin = make_user("ada", is_superuser=True, is_staff=True)
        claim = ClaimFactory(created_by=admin)
        actions.submit_for_review(claim, by=admin)
        actions.start_review(claim, by=admin)
        publish(claim, admin)
        assert claim.history.latest().history_change_reason == (
            "Published verdict: Misleading (four-eyes rule waived by an administrator)"
        )

    def test_and_one_assigned_to_someone_else(self, claim, colleague):
        admin = make_user("ada", is_superuser=True, is_staff=True)
        actions.start_review(claim, by=colleague)
        publish(claim, admin)
        assert claim.history.latest().history_change_reason.endswith(
            "(four-eyes rule waived by an administrator)"
        )

    def test_a_reviewer_who_wrote_nothing_leaves_no_waiver(self, claim, reviewer):
        actions.start_review(claim, by=reviewer)
        publish(claim, reviewer)
        assert "waived" not in claim.history.latest().history_change_reason


class TestNoReviewerIsStuck:
    def test_a_contributor_sees_why_instead_of_start_review_and_can_assign(
        self, reviewer, colleague, login
    ):
        claim = ClaimFactory(created_by=reviewer)
        actions.submit_for_review(claim, by=reviewer)
        html = page(login(reviewer), claim)
        assert "Four-eyes rule: you created this claim, so another reviewer must review it." in (
            html
        )
        assert reverse("claims:step", args=[claim.pk, "start_review"]) not in html
        assert f'<option value="{colleague.pk}">wanda</option>' in html
        assert f'<option value="{reviewer.pk}">' not in html, "never offered to themselves"

    def test_start_review_forged_by_a_contributor_is_refused_with_the_way_out(
        self, reviewer, colleague, login
    ):
        claim = ClaimFactory(created_by=reviewer)
        actions.submit_for_review(claim, by=reviewer)
        client = login(reviewer)
        url = reverse("claims:step", args=[claim.pk, "start_review"])
        response = client.post(url, {"seen_version": 2})
        html = response.content.decode()
        assert response.status_code == 403
        assert "so another reviewer must review it" in html
        assert reverse("claims:step", args=[claim.pk, "assign"]) in html
        claim.refresh_from_db()
        assert (claim.status, claim.version) == ("submitted", 2)
        assign = reverse("claims:step", args=[claim.pk, "assign"])
        assert client.post(assign, {"seen_version": 2, "reviewer": colleague.pk}).status_code == 302
        claim.refresh_from_db()
        assert (claim.status, claim.reviewer) == ("in_review", colleague)

    def test_a_reviewer_who_added_evidence_during_review_is_told_and_reassigns(
        self, claim, reviewer, colleague, login
    ):
        actions.start_review(claim, by=reviewer)
        actions.add_evidence(
            claim, source=SourceFactory(), stance="supports", excerpt="", note="", by=reviewer
        )
        client = login(reviewer)
        html = page(client, claim)
        assert "Four-eyes rule: you added some of its evidence" in html
        assert reverse("claims:publish", args=[claim.pk]) not in html
        assert "Assign to another reviewer" in html
        claim.refresh_from_db()
        url = reverse("claims:step", args=[claim.pk, "assign"])
        client.post(url, {"seen_version": claim.version, "reviewer": colleague.pk})
        claim.refresh_from_db()
        assert claim.reviewer == colleague
        assert claim.history.latest().history_change_reason == "Assigned to wanda by victor"
        assert reverse("claims:publish", args=[claim.pk]) in page(login(colleague), claim)

    def test_a_claim_is_not_assigned_to_a_reviewer_who_wrote_part_of_it(
        self, claim, researcher, colleague, reviewer, login
    ):
        actions.add_evidence(
            claim, source=SourceFactory(), stance="context", excerpt="", note="", by=colleague
        )
        html = page(login(reviewer), claim)
        assert f'<option value="{colleague.pk}">' not in html
        url = reverse("claims:step", args=[claim.pk, "assign"])
        claim.refresh_from_db()
        response = login(reviewer).post(
            url, {"seen_version": claim.version, "reviewer": colleague.pk}
        )
        assert response.status_code == 400
        assert "Four-eyes rule: wanda added some of the claim’s evidence" in (
            response.content.decode()
        )
        assert Claim.objects.get(pk=claim.pk).status == "submitted"


def test_publishing_reads_who_wrote_the_claim_once(claim, colleague, monkeypatch):
    """The four-eyes check and the notice to the writers share one reading of the history."""
    readings = []
    read = actions.contributions
    monkeypatch.setattr(actions, "contributions", lambda c: readings.append(c.pk) or read(c))
    actions.start_review(claim, by=colleague)
    readings.clear()
    publish(claim, colleague)
    assert readings == [claim.pk]
