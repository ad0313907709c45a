"""Someone guessing a password is stopped after five tries and told why, in the browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_five_wrong_passwords_pause_sign_in_even_for_the_right_one(page, demo):
    def attempt(password: str):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("researcher")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()

    for guess in ["demo1", "Demo", "password", "123456"]:
        attempt(guess)
        expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    attempt("researcher")  # the fifth wrong one
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()

    attempt("demo")

    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("paused for 15 minutes")
    page.goto("/claims/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
