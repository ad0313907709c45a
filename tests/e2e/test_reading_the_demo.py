"""A researcher logs in, reads the demo article with its mentions highlighted, opens a claim."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_researcher_reads_the_demo_article_and_opens_a_claim(page, demo, log_in):
    log_in("researcher")

    page.get_by_role("link", name="Articles", exact=True).click()
    page.get_by_role("link", name=re.compile("^Zelensky Confirms North Korean Soldiers")).click()
    article = page.locator("article")
    marks = article.locator("mark")
    expect(marks).to_have_count(7)
    expect(marks.first).to_have_text(re.compile("^Zelensky Confirms"))

    article.get_by_role(
        "link", name="North Korean soldiers are now fighting on the Russian side"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "North Korean troops are actively fighting alongside Russian forces in Ukraine."
    )
    expect(page.get_by_role("heading", name=re.compile("^Contradicting evidence"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"\(\d+ days? after the claim\)")).first).to_be_visible()


def test_a_wrong_password_is_refused_in_the_browser(page, demo):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("researcher")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("researcher")
