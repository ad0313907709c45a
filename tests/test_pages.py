"""Every page, for every role: who may see it, what it shows, and how many queries it costs."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Comment, Evidence, ExternalCheckLink, Rating, Tag
from sources.models import ExternalFactCheck
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, MentionFactory, publish
from tests.factories.derived import rederived_once
from tests.factories.sources import EvidenceFactory, OutletFactory, SourceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 10, 20)

ROLES = ["researcher", "reviewer", "source_admin"]


@pytest.fixture
def pages(db):
    """One of each kind of page, with a URL that resolves to real rows."""
    mention = MentionFactory()
    evidence = EvidenceFactory(claim=mention.claim)
    return {
        "article list": reverse("articles:list"),
        "article": reverse("reader:article", args=[mention.article.pk]),
        "claim list": reverse("claims:list"),
        "claim": reverse("claims:detail", args=[mention.claim.pk]),
        "source list": reverse("sources:list"),
        "source": reverse("sources:detail", args=[evidence.source.pk]),
        "outlet": reverse("sources:outlet", args=[evidence.source.outlet.pk]),
    }


PAGE_NAMES = ["article list", "article", "claim list", "claim", "source list", "source", "outlet"]


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_anonymous_visitors_are_sent_to_log_in(page, pages, login):
    response = login(None).get(pages[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_a_user_without_a_role_is_refused(page, pages, login, outsider):
    assert login(outsider).get(pages[page]).status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_every_role_can_read_every_page(page, role, pages, login, request):
    user = request.getfixturevalue(role)
    response = login(user).get(pages[page])
    assert response.status_code == 200
    assert b'<nav aria-label="Main">' in response.content


def test_a_missing_article_is_not_found(login, researcher):
    assert login(researcher).get(reverse("reader:article", args=[999999])).status_code == 404


class TestArticlePage:
    def test_every_mention_is_a_mark_inside_the_article_element(self, login, researcher):
        article = ArticleFactory(text="One claim here. Another claim there. The end.")
        first = MentionFactory(article=article, start=0, length=14)
        second = MentionFactory(article=article, start=16, length=19)
        html = login(researcher).get(article.get_absolute_url()).content.decode()
        body = re.search(r"<article[^>]*>(.*?)</article>", html, re.S).group(1)
        assert f'<mark id="mention-{first.pk}"' in body
        assert f'<mark id="mention-{second.pk}"' in body
        assert re.sub(r"<[^>]+>", "", body) == article.text

    def test_nested_mentions_keep_the_text_whole_and_mark_both(self, login, researcher):
        article = ArticleFactory(text="Outer part with an inner bit inside it.")
        outer = MentionFactory(article=article, start=0, length=len(article.text) - 1)
        inner = MentionFactory(article=article, start=19, length=9)
        html = login(researcher).get(article.get_absolute_url()).content.decode()
        body = re.search(r"<article[^>]*>(.*?)</article>", html, re.S).group(1)
        assert f'id="mention-{outer.pk}"' in body
        assert f'id="mention-{inner.pk}" class="status-draft nested"' in body
        assert re.sub(r"<[^>]+>", "", body) == article.text

    def test_the_side_panel_lists_claims_in_text_order(self, login, researcher):
        article = ArticleFactory(text="First statement. Second statement.")
        later = MentionFactory(article=article, start=17, length=16, claim__text="Later claim")
        earlier = MentionFactory(article=article, start=0, length=15, claim__text="Earlier claim")
        html = login(researcher).get(article.get_absolute_url()).content.decode()
        assert html.index(earlier.claim.text) < html.index(later.claim.text)

    def test_a_published_claim_is_marked_in_its_verdict_colour(
        self, login, researcher, monkeypatch
    ):
        if not hasattr(Rating, "tone"):  # the shared colour language, merged separately
            monkeypatch.setattr(
                Rating, "tone", property(lambda rating: "misleading"), raising=False
            )
        rating = Rating.objects.get(label="Misleading")
        published = MentionFactory(
            claim__status="published", claim__rating=rating, claim__reviewer=researcher
        )
        submitted = MentionFactory(
            article=published.article,
            start=40,
            length=10,
            claim__status="submitted",
            claim__rating=rating,
        )
        response = login(researcher).get(published.article.get_absolute_url())
        html = response.content.decode()
        assert f'id="mention-{published.pk}" class="status-published verdict-misleading"' in html
        # A verdict is not shown before it is published.
        assert f'id="mention-{submitted.pk}" class="status-submitted"' in html
        assert '<span class="verdict verdict-misleading">Misleading</span>' in html
        # Colours come from the stylesheet, not from a style element the CSP must let through.
        assert "<style" not in html

    def test_article_text_is_escaped(self, login, researcher):
        article = ArticleFactory(text="<script>alert(1)</script> is text, not code.")
        html = login(researcher).get(article.get_absolute_url()).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestClaimPage:
    def test_it_lists_mentions_and_groups_evidence_by_stance(self, login, researcher):
        mention = MentionFactory()
        claim = mention.claim
        EvidenceFactory(claim=claim, stance=Evidence.Stance.CONTRADICTS, source__title="Denial")
        EvidenceFactory(claim=claim, stance=Evidence.Stance.CONTEXT, source__title="Background")
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert mention.quote in html
        contradicting = html.index("Contradicting evidence")
        context = html.index('<h3 id="evidence-context">')
        assert contradicting < html.index("Denial") < context < html.index("Background")

    def test_evidence_published_after_the_claim_is_shown_as_later(self, login, researcher):
        claim = ClaimFactory(claimed_on="2024-10-13")
        EvidenceFactory(claim=claim, source__published_on="2024-10-17")
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert "(4 days after the claim)" in html

    def test_the_source_page_lists_the_claims_it_bears_on(self, login, researcher):
        evidence = EvidenceFactory(stance=Evidence.Stance.CONTRADICTS)
        html = login(researcher).get(evidence.source.get_absolute_url()).content.decode()
        assert evidence.claim.text in html
        assert "Contradicts" in html


class TestListFragments:
    @pytest.mark.parametrize(
        ("url_name", "fragment_id"),
        [
            ("articles:list", "article-list"),
            ("claims:list", "claim-list"),
            ("sources:list", "source-list"),
        ],
    )
    def test_htmx_gets_the_list_fragment_and_a_browser_gets_the_page(
        self, url_name, fragment_id, login, researcher
    ):
        client = login(researcher)
        page = client.get(reverse(url_name)).content.decode()
        fragment = client.get(reverse(url_name), headers={"HX-Request": "true"}).content.decode()
        assert "<html" in page and f'id="{fragment_id}"' in page
        assert "<html" not in fragment
        assert fragment.strip().startswith(f'<div id="{fragment_id}">')


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


class TestQueryCounts:
    """Pages cost the same number of queries for 1 row as for 100: no N+1.

    No page is cached, in tests or when served: every signed-in page costs 3 for the session,
    the user with their rights (one query, lib/auth.py) and their unread notifications (the
    header's Inbox link, at most 100 ids from an index).
    """

    def test_the_article_list(self, login, researcher):
        client = login(researcher)
        ArticleFactory()
        one = count_queries(client, reverse("articles:list"))
        ArticleFactory.create_batch(99)
        # The 3 every page costs, the articles and the mention counts of those on the page.
        assert count_queries(client, reverse("articles:list")) == one == 5

    def test_the_claim_list(self, login, researcher):
        client = login(researcher)
        MentionFactory()
        one = count_queries(client, reverse("claims:list"))
        with rederived_once():
            for mention in MentionFactory.create_batch(99):
                EvidenceFactory(claim=mention.claim)
        # The 3 every page costs, the claims, the rating scale (the filter's verdict choices),
        # and the evidence balance of the claims on the page.
        assert count_queries(client, reverse("claims:list")) == one == 6

    def test_the_source_list(self, login, researcher):
        client = login(researcher)
        outlet = OutletFactory()
        SourceFactory(outlet=outlet)
        one = count_queries(client, reverse("sources:list"))
        SourceFactory.create_batch(99)
        # The 3 every page costs, the sources and the citation counts of those on the page.
        assert count_queries(client, reverse("sources:list")) == one == 5

    def test_the_article_page(self, login, researcher):
        client = login(researcher)
        article = ArticleFactory(text="word " * 200)
        MentionFactory(article=article)
        one = count_queries(client, article.get_absolute_url())
        with rederived_once():
            for start in range(5, 500, 5):
                MentionFactory(article=article, start=start, length=4)
        assert article.mentions.count() == 100
        # The 3 every page costs, the article, its mentions with their claims, and the claims'
        # evidence balances.
        assert count_queries(client, article.get_absolute_url()) == one == 6

    def test_the_claim_page(self, login, researcher):
        client = login(researcher)
        claim = ClaimFactory()
        MentionFactory(claim=claim)
        EvidenceFactory(claim=claim)
        one = count_queries(client, claim.get_absolute_url())
        MentionFactory.create_batch(99, claim=claim)
        EvidenceFactory.create_batch(99, claim=claim)
        # The 3 every page costs; then the claim (which says which of its lists hold anything),
        # its mentions and evidence. No tags, comments or links to checks published elsewhere:
        # no query for them (nor for its current publication before it was ever published).
        # The history waits until it is opened.
        assert count_queries(client, claim.get_absolute_url()) == one == 6

    def test_a_published_claim_page_asks_nothing_more_for_its_public_page(self, login, researcher):
        client = login(researcher)
        claim = publish(ClaimFactory())
        EvidenceFactory(claim=claim)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(claim.get_absolute_url()).content.decode()
        # The 3 every page costs, the claim (with when its public verdict was published) and
        # its evidence: the link to its public page costs no query of its own.
        assert len(queries) == 5
        assert f'href="/public/claims/{claim.pk}/">Public page</a>' in page

    def test_the_claim_page_asks_for_tags_comments_and_links_only_when_it_has_them(
        self, login, researcher
    ):
        client = login(researcher)
        claim = ClaimFactory()
        tag = Tag.objects.create(name="harbour-tonnage")
        claim.tags.add(tag)
        Comment.objects.create(claim=claim, author=researcher, body="Asked the port authority.")
        check = ExternalFactCheck.objects.create(
            claim_reviewed="The harbour handled record tonnage.",
            review_url="https://checks.example/harbour",
        )
        ExternalCheckLink.objects.create(claim=claim, external_check=check, linked_by=researcher)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(claim.get_absolute_url())
        # The 3 every page costs, the claim and its evidence (no mentions: no query for them),
        # and one each for its tags, comments and links.
        assert len(queries) == 8
        page = response.content.decode()
        for shown in ("harbour-tonnage", "Asked the port authority.", "record tonnage"):
            assert shown in page

    def test_the_claim_history(self, login, researcher):
        client = login(researcher)
        claim = ClaimFactory()
        MentionFactory(claim=claim)
        EvidenceFactory(claim=claim)
        url = reverse("claims:history", args=[claim.pk])
        one = count_queries(client, url)
        MentionFactory.create_batch(99, claim=claim)
        EvidenceFactory.create_batch(99, claim=claim)
        # The 3 every page costs; the claim, and the history of the claim, mentions, evidence
        # and links to checks published elsewhere.
        assert count_queries(client, url) == one == 8

    def test_the_claim_page_with_the_verdict_form(self, login, reviewer):
        client = login(reviewer)
        claim = ClaimFactory(status="in_review")
        MentionFactory(claim=claim)
        EvidenceFactory(claim=claim)
        one = count_queries(client, claim.get_absolute_url())
        MentionFactory.create_batch(99, claim=claim)
        EvidenceFactory.create_batch(99, claim=claim)
        # Five more than a researcher's: who wrote what (the claim's, mentions' and evidence's
        # history), the rating scale, and the reviewers it may be assigned to.
        assert count_queries(client, claim.get_absolute_url()) == one == 11

    def test_the_review_queue(self, login, reviewer):
        client = login(reviewer)
        ClaimFactory(status="submitted")
        one = count_queries(client, reverse("claims:queue"))
        ClaimFactory.create_batch(99, status="submitted")
        ClaimFactory.create_batch(100, status="in_review", reviewer=reviewer)
        # The 3 every page costs, the claims waiting, those in review (each with its first
        # mention's article), and the evidence balance of them all.
        assert count_queries(client, reverse("claims:queue")) == one == 6

    def test_the_source_page(self, login, researcher):
        client = login(researcher)
        source = SourceFactory()
        EvidenceFactory(source=source)
        one = count_queries(client, source.get_absolute_url())
        EvidenceFactory.create_batch(99, source=source)
        # The 3 every page costs; source, evidence, snapshots and the last fetch.
        assert count_queries(client, source.get_absolute_url()) == one == 7

    def test_the_outlet_list(self, login, researcher):
        client = login(researcher)
        OutletFactory()
        one = count_queries(client, reverse("sources:outlets"))
        OutletFactory.create_batch(99)
        assert count_queries(client, reverse("sources:outlets")) == one

    def test_the_outlet_page(self, login, researcher):
        client = login(researcher)
        outlet = OutletFactory()
        SourceFactory(outlet=outlet)
        one = count_queries(client, outlet.get_absolute_url())
        SourceFactory.create_batch(99, outlet=outlet)
        assert count_queries(client, outlet.get_absolute_url()) == one

    def test_my_claims(self, login, researcher):
        client = login(researcher)
        ClaimFactory(created_by=researcher)
        one = count_queries(client, reverse("claims:mine"))
        ClaimFactory.create_batch(99, created_by=researcher, status="submitted")
        assert count_queries(client, reverse("claims:mine")) == one

    def test_search_results(self, login, researcher):
        client = login(researcher)
        # One match of each kind: a kind with none skips its query.
        MentionFactory(claim__text="Ceasefire talk", article__title="Ceasefire")
        SourceFactory(title="Ceasefire report")
        one = count_queries(client, reverse("search") + "?q=ceasefire")
        with rederived_once():
            for n in range(99):
                MentionFactory(claim__text=f"Ceasefire talk {n}", article__title=f"Ceasefire {n}")
                SourceFactory(title=f"Ceasefire report {n}")
        assert count_queries(client, reverse("search") + "?q=ceasefire") == one

    def test_the_public_claim_page(self, client, reviewer):
        def published_with(items: int):
            claim = ClaimFactory()
            MentionFactory(claim=claim)
            EvidenceFactory.create_batch(items, claim=claim)
            return reverse("public_claim", args=[publish(claim, reviewer=reviewer).pk])

        one = count_queries(client, published_with(1))
        # Two for the ETag (the claim's state with its newest publication, the rating scale),
        # then drawing it: the claim's state, its publications with their verdicts, and the
        # scale's bounds.
        assert count_queries(client, published_with(50)) == one == 5

    def test_the_public_claim_page_with_updates(self, client, reviewer, researcher):
        from claims import actions

        def republished(times: int):
            claim = publish(ClaimFactory(), reviewer=reviewer)
            for _ in range(times):
                actions.reopen(claim, by=reviewer, note="Again.")
                actions.publish_verdict(
                    claim,
                    by=reviewer,
                    rating=claim.rating,
                    rationale="Again.",
                    as_of=TODAY,
                    without_evidence=True,
                )
            return reverse("public_claim", args=[claim.pk])

        one = count_queries(client, republished(1))
        assert count_queries(client, republished(20)) == one
