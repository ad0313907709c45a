"""What the public reads: each published verdict kept whole, updates listed, never a gap.

A reopened claim stays on its public page with a notice, showing the verdict, rationale and
evidence last published, never the desk's work in progress; the ClaimReview feed does the same.
Republishing adds an update to the page, saying what changed, and dateModified to the JSON-LD.
"""

import datetime
import importlib
import json
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from claims import actions
from claims.models import Claim, Publication, Rating
from tests.conftest import make_user
from tests.factories.claims import ClaimFactory, MentionFactory, publish
from tests.factories.sources import EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2024, 10, 21)


@pytest.fixture
def published(researcher, reviewer):
    claim = ClaimFactory(text="The bridge was closed for a week.", created_by=researcher)
    MentionFactory(claim=claim, created_by=researcher)
    EvidenceFactory(
        claim=claim, stance="supports", source__title="Road authority notice", added_by=researcher
    )
    return publish(claim, reviewer=reviewer, rating="Misleading", rationale="It was three days.")


def public(client, claim):
    return client.get(reverse("public_claim", args=[claim.pk]))


def json_ld(response) -> dict:
    html = response.content.decode()
    (block,) = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(block)


def republish(claim, by, *, rating="False", rationale="It was closed for two days."):
    claim.refresh_from_db()
    actions.publish_verdict(
        claim,
        by=by,
        rating=Rating.objects.get(label=rating),
        rationale=rationale,
        as_of=AS_OF,
        seen_version=claim.version,
        without_evidence=True,
    )
    claim.refresh_from_db()
    return claim


class TestWhileReopened:
    def test_the_public_page_stays_with_a_notice_and_the_last_published_verdict(
        self, published, reviewer, researcher, client
    ):
        actions.reopen(published, by=reviewer, note="A new notice from the authority.")
        # The desk works on it: new evidence, a reworded claim, a draft rationale.
        actions.add_evidence(
            published,
            source=SourceFactory(title="Second authority notice"),
            stance="contradicts",
            excerpt="Closed on Monday only.",
            note="",
            by=researcher,
        )
        published.refresh_from_db()
        actions.edit_claim(
            published,
            text="The bridge was closed for a day.",
            claimant_name="",
            claimed_on=None,
            by=researcher,
            seen_version=published.version,
        )
        response = public(client, published)
        html = response.content.decode()
        assert response.status_code == 200
        published.refresh_from_db()
        publication = published.publications.get()
        notice = (
            f'Under review since <time datetime="{published.reopened_at:%Y-%m-%d}">'
            f"{published.reopened_at.day} {published.reopened_at:%B %Y}</time>; the verdict below "
            f'was published on <time datetime="{publication.published_at:%Y-%m-%d}">'
        )
        assert notice in html
        assert "The bridge was closed for a week." in html
        assert "The bridge was closed for a day." not in html
        assert "It was three days." in html and "Misleading" in html
        assert "Road authority notice" in html
        assert "Second authority notice" not in html and "Closed on Monday only." not in html
        assert json_ld(response)["claimReviewed"] == "The bridge was closed for a week."

    def test_the_feed_keeps_the_last_published_review(self, published, reviewer, client):
        actions.reopen(published, by=reviewer, note="New notice.")
        actions.return_to_researcher(published, by=reviewer, note="Look again.")
        feed = client.get(reverse("claimreview_feed")).json()["dataFeedElement"]
        assert [(r["claimReviewed"], r["reviewRating"]["alternateName"]) for r in feed] == [
            ("The bridge was closed for a week.", "Misleading")
        ]

    def test_the_claim_page_says_the_public_keeps_the_last_verdict(
        self, published, reviewer, login
    ):
        actions.reopen(published, by=reviewer, note="New notice.")
        html = login(reviewer).get(published.get_absolute_url()).content.decode()
        assert "Reopened: the public page keeps the verdict published on" in html
        assert f'href="/public/claims/{published.pk}/">Public page</a>' in html


class TestUpdates:
    def test_a_republication_lists_what_changed(self, published, reviewer, researcher, client):
        actions.reopen(published, by=reviewer, note="New notice.")
        actions.add_evidence(
            published,
            source=SourceFactory(title="Second authority notice"),
            stance="contradicts",
            excerpt="",
            note="",
            by=researcher,
        )
        old = published.evidence.get(source__title="Road authority notice")
        actions.remove_evidence(old, by=researcher, seen_version=old.version)
        republish(published, reviewer)
        second = published.publications.get(current=True)
        assert second.number == 2
        assert second.change_list == [
            "verdict from Misleading to False",
            "rationale revised",
            "evidence added: Second authority notice (contradicting)",
            "evidence removed: Road authority notice (supporting)",
        ]
        assert published.history.latest().history_change_reason == (
            "Published update 2: " + "; ".join(second.change_list)
        )
        html = public(client, published).content.decode()
        updates = html.split('id="updates-heading"')[1]
        assert "verdict from Misleading to False; rationale revised; evidence added: Second " in (
            updates
        )
        assert "First published on" in updates and "as Misleading" in updates
        assert "Under review since" not in html
        evidence = html.split('id="evidence-heading"')[1].split('id="updates-heading"')[0]
        assert "Second authority notice" in evidence and "Road authority notice" not in evidence

    def test_every_update_is_listed_newest_first(self, published, reviewer, client):
        for rating in ("False", "Mostly false"):
            actions.reopen(published, by=reviewer, note="Again.")
            republish(published, reviewer, rating=rating, rationale=f"Now {rating}.")
        html = public(client, published).content.decode()
        updates = html.split('id="updates-heading"')[1]
        assert updates.index("verdict from False to Mostly false") < updates.index(
            "verdict from Misleading to False"
        )
        assert Publication.objects.filter(claim=published).count() == 3
        assert Publication.objects.filter(claim=published, current=True).count() == 1

    def test_a_republication_that_changes_nothing_says_so(self, published, reviewer):
        actions.reopen(published, by=reviewer, note="Checked again.")
        republish(published, reviewer, rating="Misleading", rationale="It was three days.")
        assert published.publications.get(number=2).change_list == [
            "verdict confirmed, nothing changed"
        ]


class TestDateModified:
    def test_it_appears_only_once_there_is_an_update(self, published, reviewer, client):
        first = json_ld(public(client, published))
        assert "dateModified" not in first
        assert first["datePublished"] == "2024-10-20"
        actions.reopen(published, by=reviewer, note="New notice.")
        republish(published, reviewer)
        review = json_ld(public(client, published))
        assert review["datePublished"] == "2024-10-20", "still the first verdict's date"
        assert review["dateModified"] == timezone.localdate().isoformat()
        assert review["reviewRating"]["alternateName"] == "False"
        feed = client.get(reverse("claimreview_feed")).json()["dataFeedElement"]
        assert feed[0]["dateModified"] == review["dateModified"]

    def test_it_fits_the_schema_org_vocabulary(self, published, reviewer, client, shared_data):
        from tests.schemaorg import vocabulary

        actions.reopen(published, by=reviewer, note="New notice.")
        republish(published, reviewer)
        assert vocabulary(shared_data).problems(json_ld(public(client, published))) == []


class TestWhatIsNeverPublic:
    @pytest.mark.parametrize("status", ["draft", "submitted", "in_review"])
    def test_a_claim_never_published_has_no_public_page(self, status, client):
        claim = ClaimFactory()
        Claim.objects.filter(pk=claim.pk).update(status=status)
        assert public(client, claim).status_code == 404

    def test_a_published_claim_is_never_deleted(self, published):
        admin = make_user("ada", is_superuser=True, is_staff=True)
        with pytest.raises(actions.Refused, match="a public record is not deleted"):
            actions.delete_claim(published, by=admin)
        actions.reopen(published, by=admin, note="Wrong claim.")
        with pytest.raises(actions.Refused, match="a public record is not deleted"):
            actions.delete_claim(published, by=admin)


def test_the_data_migration_gives_each_published_claim_its_first_publication(reviewer):
    """Claims published before publications were kept get one, copied from the claim."""
    claim = ClaimFactory(
        text="Published the old way.",
        status="published",
        rating=Rating.objects.get(label="False"),
        rationale="Old rationale.",
        reviewer=reviewer,
        published_at=timezone.now(),
        verdict_as_of=AS_OF,
    )
    MentionFactory(claim=claim)
    EvidenceFactory(claim=claim, stance="contradicts", source__title="Old source")
    ClaimFactory(text="A draft.")
    migration = importlib.import_module("claims.migrations.0012_publications_of_published_claims")
    migration.publish_the_published(apps, None)
    migration.publish_the_published(apps, None)  # twice: nothing more
    publication = Publication.objects.get()
    assert (publication.claim, publication.number, publication.current) == (claim, 1, True)
    assert (publication.rating.label, publication.rationale) == ("False", "Old rationale.")
    assert (publication.verdict_as_of, publication.first_published_on) == (AS_OF, AS_OF)
    assert publication.published_by == reviewer
    assert [item["title"] for item in publication.evidence] == ["Old source"]
    assert len(publication.appearances) == 1
