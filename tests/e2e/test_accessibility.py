"""axe-core on every kind of page, signed in and public, at a laptop's and a phone's width.

Every page must have zero axe violations and must not scroll sideways at 390 px. With
SCREENSHOTS=1 the run also refreshes the screenshots in docs/screenshots/ that the README shows.
"""

import json
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from articles.models import Article
from claims.models import Claim, ClaimStatus, Webhook, WebhookDelivery
from sources import actions as register
from sources.models import ExternalFactCheck, Outlet, Source

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"laptop": (1280, 800), "phone": (390, 844)}
# Every page kind answers 200 but the error pages it checks.
EXPECTED_STATUS = {"not-found": 404, "forbidden": 403}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# The pages the README shows, by the name of their screenshot.
SHOWN = {"claim-workspace", "reader", "public-page"}


def page_kinds() -> dict[str, dict[str, str]]:
    """Each page kind's URL, by who looks at it (None: nobody signed in)."""
    article = Article.objects.order_by("pk").first()
    draft = Claim.objects.exclude(status=ClaimStatus.PUBLISHED).order_by("pk").first()
    published = Claim.objects.filter(status=ClaimStatus.PUBLISHED).order_by("pk").first()
    source = Source.objects.order_by("pk").first()
    outlet = Outlet.objects.order_by("pk").first()
    # The demo has no other organisation's fact-checks: one, written here, through the import.
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checker.example/checks/summit",
        "claimReviewed": "The summit was called off.",
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "author": {"@type": "Organization", "name": "Example Checker"},
        "datePublished": "2025-03-05",
    }
    register.import_fact_check_file(json.dumps(review), by=None)
    checked_elsewhere = ExternalFactCheck.objects.get()
    # A webhook with a delivery in its log, made directly: registering would look up its name.
    webhook = Webhook.objects.create(
        url="https://hooks.example/claims", events=["claim.published"], secret="0" * 64
    )
    WebhookDelivery.objects.create(
        webhook=webhook,
        event="ping",
        payload={"event": "ping"},
        attempts=1,
        status="failed",
        status_code=500,
        error="The receiver answered 500 Internal Server Error",
        next_attempt_at=timezone.now(),
    )
    return {
        "researcher": {
            "dashboard": "/",
            "articles": "/articles/",
            "new-article": "/articles/new/",
            "reader": article.get_absolute_url(),
            "edit-text": f"/articles/{article.pk}/text/",
            "article-details": f"/articles/{article.pk}/details/",
            "tag-page": f"/articles/{article.pk}/tag/",
            "annotations-import": f"/articles/{article.pk}/annotations/import/",
            "claims": "/claims/",
            "my-claims": "/claims/mine/",
            "inbox": "/claims/inbox/",
            "claim-workspace": draft.get_absolute_url(),
            "claim-edit": f"/claims/{draft.pk}/edit/",
            "published-claim": published.get_absolute_url(),
            "claim-history": f"/claims/{published.pk}/history/",
            "sources": "/sources/",
            "source": source.get_absolute_url(),
            "new-source": "/sources/new/",
            "outlet": outlet.get_absolute_url(),
            "search": "/search/?q=korean",
            "fact-checks": "/sources/fact-checks/",
            "fact-check": checked_elsewhere.get_absolute_url(),
            "similar-claims": f"/claims/similar/?claim={draft.pk}",
            "api-tokens": "/accounts/tokens/",
            "not-found": "/claims/999999999/",
            "forbidden": f"/sources/outlets/{outlet.pk}/edit/",
        },
        "reviewer": {
            "review-queue": "/claims/queue/",
            "claim-in-review": draft.get_absolute_url(),
            "merge": f"/claims/{draft.pk}/merge/",
        },
        "admin": {
            "outlets": "/sources/outlets/",
            "new-outlet": "/sources/outlets/new/",
            "outlet-edit": f"/sources/outlets/{outlet.pk}/edit/",
            "fact-check-import": "/sources/fact-checks/import/",
            "webhooks": "/claims/webhooks/",
            "register-webhook": "/claims/webhooks/new/",
            "webhook": webhook.get_absolute_url(),
        },
        None: {
            "sign-in": "/accounts/login/",
            "public-page": f"/public/claims/{published.pk}/",
            "public-index": "/public/claims/",
        },
    }


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_kind_has_no_axe_violations_and_fits(browser, live_server, demo, width):
    axe = Axe()
    problems = {}
    checked = []
    for role, urls in page_kinds().items():
        context = browser.new_context(
            base_url=live_server.url,
            viewport=dict(zip(("width", "height"), WIDTHS[width], strict=True)),
        )
        page = context.new_page()
        if role:
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill(role)
            page.get_by_label("Password").fill("demo")
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("heading", name="Dashboard").wait_for()
        for name, url in urls.items():
            response = page.goto(url)
            status = response.status if response else None
            if status != EXPECTED_STATUS.get(name, 200):
                problems.setdefault(name, []).append(f"answered {status}")
            checked.append(f"{name} ({role or 'public'})")
            found = axe.run(page).response["violations"]
            for violation in found:
                nodes = [" ".join(node["target"]) for node in violation["nodes"]][:5]
                problems.setdefault(name, []).append(
                    f"{violation['id']} ({violation['impact']}): {violation['help']} at {nodes}"
                )
            if width == "phone" and (wider := overflow(page)) > 0:
                problems.setdefault(name, []).append(f"scrolls sideways by {wider} px")
            if os.environ.get("SCREENSHOTS") and name in SHOWN:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SCREENSHOTS / f"{name}-{WIDTHS[width][0]}.png", full_page=True)
        context.close()
    report = "\n".join(f"{name}: {line}" for name, lines in problems.items() for line in lines)
    assert not problems, f"Checked {len(checked)} pages at {width} width:\n{report}"
