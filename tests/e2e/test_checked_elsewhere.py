"""A source admin imports another organisation's fact-checks through the page, a bad file is
refused with nothing stored, and a researcher links a claim to a check: "checked elsewhere"."""

import json

import pytest
from playwright.sync_api import expect

from sources.models import ExternalFactCheck

pytestmark = pytest.mark.django_db(transaction=True)

HEADLINE_CLAIM = "North Korean troops are actively fighting alongside Russian forces in Ukraine."
REVIEW_URL = "https://checker.example/checks/troops"
FEED = [
    {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": REVIEW_URL,
        "claimReviewed": "North Korean soldiers are fighting for Russia in Ukraine.",
        "reviewRating": {"@type": "Rating", "alternateName": "True"},
        "author": {"@type": "Organization", "name": "Example Checker"},
        "datePublished": "2024-11-05",
    },
    {"@type": "ClaimReview", "url": "https://checker.example/checks/empty"},
]


def upload(page, name: str, content: bytes) -> None:
    page.goto("/sources/fact-checks/import/")
    page.get_by_label("File").set_input_files(
        {"name": name, "mimeType": "application/json", "buffer": content}
    )
    page.get_by_role("button", name="Import").click()


def test_an_import_through_the_page_then_a_link_from_the_claim(page, demo, log_in):
    log_in("admin")
    upload(page, "not-json.json", b"<html>not a feed</html>")
    expect(page.get_by_role("alert").first).to_be_visible()
    assert ExternalFactCheck.objects.count() == 0

    upload(page, "checks.json", json.dumps(FEED).encode())
    report = page.get_by_role("region", name="Import report")
    expect(report).to_contain_text("1 taken, 0 updated, 0 unchanged, 0 skipped, 1 refused")
    expect(report.get_by_role("listitem")).to_contain_text("claimReviewed")
    assert ExternalFactCheck.objects.count() == 1

    page.get_by_role("button", name="Log out").click()
    log_in("researcher")
    page.get_by_role("link", name="Claims", exact=True).click()
    page.get_by_role("link", name=HEADLINE_CLAIM).click()
    page.get_by_label("External fact-check").fill(REVIEW_URL)
    page.get_by_role("button", name="Link", exact=True).click()
    elsewhere = page.get_by_role("region", name="Checked elsewhere")
    expect(elsewhere).to_contain_text("Checked by Example Checker as True")
    expect(elsewhere.get_by_role("link", name="Read it")).to_have_attribute("href", REVIEW_URL)
