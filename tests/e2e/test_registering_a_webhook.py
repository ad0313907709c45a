"""An administrator registers a webhook from the Sources page; a researcher may not."""

import socket

import pytest
from playwright.sync_api import expect

from claims.models import Webhook

pytestmark = pytest.mark.django_db(transaction=True)

HOOK_URL = "https://hooks.example/claim-tracker"
PUBLIC_ADDRESS = "93.184.215.14"


@pytest.fixture
def hooks_example_is_public(monkeypatch):
    """hooks.example resolves to a public address; every other name as it would have."""
    resolve = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "hooks.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_ADDRESS, port))]
        return resolve(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_an_admin_registers_a_webhook_and_sees_it_listed(
    page, demo, log_in, hooks_example_is_public
):
    log_in("admin")
    page.get_by_role("link", name="Sources", exact=True).click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()

    page.get_by_role("link", name="Register a webhook").click()
    page.get_by_label("Address").fill(HOOK_URL)
    page.get_by_label("A verdict is published").check()
    page.get_by_label("Evidence is added to a claim").check()
    page.get_by_role("button", name="Register webhook").click()

    expect(page.get_by_role("status")).to_contain_text("Webhook registered.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Webhook to {HOOK_URL}")
    hook = Webhook.objects.get()
    assert hook.url == HOOK_URL and hook.active
    assert hook.events == ["claim.published", "evidence.added"]
    assert hook.created_by.username == "admin"
    expect(page.get_by_role("definition").filter(has_text=hook.secret)).to_be_visible()

    page.get_by_role("link", name="All webhooks").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=HOOK_URL))
    expect(row.get_by_role("cell")).to_have_text(
        [HOOK_URL, "claim.published, evidence.added", "Active", "None yet"]
    )


def test_the_form_refuses_a_private_address_and_keeps_what_was_typed(page, demo, log_in):
    log_in("admin")
    page.goto("/claims/webhooks/new/")
    page.get_by_label("Address").fill("http://10.0.0.7/hook")
    page.get_by_label("A verdict is published").check()
    page.get_by_role("button", name="Register webhook").click()

    expect(
        page.get_by_role("alert").filter(has_text="private or local address (10.0.0.7)")
    ).to_be_visible()
    expect(page.get_by_label("Address")).to_have_value("http://10.0.0.7/hook")
    expect(page.get_by_label("A verdict is published")).to_be_checked()
    assert not Webhook.objects.exists()


def test_a_researcher_is_refused_the_webhooks(page, demo, log_in):
    log_in("researcher")
    page.get_by_role("link", name="Sources", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sources")
    expect(page.get_by_role("link", name="Webhooks")).to_have_count(0)

    for address in ("/claims/webhooks/", "/claims/webhooks/new/"):
        response = page.goto(address)
        assert response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("You may not do this")
    assert not Webhook.objects.exists()
