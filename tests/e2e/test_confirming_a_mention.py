"""An edit removes a mention's sentence; in the browser a researcher confirms where it is now."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, MentionFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = (
    "The budget was cut again this year. Ministers said the budget was cut to pay for roads.\n"
    "Teachers said the budget was cut without warning."
)
WORDS = "budget was cut"


def test_a_held_mention_is_confirmed_by_one_choice(page, demo, log_in):
    researcher = User.objects.get(username="researcher")
    article = ArticleFactory(title="Budget story", text=TEXT, added_by=researcher)
    start = TEXT.index(WORDS, TEXT.index("Ministers"))
    mention = MentionFactory(
        article=article,
        start=start,
        length=len(WORDS),
        claim=ClaimFactory(text="The budget was cut to pay for roads.", created_by=researcher),
    )
    log_in("researcher")

    page.goto(f"/articles/{article.pk}/")
    page.get_by_role("link", name="Edit text").click()
    text = page.get_by_label("Text")
    text.fill(text.input_value().replace("Ministers said the budget was cut to pay for roads.", ""))
    page.get_by_role("button", name="Save text").click()

    expect(page.get_by_text(re.compile(r"waiting for you to confirm a place: 1"))).to_be_visible()
    expect(page.get_by_role("heading", name="Mentions to confirm")).to_be_visible()
    expect(page.locator(f"#mention-{mention.pk}")).to_have_count(0)

    choices = page.get_by_role("group", name="Where is it now?").get_by_role("radio")
    expect(choices).to_have_count(3)  # two places, or leave it orphaned
    choices.nth(1).check()
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_text("Mention placed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Mentions to confirm")).to_have_count(0)
    expect(page.locator(f"#mention-{mention.pk}")).to_have_text(WORDS)
