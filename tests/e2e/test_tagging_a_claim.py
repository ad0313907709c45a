"""A researcher pastes the seed article, selects the headline claim in the body and tags it."""

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM_WORDS = "North Korean troops are now actively fighting alongside Russian forces in Ukraine"


def select_text(page, words: str) -> None:
    """Select the first occurrence of words inside the article, as a mouse drag would."""
    page.wait_for_load_state()  # the reader's script listens only once the page has loaded
    page.evaluate(
        """(words) => {
            const article = document.querySelector("article");
            const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(words);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + words.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return;
                }
            }
            throw new Error("words not found: " + words);
        }""",
        words,
    )


def test_a_researcher_tags_the_headline_claim_in_the_seed_article(page, demo, log_in, seed_article):
    log_in("researcher")
    page.get_by_role("link", name="Articles", exact=True).click()
    page.get_by_role("link", name="New article").click()
    page.get_by_label("Title").fill("North Korean Troops Confirmed Fighting (seed)")
    page.get_by_label("Text").fill(seed_article)
    page.get_by_role("button", name="Add article").click()
    expect(page.get_by_text("Article added.")).to_be_visible()

    select_text(page, CLAIM_WORDS)
    started = time.perf_counter()
    page.get_by_role("button", name="Tag claim").click()
    claim_field = page.get_by_label("Claim", exact=True)
    # The selected words, suggested as a sentence; the field has the focus, ready to edit.
    expect(claim_field).to_have_value(CLAIM_WORDS + ".")
    expect(claim_field).to_be_focused()
    claim_field.fill("North Korean troops are fighting alongside Russian forces in Ukraine.")
    page.get_by_label("Claimant").fill("Volodymyr Zelensky")
    page.get_by_label("Claim date").fill("2024-10-13")
    page.get_by_role("button", name="Save claim").click()

    mark = page.locator("article mark", has_text=CLAIM_WORDS)
    expect(mark).to_have_count(1)
    print(f"tagging: Tag claim pressed to rendered mark in {time.perf_counter() - started:.2f} s")
    expect(page.get_by_role("complementary")).to_contain_text(
        "North Korean troops are fighting alongside Russian forces in Ukraine."
    )

    page.reload()
    expect(page.locator("article mark", has_text=CLAIM_WORDS)).to_have_count(1)
    page.locator("article mark", has_text=CLAIM_WORDS).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^North Korean troops are fighting alongside")
    )
    expect(page.get_by_text("Volodymyr Zelensky")).to_be_visible()

    # Edit the text: a paragraph above the claim; the mark stays on the same words.
    page.go_back()
    page.get_by_role("link", name="Edit text").click()
    text = page.get_by_label("Text")
    text.fill("Editor's note: this article was added for checking.\n\n" + text.input_value())
    page.get_by_role("button", name="Save text").click()
    expect(
        page.get_by_text(re.compile(r"Mentions moved with their words: 1; .* orphaned: 0\."))
    ).to_be_visible()
    expect(page.locator("article mark", has_text=CLAIM_WORDS)).to_have_count(1)
    expect(page.locator("article mark").first).to_have_text(CLAIM_WORDS)


def test_the_t_key_opens_the_tag_form_for_the_selection(page, demo, log_in):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in("researcher")
    page.get_by_role("link", name="Articles", exact=True).click()
    page.get_by_role("link", name=re.compile("^Zelensky Confirms")).click()
    select_text(page, "Moscow and Pyongyang")
    page.keyboard.press("t")
    expect(page.get_by_label("Claim", exact=True)).to_have_value("Moscow and Pyongyang.")
    assert errors == []


def test_a_passage_typed_on_the_plain_page_lands_on_the_reader_once(page, demo, log_in):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in("researcher")
    page.get_by_role("link", name="Articles", exact=True).click()
    page.get_by_role("link", name=re.compile("^Zelensky Confirms")).click()
    page.get_by_role("link", name="tag a claim by typing the passage").click()
    page.get_by_label("Passage").fill("mutual defence commitments")
    page.get_by_label("Claim", exact=True).fill(
        "Russia and North Korea agreed to defend each other."
    )
    page.get_by_label("Tags (comma-separated)").fill("North Korea, Russia")
    page.get_by_role("button", name="Save claim").dblclick()

    expect(page.get_by_text("Claim tagged.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Zelensky Confirms"))
    marks = page.locator(
        "article mark", has=page.get_by_title("Russia and North Korea agreed to defend each other.")
    )
    expect(marks).to_have_count(1)
    expect(
        page.get_by_role("complementary").get_by_role("link", name=re.compile("^Russia and"))
    ).to_have_count(1)
    assert errors == []


def test_the_tag_form_finds_the_claim_already_tagged_and_links_the_passage_to_it(
    page, demo, log_in
):
    from claims.models import Claim

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    known = Claim.objects.get(text__startswith="North Korea supplies Russia with artillery")
    mentions, claims = known.mentions.count(), Claim.objects.count()
    log_in("researcher")
    page.get_by_role("link", name="Articles", exact=True).click()
    page.get_by_role("link", name=re.compile("^Zelensky Confirms")).click()
    page.get_by_role("link", name="tag a claim by typing the passage").click()
    page.get_by_label("Passage").fill("Moscow and Pyongyang")
    # As the claim is written, the closest claims appear below the form, without a click.
    page.get_by_label("Claim", exact=True).fill(
        "Pyongyang is sending shells and ballistic missiles to Russia."
    )
    similar = page.locator("#similar-claims")
    expect(similar.get_by_role("listitem").first).to_contain_text("North Korea supplies Russia")
    expect(similar.get_by_role("listitem").first).to_contain_text("Draft")
    similar.get_by_role("button", name="Same claim: link this passage to it").first.click()

    expect(page.get_by_text("Claim tagged.")).to_be_visible()
    assert known.mentions.count() == mentions + 1 and Claim.objects.count() == claims
    assert errors == []
