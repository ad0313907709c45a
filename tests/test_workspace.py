"""The claim workspace and its colour language: verdict tones, the legend, the two columns."""

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from claims.models import TONES, Rating, tone_between
from tests.factories.claims import ClaimFactory, publish
from tests.factories.sources import EvidenceFactory
from tests.test_pages import count_queries

pytestmark = pytest.mark.django_db


class TestRatingTone:
    def test_every_step_of_the_default_scale_has_its_own_tone(self):
        tones = {rating.label: rating.tone for rating in Rating.objects.all()}
        assert tones == {
            "True": "true",
            "Mostly true": "mostly-true",
            "Partly true": "partly-true",
            "Misleading": "misleading",
            "Mostly false": "mostly-false",
            "False": "false",
            "Unverified": "unverified",
        }

    def test_a_label_naming_a_tone_needs_no_query(self, django_assert_num_queries):
        rating = Rating(label="Mostly False", position=90, value=None)
        with django_assert_num_queries(0):
            assert rating.tone == "mostly-false"

    def test_a_custom_label_is_placed_by_its_value_on_the_scale(self):
        Rating.objects.all().delete()
        for position, (label, value) in enumerate(
            [("Correct", 10), ("Half right", 5), ("Wrong", 0), ("Satire", None)], start=1
        ):
            Rating.objects.create(label=label, position=position, value=value)
        tones = {rating.label: rating.tone for rating in Rating.objects.all()}
        assert tones == {
            "Correct": "true",
            "Half right": "partly-true",  # halfway rounds towards the true end
            "Wrong": "false",
            "Satire": "unverified",
        }

    def test_values_are_banded_between_best_and_worst(self):
        assert [tone_between(v, best=6, worst=1) for v in range(6, 0, -1)] == [
            "true",
            "mostly-true",
            "partly-true",
            "misleading",
            "mostly-false",
            "false",
        ]
        assert tone_between(99, best=6, worst=1) == "true"  # off the scale: its nearest end
        assert tone_between(3, best=3, worst=3) == "unverified"  # one step is no scale
        assert tone_between(3, best=None, worst=None) == "unverified"


def position(html: str, text: str) -> int:
    found = html.find(text)
    assert found >= 0, f"{text!r} is not on the page"
    return found


class TestClaimWorkspace:
    def test_a_researchers_draft_offers_submitting_first_in_the_side_column(
        self, login, researcher
    ):
        claim = ClaimFactory()
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        main, side = html.split('<aside class="workspace-side" aria-label="Status and next step">')
        assert '<h1 id="claim-heading">' in main and 'id="evidence"' in main
        assert 'class="primary">Submit for review</button>' in side
        assert '<details class="other-steps"' not in side  # nothing else for a researcher

    def test_the_reviewer_in_review_sees_publish_before_returning(self, login, reviewer):
        claim = ClaimFactory(status="in_review", reviewer=reviewer)
        html = login(reviewer).get(claim.get_absolute_url()).content.decode()
        side = html.split('<aside class="workspace-side"')[1]
        publish = position(side, 'class="primary">Publish verdict</button>')
        others = position(side, '<details class="other-steps">')
        assert publish < others < position(side, ">Return to researcher</button>")

    def test_a_reviewer_who_may_not_publish_sees_the_other_steps_open(self, login, reviewer):
        claim = ClaimFactory(status="in_review", created_by=reviewer)  # four eyes: not theirs
        html = login(reviewer).get(claim.get_absolute_url()).content.decode()
        assert "Publish verdict</button>" not in html
        assert '<details class="other-steps" open>' in html
        assert "Four-eyes rule" in html

    def test_a_source_admin_reads_the_page_with_no_step_to_take(self, login, source_admin):
        claim = ClaimFactory(status="submitted")
        html = login(source_admin).get(claim.get_absolute_url()).content.decode()
        assert "Nothing waits for you on this claim." in html
        assert 'class="primary"' not in html

    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        claim = ClaimFactory()
        assert client.get(claim.get_absolute_url()).status_code == 302

    def test_the_history_comes_last_and_collapsed(self, login, researcher):
        claim = ClaimFactory()
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        history = position(html, '<section class="history-section"')
        assert position(html, "</aside>") < history
        assert html[history:].split(">", 2)[1].strip().startswith("<details")

    def test_the_history_is_not_drawn_until_it_is_opened(self, login, researcher):
        claim = ClaimFactory(text="Old words.", created_by=researcher)
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        section = html[position(html, '<section class="history-section"') :]
        history_url = reverse("claims:history", args=[claim.pk])
        # htmx asks for it on the first toggle; without JavaScript a link leads to it.
        assert f'hx-get="{history_url}" hx-trigger="toggle once"' in section
        assert f'<a href="{history_url}">Show every change to this claim</a>' in section
        assert "created the claim" not in html

    def test_the_history_has_its_own_page(self, login, researcher):
        claim = ClaimFactory(text="Old words.", created_by=researcher)
        response = login(researcher).get(reverse("claims:history", args=[claim.pk]))
        html = response.content.decode()
        assert "<html" in html and "<h1>History of “Old words.”</h1>" in html
        assert f'<a href="{claim.get_absolute_url()}">Back to the claim</a>' in html

    def test_htmx_gets_only_the_history_when_it_is_opened(self, login, researcher):
        claim = ClaimFactory(created_by=researcher)
        response = login(researcher).get(
            reverse("claims:history", args=[claim.pk]), headers={"HX-Request": "true"}
        )
        html = response.content.decode().strip()
        assert html.startswith('<div id="history">') and "<html" not in html
        assert "created the claim</li>" in html

    def test_someone_with_no_role_may_not_read_the_history(self, login, outsider):
        claim = ClaimFactory()
        response = login(outsider).get(reverse("claims:history", args=[claim.pk]))
        assert response.status_code == 403

    def test_the_verdict_and_balance_sit_beside_the_evidence(self, login, researcher):
        claim = publish(ClaimFactory(), rating="Misleading")
        EvidenceFactory(claim=claim, stance="supports")
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        side = html.split('<aside class="workspace-side"')[1]
        assert '<span class="verdict verdict-misleading">Misleading</span>' in side
        assert '<span class="badge status-published">Published</span>' in side
        assert 'id="side-balance"' in side and "1 supporting" in side
        assert 'class="legend"' in side

    def test_its_queries_do_not_grow_with_the_evidence(self, login, reviewer):
        client = login(reviewer)
        claim = ClaimFactory(status="in_review", rating=Rating.objects.get(label="Misleading"))
        EvidenceFactory(claim=claim)
        one = count_queries(client, claim.get_absolute_url())
        EvidenceFactory.create_batch(30, claim=claim)
        assert count_queries(client, claim.get_absolute_url()) == one


class TestColourLanguage:
    def test_the_claim_list_shows_each_verdict_in_its_tone_beside_its_status(
        self, login, researcher
    ):
        publish(ClaimFactory(), rating="Mostly true")
        html = login(researcher).get(reverse("claims:list")).content.decode()
        assert re.search(r'class="verdict verdict-mostly-true"[^>]*>Mostly true</a>', html)
        assert 'class="badge status-published"' in html
        assert '<details class="legend">' in html

    def test_the_list_collapses_into_labelled_cards_on_a_phone(self, login, researcher):
        ClaimFactory()
        html = login(researcher).get(reverse("claims:list")).content.decode()
        assert '<table class="cards">' in html
        for column in ("Claimant", "Status", "Verdict", "Mentions", "Evidence", "Balance"):
            assert f'<td data-label="{column}">' in html

    def test_the_legend_names_every_tone_and_status(self):
        html = render_to_string("includes/legend.html")
        for tone in TONES:
            assert f'class="verdict verdict-{tone}"' in html
        for status in ("draft", "submitted", "in_review", "published"):
            assert f'class="badge status-{status}"' in html

    def test_every_tone_has_a_colour_rule(self):
        css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
        for tone in TONES:
            assert f".verdict-{tone} {{" in css

    def test_the_dashboard_shows_verdicts_in_their_tones(self, login, researcher):
        html = login(researcher).get(reverse("home")).content.decode()
        assert '<span class="verdict verdict-false">False</span>' in html


class TestLandmarks:
    def test_the_two_search_forms_have_different_names(self, login, researcher):
        html = login(researcher).get(reverse("search") + "?q=x").content.decode()
        labels = re.findall(r'role="search" aria-label="([^"]+)"', html)
        assert len(labels) == 2 and len(set(labels)) == 2

    def test_the_chart_scales_and_labels_every_other_week(self, login, researcher):
        html = login(researcher).get(reverse("home")).content.decode()
        svg = html.split('<svg class="chart"')[1].split("</svg>")[0]
        assert 'width="' not in svg.split(">")[0]  # sized by its viewBox and the stylesheet
        assert svg.count("<rect") == 12 and svg.count("<text") == 6
