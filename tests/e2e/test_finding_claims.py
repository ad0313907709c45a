"""A researcher finds claims: the dashboard, filters in the URL, quick links and search."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

CONTESTED = "A Ukrainian strike in occupied Donetsk killed several North Korean"


def rows(page):
    return page.locator("#claim-list tbody tr")


def test_a_researcher_filters_the_claims_and_searches(page, demo, log_in):
    log_in("researcher")
    expect(page.get_by_role("region", name="Contested claims")).to_contain_text(CONTESTED)

    page.get_by_role("link", name="Claims", exact=True).click()
    expect(rows(page)).to_have_count(6)

    # A filter field updates the list in place (htmx) and the address, so it can be shared.
    page.get_by_label("Status").select_option(label="Submitted")
    expect(page).to_have_url(re.compile(r"status=submitted"))
    expect(rows(page)).to_have_count(2)
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"status="))
    expect(rows(page)).to_have_count(6)

    # Quick filters and a row's own status are links to the filtered list.
    page.get_by_role("navigation", name="Quick filters").get_by_role(
        "link", name="Contested"
    ).click()
    expect(page).to_have_url(re.compile(r"contested=on"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text(CONTESTED)
    rows(page).get_by_role("link", name="Submitted").click()
    expect(page).to_have_url(re.compile(r"\?contested=on&status=submitted$"))
    expect(rows(page)).to_have_count(1)

    # One box searches everything; the words are marked in each snippet.
    search = page.get_by_role("search").get_by_label("Search")
    search.fill("Donetsk strike")
    search.press("Enter")
    claims = page.get_by_role("region", name=re.compile("^Claims"))
    expect(claims.locator("mark").first).to_be_visible()
    claims.get_by_role("link", name=re.compile("^A Ukrainian strike")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CONTESTED)
