"""Published verdicts as schema.org ClaimReview: the public page, its JSON-LD, and the feed."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from pyld import jsonld

from claims import actions
from claims.claimreview import Appearance, Verdict, as_script_text, claim_review
from claims.models import Rating
from tests.conftest import make_user
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimantFactory, ClaimFactory, MentionFactory, publish
from tests.factories.sources import EvidenceFactory
from tests.schemaorg import vocabulary

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"
RATIONALE = "Officials had not confirmed combat.\n\nSee https://example.org/briefing <b>now</b>"


def another_published_like(claim):
    """A further claim published with the same verdict, through the review."""
    return publish(ClaimFactory(), rating=claim.rating.label)


def schema_org_context_loader(url, options=None):
    """pyld's loader without a network: https://schema.org is the schema.org vocabulary."""
    if url.rstrip("/") != SCHEMA.rstrip("/"):
        raise jsonld.JsonLdError(f"No network here to fetch {url}", "loading document failed")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": SCHEMA}},
    }


def expand(document: dict) -> dict:
    """The one top-level node of a JSON-LD document, expanded to full schema.org IRIs."""
    (node,) = jsonld.expand(document, {"documentLoader": schema_org_context_loader})
    return node


def value(node: dict, prop: str):
    (item,) = node[SCHEMA + prop]
    return item.get("@value", item)


def json_ld_of(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


@pytest.fixture
def published(db, researcher, reviewer):
    """The demo's headline claim, published as Misleading by a reviewer who did not tag it."""
    claimant = ClaimantFactory(name="Volodymyr Zelensky", kind="person")
    claim = ClaimFactory(
        text="North Korean troops are fighting alongside Russian forces in Ukraine.",
        claimant=claimant,
        claimed_on=datetime.date(2024, 10, 13),
        created_by=researcher,
    )
    first = ArticleFactory(
        title="Zelensky confirms North Korean soldiers",
        url="https://dailybuzz.example/zelensky",
        published_on=datetime.date(2024, 10, 14),
    )
    later = ArticleFactory(
        title="Follow-up", url="https://later.example/a", published_on=datetime.date(2024, 10, 16)
    )
    MentionFactory(claim=claim, article=later)
    MentionFactory(claim=claim, article=first)
    EvidenceFactory(claim=claim, stance="contradicts", excerpt="No units seen at the front.")
    actions.submit_for_review(claim, by=researcher)
    actions.start_review(claim, by=reviewer)
    actions.publish_verdict(
        claim,
        by=reviewer,
        rating=Rating.objects.get(label="Misleading"),
        rationale=RATIONALE,
        as_of=datetime.date(2024, 10, 21),
    )
    claim.refresh_from_db()
    return claim


class TestThePublicPage:
    def test_anyone_reads_it_without_logging_in(self, published, login):
        response = login(None).get(reverse("public_claim", args=[published.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        assert published.text in html and "Misleading" in html
        assert "Volodymyr Zelensky" in html and "Zelensky confirms North Korean soldiers" in html
        assert "No units seen at the front." in html

    def test_the_rationale_keeps_paragraphs_and_links_and_no_html(self, published, login):
        html = login(None).get(reverse("public_claim", args=[published.pk])).content.decode()
        assert "<p>Officials had not confirmed combat.</p>" in html
        assert '<a href="https://example.org/briefing" rel="nofollow">' in html
        assert "&lt;b&gt;now&lt;/b&gt;" in html and "<b>now</b>" not in html

    def test_its_json_ld_says_what_google_asks_for(self, published, login, settings):
        settings.ORGANISATION_NAME, settings.ORGANISATION_URL = "Desk", "https://desk.example/"
        html = login(None).get(reverse("public_claim", args=[published.pk])).content.decode()
        document = json_ld_of(html)
        assert document["@context"] == "https://schema.org"
        review = expand(document)
        assert review["@type"] == [SCHEMA + "ClaimReview"]
        assert value(review, "claimReviewed") == published.text
        assert value(review, "url") == f"http://testserver/public/claims/{published.pk}/"
        assert value(review, "datePublished") == "2024-10-21"
        author = value(review, "author")
        assert author["@type"] == [SCHEMA + "Organization"]
        assert value(author, "name") == "Desk" and value(author, "url") == "https://desk.example/"
        rating = value(review, "reviewRating")
        assert value(rating, "alternateName") == "Misleading"
        assert (value(rating, "ratingValue"), value(rating, "bestRating")) == (3, 6)
        assert value(rating, "worstRating") == 1
        item = value(review, "itemReviewed")
        assert item["@type"] == [SCHEMA + "Claim"]
        assert value(value(item, "author"), "name") == "Volodymyr Zelensky"
        assert value(item, "author")["@type"] == [SCHEMA + "Person"]
        assert value(item, "datePublished") == "2024-10-13"
        appearances = {value(work, "url") for work in item[SCHEMA + "appearance"]}
        assert appearances == {"https://dailybuzz.example/zelensky", "https://later.example/a"}
        assert value(value(item, "firstAppearance"), "url") == "https://dailybuzz.example/zelensky"

    def test_its_json_ld_fits_the_schema_org_vocabulary(self, published, login, shared_data):
        html = login(None).get(reverse("public_claim", args=[published.pk])).content.decode()
        assert vocabulary(shared_data).problems(json_ld_of(html)) == []

    @pytest.mark.parametrize("status", ["draft", "submitted", "in_review"])
    def test_unpublished_claims_are_never_public(self, status, login):
        claim = ClaimFactory(status=status)
        response = login(None).get(reverse("public_claim", args=[claim.pk]))
        assert response.status_code == 404

    def test_a_reopened_claim_keeps_its_published_verdict_in_public(
        self, published, login, reviewer
    ):
        actions.reopen(published, by=reviewer, note="New report")
        response = login(None).get(reverse("public_claim", args=[published.pk]))
        assert response.status_code == 200
        assert "Under review since" in response.content.decode()
        feed = login(None).get(reverse("claimreview_feed")).json()
        assert [r["claimReviewed"] for r in feed["dataFeedElement"]] == [published.text]

    def test_the_claim_page_links_to_it(self, published, login, researcher):
        html = login(researcher).get(published.get_absolute_url()).content.decode()
        assert f'href="/public/claims/{published.pk}/">Public page</a>' in html


class TestTheFeed:
    def test_it_lists_published_reviews_newest_first(self, published, login, researcher):
        older = ClaimFactory(created_by=make_user("tom", "Researcher"))
        actions.submit_for_review(older, by=researcher)
        ClaimFactory(status="draft", text="A draft that must not appear.")
        reviewer_two = make_user("wanda", "Reviewer")
        actions.start_review(older, by=reviewer_two)
        actions.publish_verdict(
            older,
            by=reviewer_two,
            rating=Rating.objects.get(label="Unverified"),
            rationale="Nothing to go on.",
            as_of=datetime.date(2024, 11, 1),
            without_evidence=True,
        )
        response = login(None).get(reverse("claimreview_feed"))
        assert response["Content-Type"] == "application/ld+json"
        feed = response.json()
        assert feed["@type"] == "DataFeed"
        reviews = feed["dataFeedElement"]
        assert [r["claimReviewed"] for r in reviews] == [older.text, published.text]
        unverified = reviews[0]["reviewRating"]
        assert unverified == {"@type": "Rating", "alternateName": "Unverified"}, (
            "an off-scale verdict carries no numbers"
        )
        assert "A draft that must not appear." not in response.content.decode()

    def test_it_fits_the_schema_org_vocabulary(self, published, login, shared_data):
        feed = login(None).get(reverse("claimreview_feed")).json()
        assert vocabulary(shared_data).problems(feed) == []
        assert expand(feed)["@type"] == [SCHEMA + "DataFeed"]

    def test_it_pages_through_link_headers(self, published, login, monkeypatch):
        from pages import views

        monkeypatch.setattr(views, "FEED_PAGE_SIZE", 1)
        another_published_like(published)
        first_page = login(None).get(reverse("claimreview_feed"))
        assert 'page=2>; rel="next"' in first_page["Link"]
        assert len(first_page.json()["dataFeedElement"]) == 1
        second_page = login(None).get(reverse("claimreview_feed"), {"page": 2})
        assert 'rel="prev"' in second_page["Link"] and "next" not in second_page["Link"]

    def test_its_query_count_is_the_same_for_1_review_as_for_20(self, published, login):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                login(None).get(reverse("claimreview_feed"))
            return len(captured)

        one = queries()
        colleague = make_user("wanda", "Reviewer")
        for _ in range(19):
            claim = ClaimFactory()
            MentionFactory(claim=claim)
            publish(claim, reviewer=colleague, rating="Misleading")
        assert queries() == one


class TestTheMapping:
    def verdict(self, **overrides) -> Verdict:
        return Verdict(
            **{
                "url": "https://desk.example/public/claims/1/",
                "claim": "A claim.",
                "label": "False",
                "published_on": datetime.date(2024, 10, 21),
                "organisation": "Desk",
                **overrides,
            }
        )

    def test_an_article_without_a_url_is_not_an_appearance(self):
        review = claim_review(self.verdict(appearances=[Appearance(url="", headline="Pasted")]))
        assert "appearance" not in review["itemReviewed"]

    def test_an_undated_first_appearance_falls_back_to_the_first_listed(self):
        works = [
            Appearance(url="https://a.example/", headline="A"),
            Appearance("https://b.example/", "B"),
        ]
        review = claim_review(self.verdict(appearances=works))
        assert review["itemReviewed"]["firstAppearance"]["url"] == "https://a.example/"

    def test_a_claim_cannot_break_out_of_the_script_element(self):
        text = as_script_text(
            claim_review(self.verdict(claim="</script><script>alert(1)</script>"))
        )
        assert "</script>" not in text and "<" not in text
        assert json.loads(text)["claimReviewed"] == "</script><script>alert(1)</script>"

    def test_real_fact_checkers_records_fit_the_same_vocabulary_check(self, shared_data):
        """The checker is not ours alone: six published records pass it, quirks and all."""
        records = [
            json.loads(block)
            for path in sorted((shared_data / "claimreview").glob("*.txt"))
            for block in re.findall(r">(.*?)</script>", path.read_text(encoding="utf-8"))
        ]
        assert len(records) == 6
        for record in records:
            assert vocabulary(shared_data).problems(record) == []
            assert record["itemReviewed"]["@type"] == "CreativeWork", "theirs; ours says Claim"

    def test_the_vocabulary_check_can_fail(self, shared_data):
        review = claim_review(self.verdict())
        review["reviewRating"]["ratingColour"] = "red"
        review["itemReviewed"]["headline"] = 7
        problems = vocabulary(shared_data).problems(review)
        assert "ClaimReview.reviewRating.Rating.ratingColour: unknown property" in problems
        assert any("Claim.headline: 7 fits none of" in problem for problem in problems)
