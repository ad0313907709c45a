"""A researcher tags a claim without a mouse: Tab to the text, arrows to a sentence, t, type."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

LAST_SENTENCE = re.compile(r"^Zelensky also praised Ukrainian defenders .* fear of escalation\.$")
CLAIM = "Zelensky asked allies for permission to strike deep into Russian territory."


def open_the_demo_article(page, log_in) -> None:
    log_in("researcher")
    page.get_by_role("link", name="Articles", exact=True).click()
    page.get_by_role("link", name=re.compile("^Zelensky Confirms")).click()
    page.wait_for_load_state()  # the reader's script listens only once the page has loaded


def tab_to(page, locator, most: int = 60) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError("Tab never reached the element")


def selected_text(page) -> str:
    return page.evaluate("() => window.getSelection().toString()")


def test_a_researcher_tags_a_sentence_with_the_keyboard_alone(page, demo, log_in):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_the_demo_article(page, log_in)
    text = page.get_by_role("article", name="Article text")
    expect(page.get_by_text("Keyboard: focus the article text")).to_be_visible()

    tab_to(page, text)
    page.keyboard.press("ArrowUp")  # from nothing selected: the last sentence
    page.keyboard.press("ArrowUp")
    assert selected_text(page).startswith("When Vladimir Putin visited Pyongyang")
    page.keyboard.press("ArrowDown")
    assert LAST_SENTENCE.match(selected_text(page))
    expect(page.get_by_role("status").filter(has_text="Selected:")).to_contain_text(
        "Press t to tag it."
    )

    page.keyboard.press("t")
    claim_field = page.get_by_label("Claim", exact=True)
    expect(claim_field).to_be_focused()
    expect(claim_field).to_have_value(LAST_SENTENCE)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(CLAIM)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Claimant")).to_be_focused()
    page.keyboard.type("Volodymyr Zelensky")
    page.keyboard.press("Enter")

    # The sentence holds an earlier mention, so the new one is drawn as the runs around it.
    marks = page.locator("article mark", has=page.get_by_title(CLAIM))
    expect(marks.first).to_contain_text("Zelensky also praised Ukrainian defenders")
    expect(page.get_by_role("complementary")).to_contain_text(CLAIM)
    expect(text).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="Claim tagged.")).to_be_visible()
    assert errors == []


def test_t_without_a_selection_says_what_to_do_and_escape_closes_the_form(page, demo, log_in):
    open_the_demo_article(page, log_in)
    text = page.get_by_role("article", name="Article text")
    tab_to(page, text)
    page.keyboard.press("t")
    expect(page.get_by_role("status")).to_have_text(re.compile("^Select a passage first"))
    expect(page.get_by_label("Claim", exact=True)).to_have_count(0)

    page.keyboard.press("ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    assert selected_text(page).startswith("Zelensky Confirms North Korean Soldiers")
    assert "DailyBuzzReports" in selected_text(page)
    page.keyboard.press("t")
    expect(page.get_by_label("Claim", exact=True)).to_be_focused()
    # Focus left the text, but the passage being tagged stays highlighted.
    assert page.evaluate("() => CSS.highlights.has('pending-tag')")
    page.keyboard.press("Escape")
    expect(page.get_by_label("Claim", exact=True)).to_have_count(0)
    assert not page.evaluate("() => CSS.highlights.has('pending-tag')")
    expect(text).to_be_focused()
    # The passage is still selected: t opens the form for it again.
    assert "DailyBuzzReports" in selected_text(page)
