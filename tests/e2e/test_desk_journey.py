"""The desk's daily loop, counted: from a pasted article to a published fact-check.

A researcher pastes an article, tags one claim, adds two sources (one by pasting its URL, one
picked from the type-ahead) and submits; a reviewer publishes a verdict; the public page shows it.
Every page load, click and filled field is counted, and the whole loop must stay within the
bounds below: the desk's time goes into judgement, not into mechanics.
"""

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect

from tests.conftest import add_to_run_note
from tests.e2e.test_tagging_a_claim import select_text

pytestmark = pytest.mark.django_db(transaction=True)

MOST_PAGE_LOADS = 12
MOST_ACTIONS = 30  # clicks plus fields filled

ARTICLE = """Harbour ferry fares to rise by a third in spring

The harbour ferry company said on Monday that single fares will rise from £3.00 to £4.00 in April.
Ferry fares have doubled since 2020, the transport minister told the council.
Passengers' groups said the rise would hit commuters hardest."""
CLAIM_WORDS = "Ferry fares have doubled since 2020, the transport minister told the council."
CLAIM_SENTENCE = "Ferry fares have doubled since 2020, the transport minister told the council."
PASTED_URL = "https://example.org/harbour/fares-2020-2024"


@dataclass
class Tally:
    """What a person did: pages loaded, clicks made, fields filled, by who did them."""

    loads: int = 0
    clicks: int = 0
    fields: int = 0
    steps: list[str] = field(default_factory=list)

    def click(self, locator, why: str) -> None:
        self.clicks += 1
        self.steps.append(f"click: {why}")
        locator.click()

    def fill(self, locator, value: str, why: str) -> None:
        self.fields += 1
        self.steps.append(f"field: {why}")
        locator.fill(value)

    def type(self, locator, value: str, why: str) -> None:
        """Key by key, as a person types into a type-ahead."""
        self.fields += 1
        self.steps.append(f"field: {why}")
        locator.press_sequentially(value, delay=20)

    def select(self, locator, label: str, why: str) -> None:
        self.fields += 1
        self.steps.append(f"field: {why}")
        locator.select_option(label=label)

    @property
    def actions(self) -> int:
        return self.clicks + self.fields


def sign_in(page, tally: Tally, username: str) -> None:
    tally.fill(page.get_by_label("Username"), username, "username")
    tally.fill(page.get_by_label("Password"), "demo", "password")
    tally.click(page.get_by_role("button", name="Log in"), "log in")
    page.get_by_role("heading", name="Dashboard").wait_for()


def test_from_a_pasted_article_to_a_published_fact_check(page, demo, pytestconfig):
    tally = Tally()

    def loaded(_page):
        tally.loads += 1
        tally.steps.append(f"load: {page.url}")

    page.on("load", loaded)

    # The researcher.
    page.goto("/")
    page.get_by_label("Username").wait_for()
    sign_in(page, tally, "researcher")
    tally.click(page.get_by_role("link", name="Add article").first, "add an article")
    tally.fill(page.get_by_label("Text"), ARTICLE, "paste the article")
    tally.click(page.get_by_role("button", name="Add article"), "save the article")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Harbour ferry fares to rise by a third in spring"
    )

    select_text(page, CLAIM_WORDS)
    tally.clicks += 1  # the drag that selects the passage
    tally.steps.append("click: select the passage")
    tally.click(page.get_by_role("button", name="Tag claim"), "tag claim")
    expect(page.get_by_label("Claim", exact=True)).to_have_value(CLAIM_SENTENCE)
    tally.fill(page.get_by_label("Claimant"), "Transport minister", "claimant")
    tally.click(page.get_by_role("button", name="Save and add evidence"), "save, go to evidence")
    expect(page.get_by_role("heading", level=1)).to_have_text(CLAIM_SENTENCE)

    # First source: a URL pasted in; its details are fetched in the background.
    evidence = page.locator("form.evidence-form")
    tally.fill(evidence.get_by_label("Source"), PASTED_URL, "paste a source URL")
    tally.click(evidence.get_by_label("Contradicts"), "stance")
    tally.fill(evidence.get_by_label("Excerpt"), "Fares rose from £2.40 in 2020.", "excerpt")
    tally.click(evidence.get_by_role("button", name="Add evidence"), "add evidence")
    expect(page.locator("#evidence")).to_contain_text("example.org")

    # Second source: one the register already holds, found by typing part of its title.
    evidence = page.locator("form.evidence-form")
    tally.type(evidence.get_by_label("Source"), "Kremlin calls", "type part of a source's title")
    suggestion = page.locator("#source-choices option").first
    expect(suggestion).to_have_count(1)
    # Picking a suggestion from the list is one click; the browser writes its value in.
    tally.clicks += 1
    tally.steps.append("click: pick the suggested source")
    evidence.get_by_label("Source").fill(suggestion.get_attribute("value"))
    tally.click(evidence.get_by_label("Supports"), "stance")
    tally.fill(evidence.get_by_label("Excerpt"), "Fares have risen every year.", "excerpt")
    tally.click(evidence.get_by_role("button", name="Add evidence"), "add evidence")
    expect(page.locator("#evidence .evidence li")).to_have_count(2)

    tally.click(page.get_by_role("button", name="Submit for review"), "submit for review")
    expect(page.locator(".status-submitted").first).to_be_visible()
    tally.click(page.get_by_role("button", name="Log out"), "log out")

    # The reviewer, told on the dashboard.
    sign_in(page, tally, "reviewer")
    desk = page.get_by_role("region", name="Your desk")
    tally.click(desk.get_by_role("button", name=CLAIM_SENTENCE), "open the claim handed over")
    tally.click(page.get_by_role("button", name="Start review"), "start the review")
    tally.select(page.get_by_label("Verdict", exact=True), "Mostly false", "verdict")
    tally.fill(
        page.get_by_label("Rationale"),
        "Fares rose from £2.40 to £3.00 since 2020: a quarter, not double.",
        "rationale",
    )
    tally.click(page.get_by_role("button", name="Publish verdict"), "publish")
    tally.click(page.get_by_role("link", name="Public page"), "open the public page")
    expect(page.locator(".verdict")).to_contain_text("Mostly false")
    expect(page.get_by_role("heading", level=1)).to_have_text(CLAIM_SENTENCE)

    add_to_run_note(
        pytestconfig,
        "desk journey",
        "Desk journey: {loads} page loads, {clicks} clicks, {fields} fields ({actions} actions)",
        loads=tally.loads,
        clicks=tally.clicks,
        fields=tally.fields,
        actions=tally.actions,
    )
    assert tally.loads <= MOST_PAGE_LOADS, "\n".join(tally.steps)
    assert tally.actions <= MOST_ACTIONS, "\n".join(tally.steps)
    assert re.search(r"/public/claims/\d+/$", page.url)
