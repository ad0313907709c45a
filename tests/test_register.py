"""The register of sources and outlets: finding, adding and editing them, by role."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims.balance import RELIABILITY_WEIGHT, EvidenceBalance
from sources.models import Outlet, Reliability, Source
from tests.factories.claims import ClaimFactory
from tests.factories.sources import EvidenceFactory, OutletFactory, SourceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


class TestFindingSources:
    @pytest.fixture
    def register(self, db):
        reliable = OutletFactory(name="Reuters", domain="reuters.com", reliability="reliable")
        shaky = OutletFactory(
            name="Rumour Mill", domain="rumours.example", reliability="unreliable"
        )
        return {
            "briefing": SourceFactory(
                title="Pentagon briefing on troops", outlet=reliable, type="official"
            ),
            "report": SourceFactory(title="Troops seen near Kursk", outlet=reliable),
            "rumour": SourceFactory(title="Secret army revealed", outlet=shaky),
        }

    def titles(self, client, **query) -> set[str]:
        html = client.get(reverse("sources:list"), query).content.decode()
        return {t for t in ("Pentagon", "Kursk", "Secret army") if t in html}

    def test_search_matches_title_url_or_outlet(self, register, login, researcher):
        client = login(researcher)
        assert self.titles(client, q="troops") == {"Pentagon", "Kursk"}
        assert self.titles(client, q="rumour mill") == {"Secret army"}
        assert self.titles(client, q="rumours.example") == {"Secret army"}

    def test_filters_narrow_by_outlet_type_and_reliability(self, register, login, researcher):
        client = login(researcher)
        rumour_outlet = register["rumour"].outlet
        assert self.titles(client, outlet=rumour_outlet.name) == {"Secret army"}
        assert self.titles(client, outlet="RUMOURS.example") == {"Secret army"}
        assert self.titles(client, type="official") == {"Pentagon"}
        assert self.titles(client, reliability="reliable") == {"Pentagon", "Kursk"}
        assert self.titles(client, reliability="reliable", q="kursk") == {"Kursk"}

    def test_htmx_gets_only_the_list(self, register, login, researcher):
        html = login(researcher).get(reverse("sources:list"), {"q": "kursk"}, headers=HTMX)
        content = html.content.decode()
        assert content.strip().startswith('<div id="source-list">') and "Kursk" in content

    def test_no_match_says_so(self, register, login, researcher):
        html = login(researcher).get(reverse("sources:list"), {"q": "zebra"}).content.decode()
        assert "No source matches these filters." in html

    def test_paging_keeps_the_filters(self, login, researcher):
        SourceFactory.create_batch(51, title="Troops report")
        html = login(researcher).get(reverse("sources:list"), {"q": "troops"}).content.decode()
        assert "?q=troops&amp;cursor=" in html

    def test_the_source_page_lists_each_claim_it_bears_on(self, login, researcher):
        source = SourceFactory()
        supported = EvidenceFactory(source=source, stance="supports").claim
        contradicted = EvidenceFactory(source=source, stance="contradicts").claim
        html = login(researcher).get(source.get_absolute_url()).content.decode()
        assert supported.text in html and contradicted.text in html
        assert "Supports" in html and "Contradicts" in html


class TestAddingAndEditingSources:
    def test_a_researcher_adds_a_source_by_its_url(self, login, researcher):
        OutletFactory(name="BBC", domain="bbc.co.uk")
        response = login(researcher).post(
            reverse("sources:create"),
            {"url": "https://WWW.bbc.co.uk/news/world-123/?at_medium=RSS", "type": "news"},
        )
        source = Source.objects.get()
        assert response["Location"] == source.get_absolute_url()
        assert source.url == "https://www.bbc.co.uk/news/world-123"
        assert source.title == "bbc.co.uk/news/world-123", "a stand-in until fetched"
        assert source.outlet.name == "BBC" and source.added_by == researcher

    def test_a_known_document_is_refused_with_a_link_to_its_entry(self, login, researcher):
        SourceFactory(url="https://example.com/story", title="The story")
        response = login(researcher).post(
            reverse("sources:create"), {"url": "http://www.example.com/story/#x", "type": "news"}
        )
        assert "already in the register as “The story”" in response.content.decode()
        assert Source.objects.count() == 1

    @pytest.mark.parametrize(
        "url", ["javascript:alert(1)", "data:text/html,hi", "https://me:pw@example.com/"]
    )
    def test_unsafe_urls_are_refused_and_the_form_keeps_the_title(self, url, login, researcher):
        response = login(researcher).post(
            reverse("sources:create"), {"url": url, "title": "My title", "type": "news"}
        )
        html = response.content.decode()
        assert response.status_code == 200 and "My title" in html
        assert "Only http and https" in html or "user name or password" in html
        assert not Source.objects.exists()

    def test_a_researcher_edits_a_source_they_added(self, login, researcher):
        source = SourceFactory(added_by=researcher)
        data = {"url": source.url, "title": "Better title", "type": "news", "seen_version": 1}
        response = login(researcher).post(reverse("sources:edit", args=[source.pk]), data)
        assert response.status_code == 302
        source.refresh_from_db()
        assert (source.title, source.version) == ("Better title", 2)

    def test_a_researcher_may_not_edit_someone_elses_source(self, login, researcher, reviewer):
        source = SourceFactory(added_by=reviewer)
        data = {"url": source.url, "title": "Hijacked", "type": "news", "seen_version": 1}
        response = login(researcher).post(reverse("sources:edit", args=[source.pk]), data)
        assert response.status_code == 403
        source.refresh_from_db()
        assert source.title != "Hijacked"
        assert login(researcher).get(reverse("sources:edit", args=[source.pk])).status_code == 403

    def test_a_source_admin_edits_any_source_and_its_archive_url(self, login, source_admin):
        source = SourceFactory()
        data = {
            "url": source.url,
            "title": source.title,
            "type": "research",
            "archive_url": "https://web.archive.org/web/2024/https://example.com/",
            "seen_version": 1,
        }
        response = login(source_admin).post(reverse("sources:edit", args=[source.pk]), data)
        assert response.status_code == 302
        source.refresh_from_db()
        assert source.type == "research"
        assert source.archive_url.startswith("https://web.archive.org/web/2024/")

    def test_a_stale_source_edit_is_refused(self, login, source_admin, researcher):
        source = SourceFactory(added_by=researcher)
        url = reverse("sources:edit", args=[source.pk])
        base = {"url": source.url, "type": "news", "seen_version": 1}
        login(source_admin).post(url, {**base, "title": "First"})
        response = login(researcher).post(url, {**base, "title": "Second"})
        assert "Someone else changed this" in response.content.decode()
        source.refresh_from_db()
        assert source.title == "First"

    def test_outsiders_may_not_add_sources(self, login, outsider):
        response = login(outsider).post(reverse("sources:create"), {"url": "https://a.example/"})
        assert response.status_code == 403
        assert not Source.objects.exists()


class TestOutlets:
    def test_the_outlet_list_shows_reliability(self, login, researcher):
        OutletFactory(name="Reuters", reliability="reliable")
        html = login(researcher).get(reverse("sources:outlets")).content.decode()
        assert "Reuters" in html and "Generally reliable" in html
        assert "Add outlet" in html, "researchers add outlets, unrated"

    def test_the_outlet_list_offers_no_add_link_to_someone_without_a_role(self, login, outsider):
        outsider.user_permissions.add(Permission.objects.get(codename="view_outlet"))
        html = login(outsider).get(reverse("sources:outlets")).content.decode()
        assert "Add outlet" not in html

    def test_a_source_admin_rates_an_outlet(self, login, source_admin):
        outlet = OutletFactory(reliability="unrated")
        data = {
            "name": outlet.name,
            "domain": outlet.domain,
            "reliability": "no_consensus",
            "notes": "Owned by a party to the conflict.",
            "seen_version": 1,
        }
        response = login(source_admin).post(reverse("sources:outlet_edit", args=[outlet.pk]), data)
        assert response["Location"] == outlet.get_absolute_url()
        outlet.refresh_from_db()
        assert (outlet.reliability, outlet.notes) == ("no_consensus", data["notes"])

    def test_a_source_admin_adds_an_outlet(self, login, source_admin):
        data = {"name": "Meduza", "domain": "https://meduza.io", "reliability": "reliable"}
        response = login(source_admin).post(reverse("sources:outlet_create"), data)
        assert "without https://" in response.content.decode(), "a URL is not a domain"
        data["domain"] = "WWW.Meduza.io"
        login(source_admin).post(reverse("sources:outlet_create"), data)
        assert Outlet.objects.get().domain == "meduza.io"

    @pytest.mark.parametrize("role", ["researcher", "reviewer", "outsider"])
    def test_only_source_admins_edit_outlets(self, role, login, request):
        outlet = OutletFactory(reliability="reliable")
        user = request.getfixturevalue(role)
        data = {
            "name": "X",
            "domain": outlet.domain,
            "reliability": "deprecated",
            "seen_version": 1,
        }
        url = reverse("sources:outlet_edit", args=[outlet.pk])
        assert login(user).post(url, data).status_code == 403
        outlet.refresh_from_db()
        assert outlet.reliability == "reliable"

    def test_a_stale_outlet_edit_is_refused(self, login, source_admin):
        outlet = OutletFactory(reliability="reliable")
        url = reverse("sources:outlet_edit", args=[outlet.pk])
        base = {"name": outlet.name, "domain": outlet.domain, "seen_version": 1}
        login(source_admin).post(url, {**base, "reliability": "unreliable"})
        response = login(source_admin).post(url, {**base, "reliability": "deprecated"})
        assert "Someone else changed this" in response.content.decode()
        outlet.refresh_from_db()
        assert outlet.reliability == "unreliable"


class TestEvidenceBalance:
    def test_every_reliability_rating_has_a_weight(self):
        assert set(RELIABILITY_WEIGHT) == set(Reliability.values)

    @pytest.mark.parametrize(
        ("items", "label", "score"),
        [
            ([], "No evidence yet", None),
            ([("context", "reliable")], "No evidence either way", None),
            ([("supports", "deprecated")], "No evidence either way", None),
            ([("supports", "reliable")], "Leans supported", 1.0),
            ([("contradicts", None)], "Too little evidence", None),
            ([("contradicts", None), ("contradicts", "unrated")], "Leans contradicted", -1.0),
            ([("supports", "reliable"), ("contradicts", "reliable")], "Contested", 0.0),
            (
                [("supports", "unreliable"), ("contradicts", "reliable")],
                "Leans contradicted",
                -0.818,
            ),
            ([("supports", "reliable"), ("contradicts", "no_consensus")], "Contested", 0.333),
        ],
    )
    def test_the_balance_of_a_few_cases(self, items, label, score):
        balance = EvidenceBalance.of(items)
        assert balance.label == label
        assert balance.score == (None if score is None else pytest.approx(score, abs=0.001))

    def test_the_article_page_shows_each_claims_balance(self, login, researcher):
        from tests.factories.claims import MentionFactory

        mention = MentionFactory()
        EvidenceFactory(claim=mention.claim, stance="supports")
        EvidenceFactory(claim=mention.claim, stance="contradicts")
        other = MentionFactory(article=mention.article, start=25, length=10)
        html = login(researcher).get(mention.article.get_absolute_url()).content.decode()
        assert "Contested" in html and "1 supporting · 1 contradicting · 0 context" in html
        assert other.claim.text in html and "No evidence yet" in html

    def test_the_claim_list_shows_each_claims_balance(self, login, researcher):
        claim = ClaimFactory()
        EvidenceFactory(claim=claim, stance="contradicts")
        html = login(researcher).get(reverse("claims:list")).content.decode()
        assert "Leans contradicted" in html


class TestTheAdmin:
    def test_a_stale_outlet_edit_in_the_admin_is_refused(self, login, source_admin):
        outlet = OutletFactory(reliability="reliable")
        url = reverse("admin:sources_outlet_change", args=[outlet.pk])
        client = login(source_admin)
        form = client.get(url).content.decode()
        assert 'name="seen_version"' in form
        data = {
            "name": outlet.name,
            "domain": outlet.domain,
            "notes": "",
            "seen_version": 1,
            "sources-TOTAL_FORMS": 0,
            "sources-INITIAL_FORMS": 0,
        }
        assert client.post(url, {**data, "reliability": "unreliable"}).status_code == 302
        response = client.post(url, {**data, "reliability": "deprecated"})
        assert "Someone else changed this" in response.content.decode()
        outlet.refresh_from_db()
        assert (outlet.reliability, outlet.version) == ("unreliable", 2)
