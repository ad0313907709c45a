"""Who may do what: every workflow view and htmx endpoint, for every role, by method.

Each row is a view and method with what each role gets: "ok" (the view did its work, 200 or
a redirect to its result), "login" (sent to log in), "refused" (403), "not found" (404) or
"wrong method" (405). Each cell runs on fresh rows, in the state the view works on.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from api.actions import create_token
from api.models import ApiToken
from claims import actions
from claims.models import Claim, Rating, Webhook
from sources.models import ExternalFactCheck, FactCheckImport
from tests.conftest import make_user
from tests.factories.claims import ClaimFactory, MentionFactory, publish
from tests.factories.sources import EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "researcher", "reviewer", "source admin", "admin"]
OK, LOGIN, REFUSED, NOT_FOUND, WRONG_METHOD = "ok", "login", "refused", "not found", "wrong method"


def claim_in(status: str) -> Claim:
    """A claim made by someone else, so the four-eyes rule never decides a cell."""
    author = make_user(f"author-{Claim.objects.count()}", "Researcher")
    claim = ClaimFactory(created_by=author, status="draft")
    MentionFactory(claim=claim, created_by=author)
    if status == "published":
        return publish(claim)
    Claim.objects.filter(pk=claim.pk).update(status=status)
    claim.refresh_from_db()
    return claim


def step(name: str, status: str, note: str = ""):
    def make():
        claim = claim_in(status)
        data = {"seen_version": claim.version, "note": note}
        return reverse("claims:step", args=[claim.pk, name]), data

    return make


def publish_verdict():
    claim = claim_in("in_review")
    rating = Rating.objects.get(label="Misleading")
    data = {
        "rating": rating.pk,
        "rationale": "Why.",
        "as_of": "2024-10-20",
        "seen_version": 1,
        "without_evidence": "on",
    }
    return reverse("claims:publish", args=[claim.pk]), data


def edit_claim():
    claim = claim_in("draft")
    data = {"text": "Reworded.", "claimant_name": "", "claimed_on": "", "seen_version": 1}
    return reverse("claims:edit", args=[claim.pk]), data


def evidence_add():
    claim = claim_in("draft")
    data = {"source": "https://new.example/report", "stance": "supports", "excerpt": "", "note": ""}
    return reverse("claims:evidence_add", args=[claim.pk]), data


def evidence_edit():
    evidence = EvidenceFactory()
    data = {"stance": "context", "excerpt": "", "note": "", "seen_version": 1}
    return reverse("claims:evidence_edit", args=[evidence.pk]), data


def evidence_delete():
    return reverse("claims:evidence_delete", args=[EvidenceFactory().pk]), {"seen_version": 1}


def assign():
    claim = claim_in("submitted")
    colleague = make_user(f"colleague-{claim.pk}", "Reviewer")
    data = {"seen_version": claim.version, "reviewer": colleague.pk}
    return reverse("claims:step", args=[claim.pk, "assign"]), data


def merge(confirm: bool):
    def make():
        survivor, duplicate = claim_in("draft"), claim_in("draft")
        data = {"survivor": survivor.pk, "reason": "Same claim.", "seen_version": 1}
        if confirm:
            data |= {"survivor_version": 1, "confirm": "1"}
        return reverse("claims:merge", args=[duplicate.pk]), data

    return make


def merged(name: str, status: str = "draft"):
    """A page of a claim merged into another: it leads to the survivor's."""

    def make():
        survivor, duplicate = claim_in(status), claim_in(status)
        Claim.objects.filter(pk=duplicate.pk).update(merged_into=survivor, merged_at=timezone.now())
        return reverse(name, args=[duplicate.pk]), {}

    return make


def similar_to_text():
    claim_in("draft")
    return reverse("claims:similar") + "?text=Employment+rose+last+year&for_tagging=1", {}


def similar_to_claim():
    return reverse("claims:similar") + f"?claim={claim_in('draft').pk}", {}


def exports(fmt: str):
    """The claims list as a download, filtered, with a claim in it to write."""

    def make():
        claim_in("published")
        return reverse(f"claims:export_{fmt}") + "?status=published", {}

    return make


def simple(name: str, *args_from):
    def make():
        args = [factory().pk for factory in args_from]
        return reverse(name, args=args), {}

    return make


def external_check() -> ExternalFactCheck:
    n = ExternalFactCheck.objects.count()
    return ExternalFactCheck.objects.create(
        claim_reviewed=f"Checked elsewhere {n}.",
        claim_key=f"key-{n}",
        review_url=f"https://checker.example/{n}",
        url_key=f"checker.example/{n}",
        origin="claimreview",
    )


def fact_check_upload():
    review = {
        "@type": "ClaimReview",
        "url": f"https://checker.example/upload/{ExternalFactCheck.objects.count()}",
        "claimReviewed": "Uploaded.",
    }
    upload = SimpleUploadedFile("reviews.json", json.dumps(review).encode())
    return reverse("sources:factcheck_import"), {"file": upload, "format": "auto"}


def link_external_check():
    claim = claim_in("draft")
    data = {"external_check": str(external_check().pk)}
    return reverse("claims:external_check_link", args=[claim.pk]), data


def unlink_external_check():
    claim = claim_in("draft")
    link = claim.external_check_links.create(external_check=external_check())
    return reverse("claims:external_check_unlink", args=[link.pk]), {}


def annotations_upload():
    """A file of one annotation for an article whose text holds its quote."""
    mention = MentionFactory()
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "body": {"type": "TextualBody", "value": "Unemployment fell."},
        "target": {"selector": {"type": "TextQuoteSelector", "exact": mention.quote}},
    }
    upload = SimpleUploadedFile("annotations.jsonld", json.dumps(annotation).encode())
    return reverse("reader:annotations_import", args=[mention.article_id]), {"file": upload}


def webhook() -> Webhook:
    """A hook registered by an administrator; the address is checked at registration only."""
    n = Webhook.objects.count()
    return Webhook.objects.create(
        url=f"https://hooks.example/{n}", events=["claim.published"], secret=f"secret-{n}"
    )


def webhook_register():
    # An address literal, so registering resolves no name: the check is the same.
    data = {"url": "https://93.184.215.14/hook", "events": ["claim.published"]}
    return reverse("claims:webhook_create"), data


def webhook_edit():
    hook = webhook()
    data = {"url": "https://93.184.215.14/hook", "events": ["claim.reopened"], "seen_version": 1}
    return reverse("claims:webhook_edit", args=[hook.pk]), data


def webhook_post(name: str):
    def make():
        return reverse(name, args=[webhook().pk]), {}

    return make


def webhook_with_deliveries() -> Webhook:
    hook = webhook()
    actions.ping_webhook(hook, by=make_user(f"ada-{hook.pk}", is_superuser=True))
    return hook


def webhooks_with_deliveries():
    webhook_with_deliveries()
    return reverse("claims:webhooks"), {}


def someone_elses_token():
    """A colleague's API token: as good as missing to everyone else."""
    owner = make_user(f"owner-{ApiToken.objects.count()}", "Researcher")
    token, _ = create_token(by=owner, name="Theirs")
    return reverse("api_token_revoke", args=[token.pk]), {}


def new_token():
    return reverse("api_tokens"), {"name": "Scripts", "access": "read"}


EVERYONE_SIGNED_IN = [LOGIN, OK, OK, OK, OK]
DESK = [LOGIN, OK, OK, REFUSED, OK]  # researchers and reviewers, not source admins
REVIEWERS = [LOGIN, REFUSED, OK, REFUSED, OK]
PUBLIC = [OK, OK, OK, OK, OK]
POST_ONLY = [LOGIN, WRONG_METHOD, WRONG_METHOD, WRONG_METHOD, WRONG_METHOD]
SOURCE_ADMINS = [LOGIN, REFUSED, REFUSED, OK, OK]
ADMINS = [LOGIN, REFUSED, REFUSED, REFUSED, OK]

MATRIX = [
    ("claim page", "get", simple("claims:detail", lambda: claim_in("draft")), EVERYONE_SIGNED_IN),
    (
        "claim page, htmx",
        "get",
        simple("claims:detail", lambda: claim_in("draft")),
        EVERYONE_SIGNED_IN,
    ),
    (
        "claim history",
        "get",
        simple("claims:history", lambda: claim_in("draft")),
        EVERYONE_SIGNED_IN,
    ),
    (
        "claim history, htmx",
        "get",
        simple("claims:history", lambda: claim_in("draft")),
        EVERYONE_SIGNED_IN,
    ),
    ("edit claim form", "get", edit_claim, DESK),
    ("edit claim", "post", edit_claim, DESK),
    ("submit for review", "post", step("submit", "draft"), DESK),
    ("submit for review", "get", step("submit", "draft"), POST_ONLY),
    ("start review", "post", step("start_review", "submitted"), REVIEWERS),
    ("assign a reviewer", "post", assign, REVIEWERS),
    ("return to researcher", "post", step("return_to_researcher", "in_review", "Fix"), REVIEWERS),
    ("reopen", "post", step("reopen", "published", "New evidence"), REVIEWERS),
    ("reopen", "get", step("reopen", "published"), POST_ONLY),
    ("publish verdict", "post", publish_verdict, REVIEWERS),
    ("publish verdict", "get", publish_verdict, POST_ONLY),
    ("claims export, CSV", "get", exports("csv"), EVERYONE_SIGNED_IN),
    ("claims export, JSON", "get", exports("json"), EVERYONE_SIGNED_IN),
    (
        "article annotations export",
        "get",
        simple("reader:annotations", lambda: MentionFactory().article),
        EVERYONE_SIGNED_IN,
    ),
    (
        "claim annotations export",
        "get",
        simple("claims:annotations", lambda: claim_in("published")),
        EVERYONE_SIGNED_IN,
    ),
    (
        "import annotations form",
        "get",
        simple("reader:annotations_import", lambda: MentionFactory().article),
        DESK,
    ),
    ("import annotations", "post", annotations_upload, DESK),
    ("review queue", "get", simple("claims:queue"), REVIEWERS),
    ("my claims", "get", simple("claims:mine"), DESK),
    ("claim type-ahead", "get", simple("claims:choices"), EVERYONE_SIGNED_IN),
    ("merge form", "get", simple("claims:merge", lambda: claim_in("draft")), REVIEWERS),
    ("merge, what would move", "post", merge(confirm=False), REVIEWERS),
    ("merge", "post", merge(confirm=True), REVIEWERS),
    ("merged claim's page", "get", merged("claims:detail"), EVERYONE_SIGNED_IN),
    ("merged claim's history", "get", merged("claims:history"), EVERYONE_SIGNED_IN),
    ("merged claim's public page", "get", merged("public_claim", "published"), PUBLIC),
    ("similar claims", "get", similar_to_text, EVERYONE_SIGNED_IN),
    ("similar claims, htmx", "get", similar_to_text, EVERYONE_SIGNED_IN),
    ("similar to a claim", "get", similar_to_claim, EVERYONE_SIGNED_IN),
    ("similar to a claim, htmx", "get", similar_to_claim, EVERYONE_SIGNED_IN),
    ("add evidence", "post", evidence_add, DESK),
    ("add evidence", "get", evidence_add, POST_ONLY),
    ("add evidence, htmx", "post", evidence_add, DESK),
    ("edit evidence form, htmx", "get", evidence_edit, DESK),
    ("edit evidence", "post", evidence_edit, DESK),
    ("remove evidence", "post", evidence_delete, DESK),
    ("remove evidence", "get", evidence_delete, POST_ONLY),
    (
        "source type-ahead",
        "get",
        simple("claims:evidence_sources", lambda: claim_in("draft")),
        EVERYONE_SIGNED_IN,
    ),
    ("public page", "get", simple("public_claim", lambda: claim_in("published")), PUBLIC),
    (
        "public page of a draft",
        "get",
        simple("public_claim", lambda: claim_in("draft")),
        [NOT_FOUND] * 5,
    ),
    (
        "public page in review",
        "get",
        simple("public_claim", lambda: claim_in("in_review")),
        [NOT_FOUND] * 5,
    ),
    ("ClaimReview feed", "get", simple("claimreview_feed"), PUBLIC),
    ("external fact-checks", "get", simple("sources:factchecks"), EVERYONE_SIGNED_IN),
    ("external fact-checks, htmx", "get", simple("sources:factchecks"), EVERYONE_SIGNED_IN),
    ("external fact-check", "get", simple("sources:factcheck", external_check), EVERYONE_SIGNED_IN),
    ("import fact-checks form", "get", simple("sources:factcheck_import"), SOURCE_ADMINS),
    ("import fact-checks", "post", fact_check_upload, SOURCE_ADMINS),
    (
        "fact-check import status",
        "get",
        simple("sources:factcheck_import_status", lambda: FactCheckImport.objects.create()),
        SOURCE_ADMINS,
    ),
    (
        "fact-check import status, htmx",
        "get",
        simple("sources:factcheck_import_status", lambda: FactCheckImport.objects.create()),
        SOURCE_ADMINS,
    ),
    ("link external fact-check", "post", link_external_check, DESK),
    ("link external fact-check", "get", link_external_check, POST_ONLY),
    ("unlink external fact-check", "post", unlink_external_check, DESK),
    ("unlink external fact-check", "get", unlink_external_check, POST_ONLY),
    ("webhooks", "get", webhooks_with_deliveries, ADMINS),
    ("register webhook form", "get", simple("claims:webhook_create"), ADMINS),
    ("register webhook", "post", webhook_register, ADMINS),
    ("webhook and its log", "get", simple("claims:webhook", webhook_with_deliveries), ADMINS),
    ("edit webhook form", "get", webhook_edit, ADMINS),
    ("edit webhook", "post", webhook_edit, ADMINS),
    ("rotate webhook secret", "post", webhook_post("claims:webhook_rotate"), ADMINS),
    ("rotate webhook secret", "get", webhook_post("claims:webhook_rotate"), POST_ONLY),
    ("deactivate webhook", "post", webhook_post("claims:webhook_deactivate"), ADMINS),
    ("deactivate webhook", "get", webhook_post("claims:webhook_deactivate"), POST_ONLY),
    ("delete webhook", "post", webhook_post("claims:webhook_delete"), ADMINS),
    ("delete webhook", "get", webhook_post("claims:webhook_delete"), POST_ONLY),
    ("ping webhook", "post", webhook_post("claims:webhook_ping"), ADMINS),
    ("ping webhook", "get", webhook_post("claims:webhook_ping"), POST_ONLY),
    ("API tokens", "get", simple("api_tokens"), EVERYONE_SIGNED_IN),
    ("create an API token", "post", new_token, EVERYONE_SIGNED_IN),
    (
        "revoke someone else's token, confirmation",
        "get",
        someone_elses_token,
        [LOGIN] + [NOT_FOUND] * 4,
    ),
    ("revoke someone else's token", "post", someone_elses_token, [LOGIN] + [NOT_FOUND] * 4),
]
CELLS = [
    pytest.param(view, method, make, role, expected, id=f"{view}-{method}-{role}")
    for view, method, make, outcomes in MATRIX
    for role, expected in zip(ROLES, outcomes, strict=True)
]


@pytest.fixture
def user_for(request):
    def user(role: str):
        match role:
            case "anonymous":
                return None
            case "admin":
                return make_user("ada", is_superuser=True, is_staff=True)
            case "source admin":
                return request.getfixturevalue("source_admin")
            case _:
                return request.getfixturevalue(role)

    return user


def outcome(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return {200: OK, 301: OK, 302: OK, 403: REFUSED, 404: NOT_FOUND, 405: WRONG_METHOD}.get(
        response.status_code, str(response.status_code)
    )


@pytest.mark.parametrize(("view", "method", "make", "role", "expected"), CELLS)
def test_the_permission_matrix(view, method, make, role, expected, user_for, login):
    url, data = make()
    client = login(user_for(role))
    headers = {"HX-Request": "true"} if "htmx" in view else {}
    response = getattr(client, method)(url, data if method == "post" else None, headers=headers)
    assert outcome(response) == expected


def test_the_matrix_covers_every_role_for_every_row():
    assert len(CELLS) == len(MATRIX) * len(ROLES) == 375


@pytest.mark.parametrize("name", ["claims:export_csv", "claims:export_json"])
def test_someone_with_no_role_may_not_export_the_claims(name, login, outsider):
    claim_in("published")
    assert login(outsider).get(reverse(name)).status_code == 403


def test_a_forged_publish_by_a_researcher_changes_nothing(login, researcher):
    url, data = publish_verdict()
    assert login(researcher).post(url, data).status_code == 403
    assert not Claim.objects.filter(status="published").exists()


def test_sources_are_untouched_by_a_refused_evidence_post(login, source_admin):
    SourceFactory()
    url, data = evidence_add()
    login(source_admin).post(url, data)
    assert not Claim.objects.get().evidence.exists()
