"""A researcher attaches a new source to the demo's headline claim, twice, and finds one source;
the type-ahead suggests a source already in the register and says how the claim cites it."""

import re
import time

import pytest
from playwright.sync_api import expect

from sources import tasks
from sources.fetching import FetchError
from sources.models import Source

pytestmark = pytest.mark.django_db(transaction=True)

HEADLINE_CLAIM = "North Korean troops are actively fighting alongside Russian forces in Ukraine."
PASTED = "https://WWW.Example-News.com/world/2024/10/denial/?utm_source=twitter&fbclid=XyZ#comments"
RESPELLED = "http://example-news.com/world/2024/10/denial/?utm_medium=social"
STAND_IN_TITLE = "example-news.com/world/2024/10/denial"
AUSTIN = "Austin cannot confirm North Korean troops in Ukraine"  # a demo source


@pytest.fixture(autouse=True)
def offline_fetches(monkeypatch):
    """A pasted URL's details are fetched after it is added: here the internet is never asked."""

    def offline(url):
        raise FetchError("Browser tests do not fetch pages.")

    monkeypatch.setattr(tasks, "fetch_document", offline)


def add_evidence(page, source: str, stance: str, excerpt: str) -> float:
    """Fill the form and press the button; the seconds until the item shows under its stance."""
    page.get_by_label("Source", exact=True).fill(source)
    page.get_by_label(stance, exact=True).check()
    page.get_by_label("Excerpt").fill(excerpt)
    started = time.perf_counter()
    page.get_by_role("button", name="Add evidence").click()
    group = page.get_by_role("region", name=re.compile(f"^{GROUPS[stance]}"))
    expect(group.get_by_role("link", name=STAND_IN_TITLE)).to_be_visible()
    return time.perf_counter() - started


GROUPS = {"Contradicts": "Contradicting evidence", "Context": "Context"}


def test_a_researcher_adds_a_new_source_and_its_second_spelling_finds_it(page, demo, log_in):
    log_in("researcher")
    page.get_by_role("link", name="Claims", exact=True).click()
    page.get_by_role("link", name=HEADLINE_CLAIM).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE_CLAIM)
    sources_before = Source.objects.count()

    seconds = add_evidence(page, PASTED, "Contradicts", "No units were seen at the front.")
    print(f"\nevidence added and shown in {seconds:.2f} s")
    expect(page.get_by_text("Evidence added")).to_have_count(0)  # htmx: no page load
    contradicting = page.get_by_role("region", name=re.compile("^Contradicting evidence"))
    link = contradicting.get_by_role("link", name=STAND_IN_TITLE)
    first_href = link.get_attribute("href")

    add_evidence(page, RESPELLED, "Context", "The same report, read as background.")
    context = page.get_by_role("region", name=re.compile("^Context"))
    assert context.get_by_role("link", name=STAND_IN_TITLE).get_attribute("href") == first_href
    assert Source.objects.count() == sources_before + 1, "the second spelling is not a new source"

    # Adding it again with the same stance is refused, and what was typed stays.
    page.get_by_label("Source", exact=True).fill(RESPELLED)
    page.get_by_label("Context", exact=True).check()
    page.get_by_label("Note").fill("Typed before the mistake")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("alert")).to_contain_text("is already context evidence")
    expect(page.get_by_label("Note")).to_have_value("Typed before the mistake")

    context.get_by_role("link", name=STAND_IN_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STAND_IN_TITLE)
    claims = page.get_by_role("region", name="Claims this source bears on")
    expect(claims.get_by_role("link", name=HEADLINE_CLAIM)).to_have_count(2)
    expect(claims.get_by_text("Contradicts")).to_be_visible()


def test_the_type_ahead_suggests_a_known_source_and_says_it_is_cited_here(page, demo, log_in):
    log_in("researcher")
    page.get_by_role("link", name="Claims", exact=True).click()
    page.get_by_role("link", name=HEADLINE_CLAIM).click()
    # htmx listens for typing once the page has loaded; on a busy machine typing came first.
    page.wait_for_url(re.compile(r"/claims/\d+/$"), wait_until="load")
    source_field = page.get_by_label("Source", exact=True)

    source_field.fill("Austin cann")
    # A datalist (a listbox) is not drawn in the page, so its options are looked up hidden.
    suggestions = page.get_by_role("listbox", include_hidden=True)
    suggestion = suggestions.get_by_role("option", include_hidden=True)
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_have_text(re.compile("already cited here as contradicts"))
    picked = suggestion.get_attribute("value")
    assert picked.endswith(AUSTIN)

    # A later answer lands in the same list: the first did not replace the datalist.
    source_field.fill("preparing 10,000")
    expect(suggestion).to_have_text(re.compile("kyivindependent.com/north-korea-preparing"))

    # Picking a suggestion cites that source; the Austin report now gives context too.
    source_field.fill(picked)
    page.get_by_label("Context", exact=True).check()
    page.get_by_role("button", name="Add evidence").click()
    context = page.get_by_role("region", name=re.compile("^Context"))
    expect(context.get_by_role("link", name=AUSTIN)).to_be_visible()
    # The swapped-in form listens for typing once htmx has settled it; typing sooner is lost.
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    source_field.fill("Austin cann")
    expect(suggestion).to_have_text(re.compile("already cited here as context and contradicts"))
