"""The public fact-check page as a reader and a link preview see it, and the public index."""

import datetime
import html as html_lib
import re

import pytest
from django.urls import reverse

from claims import actions
from claims.models import Publication, Rating
from tests.factories.claims import ClaimFactory, publish
from tests.factories.sources import EvidenceFactory
from tests.test_pages import count_queries

pytestmark = pytest.mark.django_db

RATIONALE = (
    "It was closed for three days, not a week.\n\nThe road authority's notice gives the dates."
)


def meta(page: str, key: str) -> str:
    (content,) = re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', page)
    return html_lib.unescape(content)


@pytest.fixture
def fact_check(reviewer):
    claim = ClaimFactory(text="The bridge was closed for a week.")
    EvidenceFactory(claim=claim, stance="contradicts", source__title="Road authority notice")
    return publish(claim, reviewer=reviewer, rating="Misleading", rationale=RATIONALE)


class TestThePublicPage:
    def test_the_verdict_and_its_first_paragraph_come_before_the_claim(self, client, fact_check):
        page = client.get(reverse("public_claim", args=[fact_check.pk])).content.decode()
        verdict = page.index('<span class="verdict verdict-large verdict-misleading">Misleading')
        lede = page.index('<p class="lede">It was closed for three days, not a week.</p>')
        assert verdict < lede < page.index("<h1>The bridge was closed for a week.</h1>")
        # The whole rationale follows, second paragraph included.
        assert page.index("The road authority&#x27;s notice gives the dates.") > lede

    def test_it_carries_share_tags_and_a_canonical_link(self, client, fact_check):
        url = reverse("public_claim", args=[fact_check.pk])
        page = client.get(url).content.decode()
        absolute = f"http://testserver{url}"
        assert f'<link rel="canonical" href="{absolute}">' in page
        assert meta(page, "og:url") == absolute
        assert meta(page, "og:type") == "article"
        assert meta(page, "og:title") == "Misleading: The bridge was closed for a week."
        assert meta(page, "og:description") == (
            "Misleading: It was closed for three days, not a week."
        )
        assert meta(page, "twitter:card") == "summary"

    def test_a_one_paragraph_rationale_is_said_once(self, client, reviewer):
        claim = publish(ClaimFactory(), reviewer=reviewer, rationale="See https://example.org/x")
        page = client.get(reverse("public_claim", args=[claim.pk])).content.decode()
        assert page.count('href="https://example.org/x"') == 1
        assert 'id="rationale-heading"' not in page

    def test_sources_are_listed_by_title_and_outlet(self, client, fact_check):
        page = client.get(reverse("public_claim", args=[fact_check.pk])).content.decode()
        outlet = fact_check.evidence.get().source.outlet.name
        assert re.search(r">Road authority notice</a>\s*<span class=\"meta\">" + outlet, page)

    def test_a_snapshot_without_title_or_outlet_shows_what_it_kept(self, client, fact_check):
        publication = Publication.objects.get(claim=fact_check)
        publication.evidence = [
            {"url": "https://example.org/notice", "stance": "contradicts", "published_on": None}
        ]
        publication.save()  # a test shaping an old snapshot, not an app write
        page = client.get(reverse("public_claim", args=[fact_check.pk])).content.decode()
        assert '<a href="https://example.org/notice" rel="noopener noreferrer">' in page
        assert "https://example.org/notice</a>" in page

    def test_updates_say_when_and_what_the_verdict_was(self, client, fact_check, reviewer):
        actions.reopen(fact_check, by=reviewer, note="New figures.")
        actions.publish_verdict(
            fact_check,
            by=reviewer,
            rating=Rating.objects.get(label="False"),
            rationale="It was closed for a day.",
            as_of=datetime.date(2024, 10, 22),
        )
        page = client.get(reverse("public_claim", args=[fact_check.pk])).content.decode()
        updates = page.split('id="updates-heading"')[1]
        assert re.search(r"Updated on <time[^>]*>[^<]+</time>: was <span", updates)
        assert '<span class="verdict verdict-misleading">Misleading</span>' in updates
        assert '<span class="verdict verdict-large verdict-false">False' in page

    def test_it_links_to_every_fact_check_and_shows_no_desk_navigation(self, client, fact_check):
        page = client.get(reverse("public_claim", args=[fact_check.pk])).content.decode()
        assert f'href="{reverse("public_index")}"' in page
        assert 'aria-label="Main"' not in page


class TestThePublicIndex:
    def test_anyone_may_read_it_and_it_lists_only_published_claims(self, client, reviewer):
        shown = publish(ClaimFactory(text="Published one."), reviewer=reviewer)
        ClaimFactory(text="A draft.")
        ClaimFactory(text="Under review.", status="in_review")
        response = client.get(reverse("public_index"))
        assert response.status_code == 200
        page = response.content.decode()
        assert f'href="{reverse("public_claim", args=[shown.pk])}"' in page
        assert "A draft." not in page and "Under review." not in page
        assert 'aria-label="Main"' not in page

    def test_signed_in_roles_read_it_too(self, login, researcher, reviewer, source_admin):
        for user in (researcher, reviewer, source_admin):
            assert login(user).get(reverse("public_index")).status_code == 200

    def test_the_newest_comes_first(self, client, reviewer):
        for text in ("First.", "Second.", "Third."):
            publish(ClaimFactory(text=text), reviewer=reviewer)
        page = client.get(reverse("public_index")).content.decode()
        assert page.index("Third.") < page.index("Second.") < page.index("First.")

    def test_it_filters_by_verdict(self, client, reviewer):
        publish(ClaimFactory(text="Rated false."), reviewer=reviewer, rating="False")
        publish(ClaimFactory(text="Rated true."), reviewer=reviewer, rating="True")
        page = client.get(reverse("public_index") + "?verdict=false").content.decode()
        assert "Rated false." in page and "Rated true." not in page
        assert '<a class="verdict verdict-false" href="?verdict=false" aria-current="page">' in page
        assert "<h1>Fact-checks: rated False</h1>" in page

    def test_an_unknown_verdict_says_so_and_shows_everything(self, client, reviewer):
        publish(ClaimFactory(text="Rated false."), reviewer=reviewer, rating="False")
        page = client.get(reverse("public_index") + "?verdict=nonsense").content.decode()
        assert "There is no verdict by that name" in page and "Rated false." in page

    def test_it_pages_older_fact_checks(self, client, reviewer, monkeypatch):
        monkeypatch.setattr("pages.views.PUBLIC_INDEX_SIZE", 2)
        for n in range(3):
            publish(ClaimFactory(text=f"Claim number {n}."), reviewer=reviewer)
        first = client.get(reverse("public_index")).content.decode()
        assert "Claim number 0." not in first
        (older,) = re.findall(r'<a href="([^"]+)">Older</a>', first)
        second = client.get(reverse("public_index") + html_lib.unescape(older)).content.decode()
        assert "Claim number 0." in second and "Claim number 2." not in second
        assert ">Newer</a>" in second

    def test_a_forged_page_link_starts_over(self, client, reviewer):
        publish(ClaimFactory(text="Only one."), reviewer=reviewer)
        page = client.get(reverse("public_index") + "?cursor=forged").content.decode()
        assert "This page link is not valid" in page and "Only one." in page

    def test_its_queries_do_not_grow_with_the_list(self, client, reviewer):
        publish(ClaimFactory(), reviewer=reviewer)
        one = count_queries(client, reverse("public_index"))
        for _ in range(25):
            publish(ClaimFactory(), reviewer=reviewer)
        # Two for the ETag (the newest publication, the rating scale), then drawing it: the
        # rating scale and one page of publications with their verdicts.
        assert count_queries(client, reverse("public_index")) == one == 4
