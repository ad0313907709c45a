"""Evidence on the claim page: adding, editing and removing it, by role, with and without htmx."""

import datetime
import re
from http.server import BaseHTTPRequestHandler

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from claims.models import Evidence
from claims.templatetags.evidence import day_month_year, short_month_names
from sources.models import Source, SourceFetch
from tests.conftest import http_server
from tests.factories.claims import ClaimFactory, publish
from tests.factories.sources import EvidenceFactory, OutletFactory, SourceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
NEW_URL = "https://www.Kyivindependent.com/north-korea-troops/?utm_source=x&fbclid=abc#top"


@pytest.fixture
def claim(db):
    return ClaimFactory(text="North Korean troops are fighting in Ukraine.")


def add_url(claim) -> str:
    return reverse("claims:evidence_add", args=[claim.pk])


def evidence_data(**overrides) -> dict:
    return {
        "source": NEW_URL,
        "stance": "contradicts",
        "excerpt": "No North Korean units have been seen at the front.",
        "note": "Says the opposite a week later.",
        **overrides,
    }


class TestAddingEvidence:
    def test_a_pasted_new_url_adds_the_source_and_the_evidence_in_place(
        self, claim, login, researcher
    ):
        OutletFactory(name="The Kyiv Independent", domain="kyivindependent.com")
        response = login(researcher).post(add_url(claim), evidence_data(), headers=HTMX)
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#evidence"
        source = Source.objects.get()
        assert source.url == "https://www.kyivindependent.com/north-korea-troops"
        assert source.outlet.name == "The Kyiv Independent"
        assert source.added_by == researcher
        evidence = Evidence.objects.get()
        assert (evidence.claim, evidence.stance, evidence.added_by) == (
            claim,
            "contradicts",
            researcher,
        )
        html = response.content.decode()
        assert html.strip().startswith('<section id="evidence"'), "only the section is sent"
        contradicting = html.split('id="evidence-contradicts"')[1].split("</section>")[0]
        assert "kyivindependent.com/north-korea-troops" in contradicting
        assert "Generally reliable" in contradicting

    def test_another_spelling_of_a_known_url_reuses_its_source(self, claim, login, researcher):
        client = login(researcher)
        client.post(add_url(claim), evidence_data(), headers=HTMX)
        other_spelling = "http://kyivindependent.com/north-korea-troops?utm_medium=social"
        client.post(add_url(claim), evidence_data(source=other_spelling, stance="context"))
        assert Source.objects.count() == 1
        assert set(Evidence.objects.values_list("stance", flat=True)) == {"contradicts", "context"}

    def test_a_source_picked_from_the_type_ahead_is_used(self, claim, login, researcher):
        source = SourceFactory(title="Pentagon briefing")
        response = login(researcher).post(
            add_url(claim), evidence_data(source=f"#{source.pk} Pentagon briefing")
        )
        assert response.status_code == 302
        assert response["Location"].endswith(f"#evidence-{Evidence.objects.get().pk}")
        assert Evidence.objects.get().source == source

    def test_a_title_typed_in_full_finds_its_source(self, claim, login, researcher):
        source = SourceFactory(title="Pentagon briefing")
        login(researcher).post(add_url(claim), evidence_data(source="pentagon briefing"))
        assert Evidence.objects.get().source == source

    def test_without_javascript_the_form_redirects_to_the_claim(self, claim, login, researcher):
        client = login(researcher)
        response = client.post(add_url(claim), evidence_data())
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "Evidence added" in page

    @pytest.mark.parametrize(
        ("source", "message"),
        [
            ("not a url at all", "Pick a source from the list, or paste its URL."),
            ("https://user:secret@example.com/story", "user name or password"),
            ("data:text/html,<script>alert(1)</script>", "Only http and https"),
            ("javascript:alert(document.cookie)", "Only http and https"),
            ("ftp://files.example.com/report.pdf", "Only http and https"),
            ("https://exa mple.com/story", "not"),
            ("https://example.com:99999/", "port"),
            ("#999999 A source that was deleted", "no longer in the register"),
        ],
    )
    def test_bad_sources_are_refused_with_a_reason_and_nothing_is_stored(
        self, source, message, claim, login, researcher
    ):
        data = evidence_data(source=source)
        response = login(researcher).post(add_url(claim), data, headers=HTMX)
        html = response.content.decode()
        assert response.status_code == 200  # htmx swaps the section with the errors shown
        assert message in html
        assert not Source.objects.exists() and not Evidence.objects.exists()
        assert "No North Korean units have been seen at the front." in html, "typing is kept"
        assert re.search(r'value="contradicts"[^>]*checked', html), "the stance is kept"

    def test_the_same_source_and_stance_twice_is_refused(self, claim, login, researcher):
        existing = EvidenceFactory(claim=claim, stance="contradicts")
        response = login(researcher).post(
            add_url(claim), evidence_data(source=existing.source.url, note="Second try")
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "is already contradicting evidence for this claim" in html
        assert "Second try" in html
        assert Evidence.objects.count() == 1

    def test_a_megabyte_excerpt_is_refused_and_kept(self, claim, login, researcher):
        excerpt = "x" * 1_000_000
        response = login(researcher).post(add_url(claim), evidence_data(excerpt=excerpt))
        assert response.status_code == 400
        assert "Ensure this value has at most 5000 characters" in response.content.decode()
        assert not Source.objects.exists() and not Evidence.objects.exists()

    def test_a_missing_stance_is_refused(self, claim, login, researcher):
        response = login(researcher).post(add_url(claim), evidence_data(stance=""))
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()
        assert not Evidence.objects.exists()


class TestWhoMayAddEvidence:
    @pytest.mark.parametrize("role", ["researcher", "reviewer"])
    def test_researchers_and_reviewers_add_evidence(self, role, claim, login, request):
        user = request.getfixturevalue(role)
        assert login(user).post(add_url(claim), evidence_data()).status_code == 302
        assert Evidence.objects.get().added_by == user

    @pytest.mark.parametrize("role", ["source_admin", "outsider"])
    def test_roles_without_the_right_are_refused(self, role, claim, login, request):
        response = login(request.getfixturevalue(role)).post(add_url(claim), evidence_data())
        assert response.status_code == 403
        assert not Evidence.objects.exists()

    def test_anonymous_visitors_are_sent_to_log_in(self, claim, login):
        response = login(None).post(add_url(claim), evidence_data())
        assert response.status_code == 302 and response["Location"].startswith("/accounts/")
        assert not Evidence.objects.exists()

    def test_a_post_without_the_csrf_token_is_refused(self, claim, researcher):
        client = Client(enforce_csrf_checks=True)
        client.force_login(researcher)
        assert client.post(add_url(claim), evidence_data()).status_code == 403
        assert not Evidence.objects.exists()

    def test_the_add_form_is_shown_only_to_those_who_may_add(
        self, claim, login, researcher, source_admin
    ):
        assert "Add evidence" in login(researcher).get(claim.get_absolute_url()).content.decode()
        assert (
            "Add evidence" not in login(source_admin).get(claim.get_absolute_url()).content.decode()
        )

    def test_the_add_form_is_only_posted_to(self, claim, login, researcher):
        assert login(researcher).get(add_url(claim)).status_code == 405


class TestEditingEvidence:
    def test_htmx_opens_the_form_in_place(self, login, researcher):
        evidence = EvidenceFactory(excerpt="The first excerpt")
        url = reverse("claims:evidence_edit", args=[evidence.pk])
        response = login(researcher).get(url, headers=HTMX)
        html = response.content.decode()
        assert html.strip().startswith(f'<li id="evidence-{evidence.pk}"')
        assert "The first excerpt" in html and "<html" not in html

    def test_the_full_page_shows_the_form_without_javascript(self, login, researcher):
        evidence = EvidenceFactory()
        url = reverse("claims:evidence_edit", args=[evidence.pk])
        html = login(researcher).get(url).content.decode()
        assert "<h1>Edit evidence</h1>" in html and "Save evidence" in html

    def test_saving_moves_the_item_to_its_new_stance(self, login, researcher):
        evidence = EvidenceFactory(stance="supports")
        url = reverse("claims:evidence_edit", args=[evidence.pk])
        data = {"stance": "context", "excerpt": "Better excerpt", "note": "", "seen_version": 1}
        response = login(researcher).post(url, data, headers=HTMX)
        evidence.refresh_from_db()
        assert (evidence.stance, evidence.excerpt, evidence.version) == (
            "context",
            "Better excerpt",
            2,
        )
        context_group = response.content.decode().split('id="evidence-context"')[1]
        assert "Better excerpt" in context_group.split("</section>")[0]

    def test_a_stale_edit_is_refused_and_keeps_what_was_typed(self, login, researcher, reviewer):
        evidence = EvidenceFactory(excerpt="Original")
        url = reverse("claims:evidence_edit", args=[evidence.pk])
        first = {"stance": "supports", "excerpt": "Reviewer's fix", "note": "", "seen_version": 1}
        assert login(reviewer).post(url, first).status_code == 302
        second = {
            "stance": "supports",
            "excerpt": "Rosa's late edit",
            "note": "",
            "seen_version": 1,
        }
        response = login(researcher).post(url, second)
        assert response.status_code == 400
        html = response.content.decode()
        assert "Someone else changed this after you opened it" in html
        assert "Rosa&#x27;s late edit" in html
        evidence.refresh_from_db()
        assert evidence.excerpt == "Reviewer's fix"

    def test_a_stance_the_source_already_has_on_the_claim_is_refused(self, login, researcher):
        supporting = EvidenceFactory(stance="supports")
        context = EvidenceFactory(
            claim=supporting.claim, source=supporting.source, stance="context"
        )
        url = reverse("claims:evidence_edit", args=[context.pk])
        data = {"stance": "supports", "excerpt": "", "note": "", "seen_version": 1}
        response = login(researcher).post(url, data)
        assert "already evidence with that stance" in response.content.decode()
        context.refresh_from_db()
        assert context.stance == "context"

    @pytest.mark.parametrize("role", ["source_admin", "outsider"])
    def test_roles_without_the_right_may_not_edit(self, role, login, request):
        evidence = EvidenceFactory()
        url = reverse("claims:evidence_edit", args=[evidence.pk])
        data = {"stance": "context", "excerpt": "", "note": "", "seen_version": 1}
        assert login(request.getfixturevalue(role)).post(url, data).status_code == 403
        evidence.refresh_from_db()
        assert evidence.stance == "supports"


class TestRemovingEvidence:
    def test_a_researcher_removes_evidence_in_place(self, login, researcher):
        evidence = EvidenceFactory()
        url = reverse("claims:evidence_delete", args=[evidence.pk])
        response = login(researcher).post(url, {"seen_version": 1}, headers=HTMX)
        assert response["HX-Retarget"] == "#evidence"
        assert not Evidence.objects.exists()
        assert Source.objects.filter(pk=evidence.source_id).exists(), "the source stays"

    def test_without_javascript_removal_returns_to_the_claim(self, login, researcher):
        evidence = EvidenceFactory()
        url = reverse("claims:evidence_delete", args=[evidence.pk])
        response = login(researcher).post(url, {"seen_version": 1})
        assert response["Location"] == evidence.claim.get_absolute_url()

    def test_an_item_changed_since_the_page_was_opened_is_not_removed(
        self, login, researcher, reviewer
    ):
        evidence = EvidenceFactory(excerpt="Original")
        edit = reverse("claims:evidence_edit", args=[evidence.pk])
        data = {"stance": "supports", "excerpt": "Fixed", "note": "", "seen_version": 1}
        assert login(reviewer).post(edit, data).status_code == 302
        url = reverse("claims:evidence_delete", args=[evidence.pk])
        response = login(researcher).post(url, {"seen_version": 1})
        assert response.status_code == 409
        assert "Someone else changed this after you opened it" in response.content.decode()
        assert Evidence.objects.filter(pk=evidence.pk).exists()

    def test_a_removal_without_the_version_seen_is_refused(self, login, researcher):
        evidence = EvidenceFactory()
        url = reverse("claims:evidence_delete", args=[evidence.pk])
        response = login(researcher).post(url, {"seen_version": "abc"})
        assert response.status_code == 400
        assert "The form was incomplete" in response.content.decode()
        assert Evidence.objects.filter(pk=evidence.pk).exists()

    @pytest.mark.parametrize("role", ["source_admin", "outsider"])
    def test_roles_without_the_right_may_not_remove(self, role, login, request):
        evidence = EvidenceFactory()
        url = reverse("claims:evidence_delete", args=[evidence.pk])
        response = login(request.getfixturevalue(role)).post(url, {"seen_version": 1})
        assert response.status_code == 403
        assert Evidence.objects.exists()

    def test_removal_is_only_posted(self, login, researcher):
        evidence = EvidenceFactory()
        url = reverse("claims:evidence_delete", args=[evidence.pk])
        assert login(researcher).get(url).status_code == 405


class TestTheEvidenceSection:
    def test_items_show_outlet_reliability_timing_and_who_added_them(self, login, researcher):
        claim = ClaimFactory(claimed_on="2024-10-13")
        outlet = OutletFactory(name="Daily Rumour", reliability="unreliable")
        EvidenceFactory(
            claim=claim,
            source__outlet=outlet,
            source__published_on="2024-10-10",
            added_by=researcher,
        )
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert "Daily Rumour" in html and "Generally unreliable" in html
        assert "(3 days before the claim)" in html
        assert '<time datetime="2024-10-10">10 Oct 2024</time>' in html
        assert "added by rosa" in html

    @pytest.mark.parametrize("language", ["en-gb", "fr", "de"])
    def test_dates_are_shown_as_django_formats_them(self, language):
        days = [
            datetime.date(year, month, day)
            for year in (5, 2024)
            for month in range(1, 13)
            for day in (1, 9, 28)
        ]
        with translation.override(language):
            shown = day_month_year(short_month_names())
            assert [shown(day) for day in days] == [date_format(day, "j M Y") for day in days]

    def test_the_balance_weighs_each_side_by_reliability(self, login, researcher):
        claim = ClaimFactory()
        reliable = OutletFactory(reliability="reliable")
        unreliable = OutletFactory(reliability="unreliable")
        EvidenceFactory(claim=claim, stance="contradicts", source__outlet=reliable)
        EvidenceFactory(claim=claim, stance="supports", source__outlet=unreliable)
        EvidenceFactory(claim=claim, stance="context", source__outlet=reliable)
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert "Leans contradicted" in html
        assert "1 supporting · 1 contradicting · 1 context" in html
        # (0.1 - 1.0) / (0.1 + 1.0)
        assert "weighted balance -0.82" in html

    def test_adding_evidence_costs_the_same_queries_for_1_item_as_for_50(
        self, claim, login, researcher
    ):
        client = login(researcher)
        EvidenceFactory(claim=claim)

        def queries_to_add(url: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                response = client.post(add_url(claim), evidence_data(source=url), headers=HTMX)
            assert response.status_code == 200
            return len(queries)

        one = queries_to_add("https://one.example/a")
        EvidenceFactory.create_batch(48, claim=claim)
        assert queries_to_add("https://two.example/b") == one
        assert claim.evidence.count() == 51

    def test_editing_and_removing_cost_the_same_queries_for_1_item_as_for_50(
        self, claim, login, researcher
    ):
        client = login(researcher)

        def queries_for(evidence) -> int:
            edit = reverse("claims:evidence_edit", args=[evidence.pk])
            remove = reverse("claims:evidence_delete", args=[evidence.pk])
            data = {"stance": "context", "excerpt": "", "note": "", "seen_version": 1}
            with CaptureQueriesContext(connection) as queries:
                assert client.post(edit, data, headers=HTMX).status_code == 200
                assert client.post(remove, {"seen_version": 2}, headers=HTMX).status_code == 200
            return len(queries)

        one = queries_for(EvidenceFactory(claim=claim))
        EvidenceFactory.create_batch(49, claim=claim)
        assert queries_for(EvidenceFactory(claim=claim)) == one


def suggestions_url(claim) -> str:
    return reverse("claims:evidence_sources", args=[claim.pk])


class TestSourceTypeAhead:
    def test_the_input_swaps_its_own_datalist_not_the_form(self, claim, login, researcher):
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        (source_input,) = re.findall(r'<input[^>]*name="source"[^>]*>', html)
        assert f'hx-get="{suggestions_url(claim)}"' in source_input
        assert 'hx-target="#source-choices"' in source_input
        assert 'hx-swap="innerHTML"' in source_input
        assert 'hx-trigger="input changed delay:250ms"' in source_input
        assert 'list="source-choices"' in source_input
        assert '<datalist id="source-choices"></datalist>' in html

    def test_it_offers_sources_by_title_outlet_or_url(self, claim, login, researcher):
        by_title = SourceFactory(title="Ministry of Defence briefing")
        by_outlet = SourceFactory(outlet=OutletFactory(name="Ministry Watch"))
        by_url = SourceFactory(url="https://gov.example/ministry/report")
        SourceFactory(title="Unrelated")
        url = suggestions_url(claim)
        html = login(researcher).get(url, {"source": "ministry"}).content.decode()
        for source in (by_title, by_outlet, by_url):
            assert f'value="#{source.pk} ' in html
        assert "Unrelated" not in html

    def test_each_suggestion_names_its_title_and_outlet(self, claim, login, researcher):
        source = SourceFactory(
            title="Troops seen near Kursk", outlet=OutletFactory(name="Kyiv Daily")
        )
        html = login(researcher).get(suggestions_url(claim), {"source": "kursk"}).content
        option = html.decode().strip()
        assert option.startswith(f'<option value="#{source.pk} Troops seen near Kursk">')
        assert "Kyiv Daily ·" in option and "already cited" not in option

    def test_a_source_already_cited_on_this_claim_says_how(self, claim, login, researcher):
        cited = SourceFactory(title="Kursk report, first")
        EvidenceFactory(claim=claim, source=cited, stance="supports")
        EvidenceFactory(claim=claim, source=cited, stance="context")
        elsewhere = SourceFactory(title="Kursk report, second")
        EvidenceFactory(source=elsewhere, stance="contradicts")  # on another claim
        html = login(researcher).get(suggestions_url(claim), {"source": "kursk"}).content
        first, second = html.decode().strip().split("\n")
        assert first.startswith(f'<option value="#{cited.pk} ')
        assert "already cited here as context and supports" in first
        assert second.startswith(f'<option value="#{elsewhere.pk} ')
        assert "already cited" not in second

    def test_one_letter_or_a_picked_option_offers_nothing(self, claim, login, researcher):
        SourceFactory(title="M")
        client = login(researcher)
        assert b"<option" not in client.get(suggestions_url(claim), {"source": "m"}).content
        picked = {"source": "#1 Ministry of Defence briefing"}
        assert b"<option" not in client.get(suggestions_url(claim), picked).content

    def test_an_unknown_claim_is_not_found(self, login, researcher):
        url = reverse("claims:evidence_sources", args=[99999])
        assert login(researcher).get(url, {"source": "ministry"}).status_code == 404

    @pytest.mark.parametrize("role", ["researcher", "reviewer", "source_admin"])
    def test_every_desk_role_gets_suggestions(self, role, claim, login, request):
        SourceFactory(title="Ministry of Defence briefing")
        client = login(request.getfixturevalue(role))
        response = client.get(suggestions_url(claim), {"source": "ministry"})
        assert response.status_code == 200 and b"<option" in response.content

    def test_outsiders_are_refused(self, claim, login, outsider):
        assert login(outsider).get(suggestions_url(claim)).status_code == 403

    def test_anonymous_visitors_are_sent_to_log_in(self, claim, login):
        response = login(None).get(suggestions_url(claim), {"source": "ministry"})
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_suggestions_cost_the_same_queries_for_1_source_as_for_20(
        self, claim, login, researcher
    ):
        client = login(researcher)

        def queries_for_suggestions() -> int:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(suggestions_url(claim), {"source": "kursk"})
            assert response.status_code == 200
            return len(queries)

        EvidenceFactory(claim=claim, source__title="Kursk 0")
        one = queries_for_suggestions()
        for n in range(1, 20):
            EvidenceFactory(claim=claim, source__title=f"Kursk {n}", stance="context")
        assert queries_for_suggestions() == one


KURSK_REPORT = b"""<html><head><title>Troops seen near Kursk</title>
<meta property="article:published_time" content="2024-10-16T09:00:00Z"></head>
<body><article><h1>Troops seen near Kursk</h1>
<p>Satellite images show a column of vehicles moving towards the border on Tuesday.</p>
</article></body></html>"""


class KurskPage(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(KURSK_REPORT)))
        self.end_headers()
        self.wfile.write(KURSK_REPORT)

    def log_message(self, *args):
        pass


@pytest.fixture
def kursk_page(local_fetches_allowed):
    with http_server(KurskPage) as base:
        yield f"{base}/kursk"


class TestANewSourcesTitleAndType:
    def test_the_title_and_type_typed_are_the_new_sources(self, claim, login, researcher):
        data = evidence_data(title="  Pentagon briefing on Kursk ", type="official")
        response = login(researcher).post(add_url(claim), data, headers=HTMX)
        assert response.status_code == 200
        source = Source.objects.get()
        assert (source.title, source.type) == ("Pentagon briefing on Kursk", "official")
        assert "Pentagon briefing on Kursk" in response.content.decode()

    def test_without_them_the_source_is_a_news_report_called_by_host_and_path(
        self, claim, login, researcher
    ):
        response = login(researcher).post(add_url(claim), evidence_data(), headers=HTMX)
        source = Source.objects.get()
        assert source.type == "news"
        assert source.title == "kyivindependent.com/north-korea-troops"
        assert "https://" not in source.title
        item = response.content.decode().split(f'id="evidence-{Evidence.objects.get().pk}"')[1]
        assert ">kyivindependent.com/north-korea-troops</a>" in item
        # No worker ran in this test, so no fetch is waiting either.
        assert "(no title yet)" in item.split("</li>")[0]

    def test_a_source_picked_from_the_register_keeps_its_title_and_type(
        self, claim, login, researcher, django_capture_on_commit_callbacks
    ):
        source = SourceFactory(title="Pentagon briefing", type="official")
        data = evidence_data(source=f"#{source.pk} Pentagon briefing", title="Else", type="news")
        with django_capture_on_commit_callbacks(execute=True):
            assert login(researcher).post(add_url(claim), data).status_code == 302
        source.refresh_from_db()
        assert (source.title, source.type, source.version) == ("Pentagon briefing", "official", 1)
        assert not SourceFetch.objects.exists()

    def test_an_unknown_type_is_refused_and_what_was_typed_kept(self, claim, login, researcher):
        data = evidence_data(title="Kept title", type="rumour")
        response = login(researcher).post(add_url(claim), data)
        assert response.status_code == 400
        html = response.content.decode()
        assert "Select a valid choice. rumour is not one of the available choices." in html
        assert 'value="Kept title"' in html
        assert not Source.objects.exists()

    def test_the_form_has_labelled_title_and_type_fields(self, claim, login, researcher):
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert '<label for="id_title">Title</label>' in html
        assert '<label for="id_type">Type</label>' in html
        assert '<option value="official">Official statement</option>' in html


class TestFetchingANewSourcesDetails:
    def test_a_pasted_url_is_fetched_once_the_evidence_is_stored(
        self, claim, login, researcher, kursk_page, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = login(researcher).post(add_url(claim), evidence_data(source=kursk_page))
        assert response.status_code == 302 and len(callbacks) == 1
        fetch = SourceFetch.objects.get()
        assert (fetch.status, fetch.requested_by) == ("done", researcher), fetch.outcome
        source = Source.objects.get()
        assert source.title == "Troops seen near Kursk"
        assert str(source.published_on) == "2024-10-16"
        page = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert ">Troops seen near Kursk</a>" in page and "no title yet" not in page

    def test_a_title_typed_by_a_person_is_never_overwritten(
        self, claim, login, researcher, kursk_page, django_capture_on_commit_callbacks
    ):
        data = evidence_data(source=kursk_page, title="Kursk: what the images show")
        with django_capture_on_commit_callbacks(execute=True):
            login(researcher).post(add_url(claim), data)
        assert SourceFetch.objects.get().status == "done"
        source = Source.objects.get()
        assert source.title == "Kursk: what the images show"
        assert str(source.published_on) == "2024-10-16", "the empty date is still filled"

    def test_a_known_source_is_not_fetched_again(
        self, claim, login, researcher, django_capture_on_commit_callbacks
    ):
        source = SourceFactory()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            login(researcher).post(add_url(claim), evidence_data(source=source.url))
        assert Evidence.objects.get().source == source
        assert callbacks == [] and not SourceFetch.objects.exists()

    def test_a_refused_item_requests_no_fetch(
        self, claim, login, researcher, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = login(researcher).post(add_url(claim), evidence_data(stance="maybe"))
        assert response.status_code == 400
        assert callbacks == [] and not SourceFetch.objects.exists()

    def test_while_the_fetch_waits_the_item_says_its_title_is_being_fetched(
        self, claim, login, researcher
    ):
        evidence = EvidenceFactory(claim=claim, source__url="https://paper.example/kursk")
        source = evidence.source
        Source.objects.filter(pk=source.pk).update(title=Source.title_from_url(source.url))
        SourceFetch.objects.create(source=source, requested_by=researcher)
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        item = html.split(f'id="evidence-{evidence.pk}"')[1].split("</li>")[0]
        assert ">paper.example/kursk</a>" in item
        assert "(title being fetched)" in item

    def test_the_claim_page_costs_the_same_queries_with_waiting_fetches(
        self, claim, login, researcher
    ):
        client = login(researcher)

        def queries_for_page() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(claim.get_absolute_url()).status_code == 200
            return len(queries)

        SourceFetch.objects.create(source=EvidenceFactory(claim=claim).source)
        one = queries_for_page()
        for evidence in EvidenceFactory.create_batch(20, claim=claim):
            SourceFetch.objects.create(source=evidence.source)
        assert queries_for_page() == one


class TestTheEditSourceLink:
    @pytest.mark.parametrize(
        ("role", "shown"),
        [("source_admin", True), ("researcher", False), ("reviewer", False)],
    )
    def test_it_is_shown_to_those_who_may_edit_every_source(
        self, role, shown, claim, login, request
    ):
        evidence = EvidenceFactory(claim=claim)
        html = login(request.getfixturevalue(role)).get(claim.get_absolute_url()).content
        edit_link = f'href="{reverse("sources:edit", args=[evidence.source.pk])}"'
        assert (edit_link in html.decode()) is shown

    def test_the_researcher_who_added_a_source_may_edit_it_from_here(
        self, claim, login, researcher
    ):
        evidence = EvidenceFactory(claim=claim, source__added_by=researcher)
        client = login(researcher)
        html = client.get(claim.get_absolute_url()).content.decode()
        edit_url = reverse("sources:edit", args=[evidence.source.pk])
        assert f'href="{edit_url}" class="edit-source">Edit source</a>' in html
        assert client.get(edit_url).status_code == 200


class TestThePublicList:
    def test_the_public_page_lists_evidence_by_title_and_outlet(self, claim, login):
        outlet = OutletFactory(name="Kyiv Daily")
        EvidenceFactory(
            claim=claim,
            stance="contradicts",
            source__title="Troops seen near Kursk",
            source__url="https://kyivdaily.example/kursk",
            source__outlet=outlet,
        )
        publish(claim)
        html = login(None).get(reverse("public_claim", args=[claim.pk])).content.decode()
        assert 'rel="noopener noreferrer">Troops seen near Kursk</a>' in html
        assert '<span class="meta">Kyiv Daily' in html
        assert ">https://kyivdaily.example/kursk<" not in html
