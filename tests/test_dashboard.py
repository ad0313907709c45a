"""The dashboard, the home page after logging in: its numbers checked against known rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import actions
from claims.models import Claim, Rating
from tests.factories.claims import ClaimFactory
from tests.factories.derived import rederived_once
from tests.factories.sources import EvidenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(db, reviewer):
    ClaimFactory.create_batch(3, status="draft")
    waiting = ClaimFactory.create_batch(2, status="submitted")
    Claim.objects.filter(pk=waiting[0].pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=3)
    )
    ClaimFactory(status="in_review", reviewer=reviewer)
    false, misleading = Rating.objects.get(label="False"), Rating.objects.get(label="Misleading")
    for rating in (false, false, misleading):
        ClaimFactory(status="published", rating=rating, reviewer=reviewer)
    contested = ClaimFactory(text="Both ways.")
    EvidenceFactory(claim=contested, stance="supports")
    EvidenceFactory(claim=contested, stance="contradicts")
    old = ClaimFactory(text="Tagged long ago.")
    Claim.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(weeks=30))


def numbers(html: str, heading: str) -> dict[str, str]:
    import re

    section = html.split(f">{heading}</h2>")[1].split("</section>")[0]
    # A verdict's name sits in its coloured badge: read the row's text, not its markup.
    rows = re.findall(r'<th scope="row">(.+?)</th><td>(\d+)</td>', section)
    return {re.sub(r"<[^>]+>", "", name): count for name, count in rows}


def test_it_counts_claims_by_status_and_verdict(known, login, researcher):
    html = login(researcher).get(reverse("home")).content.decode()
    assert numbers(html, "Claims by status") == {
        "Draft": "5",
        "Submitted": "2",
        "In review": "1",
        "Published": "3",
    }
    verdicts = numbers(html, "Published verdicts")
    assert (verdicts["False"], verdicts["Misleading"], verdicts["True"]) == ("2", "1", "0")


def test_it_shows_the_queue_its_age_and_contested_claims(known, login, researcher):
    html = login(researcher).get(reverse("home")).content.decode()
    assert '<strong class="big">2</strong> waiting, the oldest for 3' in html
    contested = html.split(">Contested claims</h2>")[1].split("</section>")[0]
    assert "Both ways." in contested and "1 for · 1 against" in contested


def test_the_chart_has_a_bar_per_week_counting_recent_claims(known, login, researcher):
    response = login(researcher).get(reverse("home"))
    bars = response.context["chart"]["bars"]
    assert len(bars) == 12
    assert bars[-1]["value"] == Claim.objects.count() - 1, "all but the one from 30 weeks ago"
    assert max(bar["height"] for bar in bars) == 120


def test_recent_activity_names_who_did_what(login, researcher):
    claim = ClaimFactory(created_by=researcher)
    actions.submit_for_review(claim, by=researcher)
    html = login(researcher).get(reverse("home")).content.decode()
    recent = html.split(">Recent activity</h2>")[1]
    assert "<strong>rosa</strong> Submitted for review" in recent


def test_its_queries_do_not_grow_with_the_data(login, researcher, reviewer):
    client = login(researcher)

    def queries():
        from django.core.cache import cache

        cache.clear()  # count the queries that compute the numbers, not a cached copy
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    ClaimFactory()
    one = queries()
    with rederived_once():
        for claim in ClaimFactory.create_batch(60):
            EvidenceFactory(claim=claim, stance="supports")
            EvidenceFactory(claim=claim, stance="contradicts")
    assert queries() == one


@pytest.mark.parametrize("role", ["researcher", "reviewer", "source_admin"])
def test_every_role_sees_it(role, login, request):
    assert login(request.getfixturevalue(role)).get(reverse("home")).status_code == 200


def test_outsiders_are_refused_and_visitors_sent_to_log_in(login, outsider):
    assert login(outsider).get(reverse("home")).status_code == 403
    assert login(None).get(reverse("home"))["Location"].startswith(reverse("login"))


def test_the_counts_are_computed_at_most_once_a_minute(known, login, researcher):
    client = login(researcher)
    first = numbers(client.get(reverse("home")).content.decode(), "Claims by status")
    ClaimFactory.create_batch(4, status="draft")
    again = numbers(client.get(reverse("home")).content.decode(), "Claims by status")
    assert again == first, "served from the cache"
    from django.core.cache import cache

    cache.clear()
    fresh = numbers(client.get(reverse("home")).content.decode(), "Claims by status")
    assert fresh["Draft"] == str(int(first["Draft"]) + 4)
