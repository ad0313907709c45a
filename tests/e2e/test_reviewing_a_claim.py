"""A claim goes from the researcher through the reviewer's queue to a public ClaimReview."""

import json
import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM = "The United States has hesitated to let Ukraine strike deep into Russian territory."
RATIONALE = "Washington had allowed some strikes by then; see https://example.org/briefing"


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def test_a_claim_is_submitted_reviewed_published_and_read_in_public(page, demo, log_in):
    log_in("researcher")
    page.get_by_role("link", name="My claims").click()
    page.get_by_role("link", name=CLAIM).click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submit for review: done.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish verdict")).to_have_count(0)

    # A forged publish from the researcher's own session is refused.
    claim = Claim.objects.get(text=CLAIM)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    forged = page.request.post(
        f"/claims/{claim.pk}/publish/",
        form={"rating": "4", "rationale": "Forged", "as_of": "2024-10-20", "seen_version": "2"},
        headers={"X-CSRFToken": csrf, "Referer": page.url},
    )
    assert forged.status == 403
    log_out(page)

    log_in("reviewer")
    page.get_by_role("link", name="Review queue").click()
    submitted = page.get_by_role("region", name=re.compile("^Submitted"))
    submitted.get_by_role("link", name=CLAIM).click()
    page.get_by_role("button", name="Start review").click()
    page.get_by_label("Verdict").select_option(label="Misleading")
    page.get_by_label("Rationale").fill(RATIONALE)
    page.get_by_role("button", name="Publish verdict").click()
    # The claim has no evidence: publishing on the rationale alone must be said out loud.
    expect(page.get_by_role("alert").first).to_contain_text("This claim has no evidence")
    expect(page.get_by_label("Rationale")).to_have_value(RATIONALE)
    page.get_by_label("Publish without evidence").check()
    page.get_by_role("button", name="Publish verdict").click()
    expect(page.get_by_text("Verdict published.")).to_be_visible()
    history = page.get_by_role("region", name="History")
    history.get_by_role("heading", name="History").click()  # drawn when opened
    expect(history).to_contain_text("researcher Submitted for review")
    expect(history).to_contain_text("reviewer Published verdict: Misleading")
    public_url = page.get_by_role("link", name="Public page").get_attribute("href")
    log_out(page)

    page.goto(public_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(CLAIM)
    expect(page.get_by_text("Misleading", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="https://example.org/briefing")).to_be_visible()
    review = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert review["@type"] == "ClaimReview" and review["claimReviewed"] == CLAIM
    assert review["reviewRating"]["alternateName"] == "Misleading"
    assert review["itemReviewed"]["author"]["name"] == "DailyBuzzReports"
