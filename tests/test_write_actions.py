"""Every write action, in every state of a claim, for every role: allowed or refused, never silent.

For each state and role a claim is arranged (written by someone else, with a mention and an
evidence item); then each action is a cell of its own (a subtest, in a savepoint rolled back
after it, so every cell starts from the same rows) that posts the action's form directly, as a
forged POST would even where the button is hidden. Allowed actions change the record and
redirect; refused ones answer 403 (no right) or 409 (not in this state) and change nothing:
every row of the claim, its versions and its history stay as they were. For each state and
role, the claim page offers exactly the allowed actions.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from claims import actions, matching
from claims.models import Claim, Evidence, Mention, Publication, Rating
from sources.models import Source
from tests.conftest import make_user
from tests.factories.claims import ClaimFactory, MentionFactory, publish
from tests.factories.sources import EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db

ROLES = ["researcher", "reviewer", "source admin", "administrator", "no role"]
STATES = ["draft", "submitted", "in review", "published", "reopened"]
DESK = {"researcher", "reviewer", "administrator"}
REVIEWERS = {"reviewer", "administrator"}
NOT_PUBLISHED = {"draft", "submitted", "in review", "reopened"}


@dataclass
class Setup:
    claim: Claim
    mention: Mention
    evidence: Evidence
    source: Source
    colleague: object


@dataclass(frozen=True)
class Action:
    name: str
    roles: set[str]  # who has the right
    states: set[str]  # where it is possible
    form: Callable[[Setup], tuple[str, dict]]  # the URL and the data the page would post
    control: Callable[[Setup], str] | None  # the URL the claim page offers it at, if it does

    def expected(self, role: str, state: str) -> int:
        if role not in self.roles:
            return 403
        return 302 if state in self.states else 409


def step(name: str, **data):
    def form(setup: Setup):
        url = reverse("claims:step", args=[setup.claim.pk, name])
        extra = {"reviewer": setup.colleague.pk} if name == "assign" else {}
        return url, {"seen_version": setup.claim.version, "note": "Because.", **extra, **data}

    return form


def step_url(name: str):
    return lambda setup: reverse("claims:step", args=[setup.claim.pk, name])


ACTIONS = [
    Action(
        "add mention",
        DESK,
        NOT_PUBLISHED,
        lambda s: (
            reverse("reader:tag", args=[s.mention.article_id]),
            {"passage": "Critics say the figure", "existing_claim": f"#{s.claim.pk} x"},
        ),
        None,  # tagged in the reader, where any claim may be picked
    ),
    Action(
        "adjust mention",
        DESK,
        NOT_PUBLISHED,
        lambda s: (
            reverse("claims:mention_adjust", args=[s.mention.pk]),
            {"passage": "The minister said unemployment", "seen_version": s.mention.version},
        ),
        lambda s: reverse("claims:mention_adjust", args=[s.mention.pk]),
    ),
    Action(
        "remove mention",
        DESK,
        NOT_PUBLISHED,
        lambda s: (
            reverse("claims:mention_delete", args=[s.mention.pk]),
            {"seen_version": s.mention.version},
        ),
        lambda s: reverse("claims:mention_delete", args=[s.mention.pk]),
    ),
    Action(
        "edit claim",
        DESK,
        NOT_PUBLISHED,
        lambda s: (
            reverse("claims:edit", args=[s.claim.pk]),
            {
                "text": "Reworded.",
                "claimant_name": "",
                "claimed_on": "",
                "tag_names": "Economy",
                "seen_version": s.claim.version,
            },
        ),
        lambda s: reverse("claims:edit", args=[s.claim.pk]),
    ),
    Action(
        "add evidence",
        DESK,
        NOT_PUBLISHED,
        lambda s: (
            reverse("claims:evidence_add", args=[s.claim.pk]),
            {"source": f"#{s.source.pk} x", "stance": "context", "excerpt": "", "note": ""},
        ),
        lambda s: reverse("claims:evidence_add", args=[s.claim.pk]),
    ),
    Action(
        "edit evidence",
        DESK,
        NOT_PUBLISHED,
        lambda s: (
            reverse("claims:evidence_edit", args=[s.evidence.pk]),
            {
                "stance": "contradicts",
                "excerpt": "Changed.",
                "note": "",
                "seen_version": s.evidence.version,
            },
        ),
        lambda s: reverse("claims:evidence_edit", args=[s.evidence.pk]),
    ),
    Action(
        "remove evidence",
        DESK,
        NOT_PUBLISHED,
        lambda s: (
            reverse("claims:evidence_delete", args=[s.evidence.pk]),
            {"seen_version": s.evidence.version},
        ),
        lambda s: reverse("claims:evidence_delete", args=[s.evidence.pk]),
    ),
    Action("submit", DESK, {"draft"}, step("submit"), step_url("submit")),
    Action(
        "start review", REVIEWERS, {"submitted"}, step("start_review"), step_url("start_review")
    ),
    Action(
        "assign",
        REVIEWERS,
        {"submitted", "in review", "reopened"},
        step("assign"),
        step_url("assign"),
    ),
    Action(
        "return to researcher",
        REVIEWERS,
        {"submitted", "in review", "reopened"},
        step("return_to_researcher"),
        step_url("return_to_researcher"),
    ),
    Action(
        "publish",
        REVIEWERS,
        {"in review", "reopened"},
        lambda s: (
            reverse("claims:publish", args=[s.claim.pk]),
            {
                "rating": Rating.objects.get(label="Misleading").pk,
                "rationale": "Why.",
                "as_of": "2024-10-20",
                "seen_version": s.claim.version,
                "without_evidence": "on",
            },
        ),
        lambda s: reverse("claims:publish", args=[s.claim.pk]),
    ),
    Action("reopen", REVIEWERS, {"published"}, step("reopen"), step_url("reopen")),
]
BY_NAME = {action.name: action for action in ACTIONS}


@pytest.fixture
def user_for(request):
    def user(role: str):
        match role:
            case "administrator":
                return make_user("ada", is_superuser=True, is_staff=True)
            case "source admin":
                return request.getfixturevalue("source_admin")
            case "no role":
                return request.getfixturevalue("outsider")
            case _:
                return request.getfixturevalue(role)

    return user


def arrange(state: str, actor) -> Setup:
    """A claim in `state`, written by an author; reviewed by the actor where they review."""
    author = make_user("author", "Researcher")
    helper = make_user("helper", "Reviewer")
    reviewing = actor if actor.has_perm("claims.review_claim") else helper
    claim = ClaimFactory(created_by=author)
    MentionFactory(claim=claim, created_by=author)
    EvidenceFactory(claim=claim, added_by=author, stance="supports")
    if state in ("published", "reopened"):
        publish(claim, reviewer=helper)
    if state == "reopened":
        actions.reopen(claim, by=reviewing, note="A new report.")
    if state in ("submitted", "in review"):
        actions.submit_for_review(claim, by=author)
    if state == "in review":
        actions.start_review(claim, by=reviewing)
    claim.refresh_from_db()
    return Setup(
        claim=claim,
        mention=claim.mentions.get(),
        evidence=claim.evidence.get(),
        source=SourceFactory(),
        colleague=make_user("colleague", "Reviewer"),
    )


def snapshot(claim: Claim) -> dict:
    """Every row that makes up the claim's record, with versions and history."""
    return {
        "claim": Claim.objects.filter(pk=claim.pk).values().get(),
        "tags": list(claim.tags.values_list("name", flat=True)),
        "mentions": list(Mention.objects.filter(claim=claim).order_by("pk").values()),
        "evidence": list(Evidence.objects.filter(claim=claim).order_by("pk").values()),
        "publications": list(Publication.objects.filter(claim=claim).order_by("pk").values()),
        "history": [
            model.history.filter(**{lookup: claim.pk}).count()
            for model, lookup in ((Claim, "id"), (Mention, "claim_id"), (Evidence, "claim_id"))
        ],
    }


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_every_write_action_in_every_state_for_every_role(state, role, user_for, subtests):
    actor = user_for(role)
    setup = arrange(state, actor)
    with subtests.test("the claim page offers exactly the allowed actions"), rolled_back():
        response = signed_in(actor).get(setup.claim.get_absolute_url())
        html = response.content.decode() if response.status_code == 200 else ""
        offered = {a.name for a in ACTIONS if a.control and f'"{a.control(setup)}"' in html}
        allowed = {a.name for a in ACTIONS if a.control and a.expected(role, state) == 302}
        assert offered == allowed
    for action in ACTIONS:
        with subtests.test(action.name), rolled_back():
            post_and_check(action, state, role, actor, setup)


@contextmanager
def rolled_back():
    """What a cell writes is undone after it, so the next cell starts from the same rows."""
    with transaction.atomic():
        cache.clear()
        matching.forget_indexes()
        yield
        transaction.set_rollback(True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_and_check(action: Action, state: str, role: str, actor, setup: Setup) -> None:
    before = snapshot(setup.claim)
    url, data = action.form(setup)
    response = signed_in(actor).post(url, data)
    expected = action.expected(role, state)
    assert response.status_code == expected, response.content.decode()[:2000]
    if expected == 302:
        assert snapshot(setup.claim) != before
    else:
        assert snapshot(setup.claim) == before, "a refused action changes nothing"
    if expected == 409 and action.states == NOT_PUBLISHED:
        assert "This fact-check is published: reopen it to change its" in response.content.decode()


def test_the_table_covers_every_action_state_and_role():
    assert len(ACTIONS) * len(STATES) * len(ROLES) == 325


def test_a_published_claim_page_says_so_and_points_to_reopen(login, reviewer, researcher):
    setup = arrange("published", reviewer)
    html = login(reviewer).get(setup.claim.get_absolute_url()).content.decode()
    assert "This fact-check is published" in html and 'href="#note-reopen">Reopen it</a>' in html
    html = login(researcher).get(setup.claim.get_absolute_url()).content.decode()
    assert "A reviewer can reopen it." in html
    assert "Add evidence" not in html and "Remove mention" not in html


def test_htmx_refusals_send_the_browser_to_the_page_that_says_why(login, researcher):
    setup = arrange("published", researcher)
    client = login(researcher)
    url, data = BY_NAME["remove evidence"].form(setup)
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert response["HX-Redirect"] == setup.claim.get_absolute_url()
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "This fact-check is published: reopen it to change its evidence." in page
    assert Evidence.objects.filter(pk=setup.evidence.pk).exists()


class TestTheActionsThemselves:
    """The same rules hold for callers other than the pages: commands, the admin, the shell."""

    def test_a_published_claim_refuses_every_change_even_from_an_administrator(self):
        admin = make_user("ada", is_superuser=True, is_staff=True)
        setup = arrange("published", admin)
        before = snapshot(setup.claim)
        attempts = [
            lambda: actions.add_mention(
                setup.claim, setup.mention.article, start=62, end=84, by=admin
            ),
            lambda: actions.adjust_mention(
                setup.mention, start=0, end=30, by=admin, seen_version=None
            ),
            lambda: actions.delete_mention(setup.mention, by=admin, seen_version=None),
            lambda: actions.edit_claim(
                setup.claim,
                text="New.",
                claimant_name="",
                claimed_on=None,
                by=admin,
                seen_version=None,
            ),
            lambda: actions.add_evidence(
                setup.claim, source=setup.source, stance="context", excerpt="", note="", by=admin
            ),
            lambda: actions.edit_evidence(
                setup.evidence,
                stance="context",
                excerpt="",
                note="",
                by=admin,
                seen_version=None,
            ),
            lambda: actions.remove_evidence(setup.evidence, by=admin, seen_version=None),
            lambda: actions.delete_claim(setup.claim, by=admin),
        ]
        for attempt in attempts:
            with pytest.raises(actions.Refused, match="published"):
                attempt()
        assert snapshot(setup.claim) == before

    def test_a_tag_on_a_published_claim_is_not_deleted(self):
        admin = make_user("ada", is_superuser=True, is_staff=True)
        setup = arrange("draft", admin)
        actions.edit_claim(
            setup.claim,
            text=setup.claim.text,
            claimant_name="",
            claimed_on=None,
            tags=["Economy"],
            by=admin,
            seen_version=None,
        )
        publish(setup.claim)
        tag = setup.claim.tags.get()
        with pytest.raises(actions.Refused, match="reopen them to change their tags"):
            actions.delete_tag(tag, by=admin)
        assert setup.claim.tags.get() == tag
