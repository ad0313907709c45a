"""A user makes a personal API token from the header's name, copies it once, then revokes it."""

import re

import pytest
from playwright.sync_api import expect

from api.models import ApiToken, token_hash

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r"^ct_[0-9a-f]{8}_[\w-]{40,}$")


def test_a_user_makes_a_token_sees_it_once_then_revokes_it(page, demo, log_in):
    log_in("reviewer")
    page.get_by_role("link", name="reviewer (your account: API tokens)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account: API tokens")
    expect(page.get_by_text("No tokens yet.")).to_be_visible()

    page.get_by_label("Name").fill("Monitoring script")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    shown = page.get_by_label("Copy it now: it is shown only once, and cannot be read again.")
    token = shown.input_value()
    assert TOKEN.match(token)
    row = ApiToken.objects.get()
    assert (row.user.username, row.name, row.read_only) == ("reviewer", "Monitoring script", True)
    assert row.key_hash == token_hash(token) and row.revoked_at is None
    listed = page.get_by_role("row").filter(has_text="Monitoring script")
    expect(listed).to_contain_text(f"ct_{row.prefix}…")
    expect(listed).to_contain_text("Read only")
    # The form is blank again, for another token.
    expect(page.get_by_label("Name")).to_have_value("")

    # It works, as the reviewer, only to read.
    answer = page.request.get("/api/claims/", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200

    # Shown once: back on the page, it is named by its prefix only.
    page.get_by_role("link", name="reviewer (your account: API tokens)").click()
    expect(page.get_by_role("heading", name="Your new token")).to_have_count(0)
    expect(page.get_by_role("textbox", name=re.compile("^Copy it now"))).to_have_count(0)
    assert token not in page.content()

    page.get_by_role("link", name="Revoke Monitoring script").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke “Monitoring script”?")
    page.get_by_role("button", name="Revoke token").click()

    expect(page.get_by_role("status")).to_have_text(
        "Revoked “Monitoring script”: it no longer works."
    )
    listed = page.get_by_role("row").filter(has_text="Monitoring script")
    expect(listed.get_by_role("cell").last).to_have_text(re.compile(r"^Revoked \d{1,2} \w+ \d{4}$"))
    expect(page.get_by_role("link", name="Revoke Monitoring script")).to_have_count(0)
    row.refresh_from_db()
    assert row.revoked_at is not None

    answer = page.request.get("/api/claims/", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 401
