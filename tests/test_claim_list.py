"""The claims list: filters in the URL, three orderings, and keyset pages that never count."""

import datetime
import html
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, Rating
from lib import keyset
from tests.factories.articles import ArticleFactory
from tests.factories.claims import (
    ClaimantFactory,
    ClaimFactory,
    MentionFactory,
)
from tests.factories.derived import rederived_once
from tests.factories.sources import EvidenceFactory, OutletFactory

pytestmark = pytest.mark.django_db


def listed(client, **query) -> list[str]:
    """The claim texts on the list page for this query, in order."""
    response = client.get(reverse("claims:list"), query)
    assert response.status_code == 200
    return [row["text"] for row in response.context["page"]]


def links_on(client, url: str) -> dict[str, str]:
    """Each link's text on the page, to its address (the last link of a text wins)."""
    page = client.get(url).content.decode()
    return {
        html.unescape(text): html.unescape(href)
        for href, text in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>([^<]+)</a>', page)
    }


def listed_at(client, href: str) -> list[str]:
    return [row["text"] for row in client.get(reverse("claims:list") + href).context["page"]]


class TestFilterLinks:
    def test_a_rows_claimant_status_and_verdict_filter_the_list(self, login, researcher, reviewer):
        client = login(researcher)
        ada = ClaimantFactory(name="Ada Byron")
        false = Rating.objects.get(label="False")
        ClaimFactory(text="Ada's draft", claimant=ada)
        ClaimFactory(
            text="Ada's rated claim",
            claimant=ada,
            status="published",
            rating=false,
            reviewer=reviewer,
        )
        ClaimFactory(text="Someone else's draft")
        links = links_on(client, reverse("claims:list"))
        assert listed_at(client, links["Ada Byron"]) == ["Ada's rated claim", "Ada's draft"]
        assert listed_at(client, links["Published"]) == ["Ada's rated claim"]
        assert listed_at(client, links["False"]) == ["Ada's rated claim"]

    def test_quick_filters_are_links(self, login, researcher):
        client = login(researcher)
        contested = ClaimFactory(text="Both ways")
        EvidenceFactory(claim=contested, stance="supports")
        EvidenceFactory(claim=contested, stance="contradicts")
        ClaimFactory(text="My own claim", created_by=researcher)
        links = links_on(client, reverse("claims:list"))
        assert listed_at(client, links["Contested"]) == ["Both ways"]
        assert listed_at(client, links["Mine"]) == ["My own claim"]
        assert len(listed_at(client, links["All claims"])) == 2

    def test_a_rows_links_keep_the_other_filters_and_go_back_to_the_first_page(
        self, login, researcher
    ):
        ada = ClaimantFactory(name="Ada Byron & Co")
        ClaimFactory.create_batch(51, claimant=ada)
        client = login(researcher)
        cursor = client.get(reverse("claims:list"), {"sort": "oldest"}).context["page"].next_cursor
        second_page = urlencode({"sort": "oldest", "cursor": cursor})
        links = links_on(client, reverse("claims:list") + "?" + second_page)
        assert links["Ada Byron & Co"] == "?sort=oldest&claimant=Ada+Byron+%26+Co"
        assert links["Draft"] == "?sort=oldest&status=draft"


class TestKeysetPages:
    def test_ties_are_broken_by_pk_and_every_row_appears_once(self):
        same_moment = timezone.now()
        claims = ClaimFactory.create_batch(23)
        Claim.objects.update(created_at=same_moment)
        seen, cursor = [], None
        while True:
            page = keyset.paginate(
                Claim.objects.all(), field="created_at", descending=True, cursor=cursor, size=5
            )
            seen.extend(claim.pk for claim in page)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == sorted((claim.pk for claim in claims), reverse=True)

    def test_previous_returns_the_page_before(self):
        ClaimFactory.create_batch(12)
        first = keyset.paginate(
            Claim.objects.all(), field="evidence_count", descending=True, cursor=None, size=5
        )
        second = keyset.paginate(
            Claim.objects.all(),
            field="evidence_count",
            descending=True,
            cursor=first.next_cursor,
            size=5,
        )
        back = keyset.paginate(
            Claim.objects.all(),
            field="evidence_count",
            descending=True,
            cursor=second.previous_cursor,
            size=5,
        )
        assert [c.pk for c in back] == [c.pk for c in first]
        assert first.previous_cursor is None and back.previous_cursor is None

    def test_ascending_order_pages_forwards_too(self):
        claims = ClaimFactory.create_batch(7)
        page = keyset.paginate(
            Claim.objects.all(), field="created_at", descending=False, cursor=None, size=4
        )
        rest = keyset.paginate(
            Claim.objects.all(),
            field="created_at",
            descending=False,
            cursor=page.next_cursor,
            size=4,
        )
        assert [c.pk for c in [*page, *rest]] == [c.pk for c in claims]

    @pytest.mark.parametrize("cursor", ["made-up", "eyJhIjoxfQ:1abc:def"])
    def test_a_forged_cursor_is_refused(self, cursor):
        with pytest.raises(keyset.BadCursor):
            keyset.paginate(
                Claim.objects.all(), field="created_at", descending=True, cursor=cursor, size=5
            )

    def test_a_cursor_for_another_ordering_is_refused(self):
        ClaimFactory.create_batch(3)
        page = keyset.paginate(
            Claim.objects.all(), field="created_at", descending=True, cursor=None, size=1
        )
        with pytest.raises(keyset.BadCursor, match="another ordering"):
            keyset.paginate(
                Claim.objects.all(),
                field="evidence_count",
                descending=True,
                cursor=page.next_cursor,
                size=1,
            )

    def test_the_list_page_follows_next_links_and_recovers_from_a_bad_one(self, login, researcher):
        ClaimFactory.create_batch(51)
        client = login(researcher)
        first = client.get(reverse("claims:list"))
        assert len(first.context["page"]) == 50
        cursor = first.context["page"].next_cursor
        second = client.get(reverse("claims:list"), {"cursor": cursor})
        assert len(second.context["page"]) == 1
        broken = client.get(reverse("claims:list"), {"cursor": "nonsense"})
        assert "This page link is not valid" in broken.content.decode()
        assert len(broken.context["page"]) == 50


class TestFilters:
    @pytest.fixture
    def desk(self, researcher, reviewer):
        zelensky = ClaimantFactory(name="Volodymyr Zelensky")
        outlet = OutletFactory(name="Kyiv Independent", domain="kyivindependent.com")
        contested = ClaimFactory(text="contested", claimant=zelensky, created_by=researcher)
        EvidenceFactory(claim=contested, stance="supports")
        EvidenceFactory(claim=contested, stance="contradicts")
        contradicted = ClaimFactory(text="contradicted", claimed_on=datetime.date(2024, 10, 1))
        EvidenceFactory(claim=contradicted, stance="contradicts")
        EvidenceFactory(claim=contradicted, stance="context")
        assigned = ClaimFactory(text="assigned", status="in_review", reviewer=reviewer)
        published = ClaimFactory(
            text="published",
            status="published",
            rating=Rating.objects.get(label="False"),
            reviewer=reviewer,
            claimed_on=datetime.date(2024, 11, 1),
        )
        published.tags.create(name="North Korea")
        MentionFactory(claim=assigned, article=ArticleFactory(outlet=outlet))
        return {"contested", "contradicted", "assigned", "published"}

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({}, {"contested", "contradicted", "assigned", "published"}),
            ({"status": "in_review"}, {"assigned"}),
            ({"tag": "North Korea"}, {"published"}),
            ({"claimant": "volodymyr zelensky"}, {"contested"}),
            ({"outlet": "Kyiv Independent"}, {"assigned"}),
            ({"outlet": "kyivindependent.com"}, {"assigned"}),
            ({"claimed_from": "2024-10-15"}, {"published"}),
            ({"claimed_to": "2024-10-15"}, {"contradicted"}),
            ({"contradicted": "on"}, {"contested", "contradicted"}),
            ({"contested": "on"}, {"contested"}),
            ({"mine": "on"}, {"contested"}),
            ({"status": "draft", "contested": "on"}, {"contested"}),
            ({"status": "published", "contested": "on"}, set()),
        ],
    )
    def test_each_filter_keeps_the_right_claims(self, query, expected, desk, login, researcher):
        assert set(listed(login(researcher), **query)) == expected

    def test_the_verdict_filter(self, desk, login, researcher):
        false = Rating.objects.get(label="False")
        assert listed(login(researcher), rating=false.pk) == ["published"]

    def test_assigned_to_me_is_the_reviewers_own_work(self, desk, login, reviewer, researcher):
        assert listed(login(reviewer), assigned_to_me="on") == ["assigned"]
        assert listed(login(researcher), assigned_to_me="on") == []

    def test_most_evidence_sorts_by_the_stored_count(self, desk, login, researcher):
        order = listed(login(researcher), sort="most_evidence")
        assert order[:2] == ["contradicted", "contested"]  # two each; the later pk first

    def test_oldest_first(self, desk, login, researcher):
        assert listed(login(researcher), sort="oldest")[0] == "contested"

    def test_no_match_says_so(self, desk, login, researcher):
        html = login(researcher).get(reverse("claims:list"), {"tag": "nothing"}).content
        assert "No claim matches these filters." in html.decode()

    def test_htmx_gets_only_the_list_and_links_keep_the_filters(self, login, researcher):
        ClaimFactory.create_batch(51, status="submitted")
        response = login(researcher).get(
            reverse("claims:list"), {"status": "submitted"}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert html.strip().startswith('<div id="claim-list">')
        assert "?status=submitted&amp;cursor=" in html


class TestCost:
    def queries(self, client, **query) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("claims:list"), query).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    @pytest.mark.parametrize(
        "query",
        [{}, {"contested": "on", "sort": "most_evidence"}, {"outlet": "x", "tag": "y"}],
    )
    def test_the_same_queries_for_1_row_as_for_100(self, query, login, researcher):
        client = login(researcher)
        EvidenceFactory(claim=MentionFactory().claim)
        one = len(self.queries(client, **query))
        with rederived_once():
            for mention in MentionFactory.create_batch(99):
                EvidenceFactory(claim=mention.claim)
        assert len(self.queries(client, **query)) == one

    def test_nothing_is_counted(self, login, researcher):
        ClaimFactory.create_batch(3)
        sql = " ".join(self.queries(login(researcher))).upper()
        assert "COUNT(" not in sql and "OFFSET" not in sql


class TestStoredCounts:
    def test_the_actions_keep_them_through_every_add_change_and_removal(self, researcher, reviewer):
        from claims import actions
        from tests.factories.articles import ArticleFactory
        from tests.factories.sources import SourceFactory

        claim = ClaimFactory()
        source = SourceFactory()

        def add(stance):
            return actions.add_evidence(
                claim, source=source, stance=stance, excerpt="", note="", by=researcher
            )

        first, second = add("supports"), add("contradicts")
        actions.add_mention(claim, ArticleFactory(), start=0, end=12, by=researcher)
        claim.refresh_from_db()
        assert (claim.evidence_count, claim.supports_count, claim.contradicts_count) == (2, 1, 1)
        assert claim.mention_count == 1
        actions.edit_evidence(
            first, stance="context", excerpt="", note="", by=reviewer, seen_version=1
        )
        claim.refresh_from_db()
        assert (claim.supports_count, claim.context_count) == (0, 1)
        for item in (first, second):
            item.refresh_from_db()
            actions.remove_evidence(item, by=reviewer, seen_version=item.version)
        actions.delete_mention(claim.mentions.get(), by=reviewer, seen_version=1)
        claim.refresh_from_db()
        assert (claim.evidence_count, claim.contradicts_count, claim.context_count) == (0, 0, 0)
        assert claim.mention_count == 0

    def test_an_edit_from_an_older_copy_does_not_undo_them(self):
        claim = ClaimFactory()
        stale_copy = Claim.objects.get(pk=claim.pk)
        EvidenceFactory(claim=claim)
        stale_copy.text = "Edited."
        stale_copy.save()
        claim.refresh_from_db()
        assert (claim.text, claim.evidence_count) == ("Edited.", 1)


def test_the_page_shows_the_claims_it_lists(login, researcher):
    ClaimFactory(text="A claim on the page.")
    html = login(researcher).get(reverse("claims:list")).content.decode()
    assert "A claim on the page." in html and "No claims yet." not in html


class TestTheOtherLists:
    def test_articles_page_by_cursor_and_filter_by_outlet_and_date(self, login, researcher):
        outlet = OutletFactory(name="Meduza", domain="meduza.io")
        ArticleFactory(title="Old one", published_on=datetime.date(2023, 1, 1), outlet=outlet)
        ArticleFactory(title="New one", published_on=datetime.date(2024, 6, 1))
        ArticleFactory.create_batch(50)
        client = login(researcher)

        def titles(**query):
            return [a.title for a in client.get(reverse("articles:list"), query).context["page"]]

        assert titles(outlet="meduza.io") == ["Old one"]
        assert titles(published_from="2024-01-01", published_to="2024-12-31") == ["New one"]
        first = client.get(reverse("articles:list")).context["page"]
        rest = client.get(reverse("articles:list"), {"cursor": first.next_cursor}).context["page"]
        assert len(first) == 50 and len(rest) == 2

    def test_sources_page_by_title_with_citation_counts(self, login, researcher):
        from tests.factories.sources import SourceFactory

        cited = SourceFactory(title="Aardvark report")
        EvidenceFactory.create_batch(3, source=cited)
        SourceFactory.create_batch(50, title="Zebra report")
        client = login(researcher)
        page = client.get(reverse("sources:list")).context["page"]
        assert page.items[0].title == "Aardvark report" and page.items[0].evidence_count == 3
        rest = client.get(reverse("sources:list"), {"cursor": page.next_cursor}).context["page"]
        assert len(page) + len(rest) == 51

    @pytest.mark.parametrize("name", ["articles:list", "sources:list"])
    def test_nothing_is_counted(self, name, login, researcher):
        with CaptureQueriesContext(connection) as captured:
            login(researcher).get(reverse(name))
        sql = " ".join(q["sql"] for q in captured.captured_queries).upper()
        assert "OFFSET" not in sql
        assert "COUNT(*)" not in sql.replace('COUNT("', "")


@pytest.mark.parametrize(
    "query", [{"tag": "nothing"}, {"claimant": "Nobody"}, {"outlet": "none.example"}]
)
def test_a_name_that_matches_nothing_never_walks_the_claims(query, login, researcher):
    ClaimFactory.create_batch(3)
    with CaptureQueriesContext(connection) as captured:
        response = login(researcher).get(reverse("claims:list"), query)
    assert list(response.context["page"]) == []
    assert not [q for q in captured.captured_queries if 'FROM "claims_claim"' in q["sql"]]
