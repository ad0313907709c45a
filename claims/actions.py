"""Every write to claims: tagging, mentions, evidence, and the steps of the review."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Permission, User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from articles import actions as article_actions
from articles.models import Article
from sources.models import Source

from .anchoring import anchor_at
from .models import Claim, Claimant, ClaimStatus, Evidence, Mention, Rating


@transaction.atomic
def tag_claim(
    article: Article,
    *,
    start: int,
    end: int,
    text: str,
    claimant_name: str,
    claimed_on: datetime.date | None,
    by,
) -> Mention:
    """Create a claim and its first mention at article.text[start:end]."""
    claimant = None
    if claimant_name.strip():
        claimant, _ = Claimant.objects.get_or_create(name=claimant_name.strip())
    claim = Claim.objects.create(
        text=text.strip(), claimant=claimant, claimed_on=claimed_on, created_by=by
    )
    return add_mention(claim, article, start=start, end=end, by=by)


def add_mention(claim: Claim, article: Article, *, start: int, end: int, by) -> Mention:
    """Record one more place where an article states a claim."""
    anchor = anchor_at(article.text, start, end)
    return Mention.objects.create(
        claim=claim,
        article=article,
        start=anchor.start,
        end=anchor.end,
        quote=anchor.quote,
        created_by=by,
    )


@transaction.atomic
def add_evidence(
    claim: Claim, *, source: Source | str, stance: str, excerpt: str, note: str, by
) -> Evidence:
    """Link a source to a claim; `source` may be the normalised URL of a source to add."""
    if isinstance(source, str):
        try:
            with transaction.atomic():
                source = Source.objects.create(url=source, title="", added_by=by)
        except IntegrityError:
            # Someone added the same document a moment ago: use theirs.
            source = Source.objects.with_url(source)
    return Evidence.objects.create(
        claim=claim, source=source, stance=stance, excerpt=excerpt, note=note, added_by=by
    )


@dataclass(frozen=True)
class RevisionOutcome:
    placed: int
    orphaned: int


@transaction.atomic
def revise_article_text(
    article: Article, new_text: str, *, seen_version: int | None, by
) -> RevisionOutcome:
    """Save an edited text (the old one kept as a revision) and move every mention with it."""
    article = article_actions.revise_text(article, new_text, seen_version=seen_version, by=by)
    placed = orphaned = 0
    for mention in Mention.objects.filter(article=article, orphaned=False):
        mention.article = article
        if mention.reanchor(article.text):
            placed += 1
        else:
            orphaned += 1
        mention.save()
    return RevisionOutcome(placed=placed, orphaned=orphaned)


# The review workflow. Every step locks the claim's row, checks the state it starts from and
# the version the user saw, and saves with a reason that the history shows in plain words.


class WorkflowError(Exception):
    """The step is not allowed now, or not for this user; the message says why."""


class StaleClaim(WorkflowError):
    """Someone changed the claim after the user opened it."""


STEPS = {
    # step: (states it may start from, state it leads to)
    "submit": ({ClaimStatus.DRAFT}, ClaimStatus.SUBMITTED),
    "start_review": ({ClaimStatus.SUBMITTED}, ClaimStatus.IN_REVIEW),
    "return_to_researcher": ({ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW}, ClaimStatus.DRAFT),
    "publish": ({ClaimStatus.IN_REVIEW}, ClaimStatus.PUBLISHED),
    "reopen": ({ClaimStatus.PUBLISHED}, ClaimStatus.IN_REVIEW),
}
STEP_NAMES = {
    "submit": "Submit for review",
    "start_review": "Start review",
    "return_to_researcher": "Return to researcher",
    "publish": "Publish verdict",
    "reopen": "Reopen",
}


def allowed_steps(claim: Claim, user) -> list[str]:
    """The steps this user may take on the claim now, for showing the right buttons."""
    return [
        step
        for step, (sources, _) in STEPS.items()
        if claim.status in sources
        and may_take(user, step)
        and not four_eyes_refusal(claim, user, step)
    ]


def reviewers():
    """Everyone who may review: members of a group with the right, or given it, or admins."""
    permission = Permission.objects.filter(
        codename="review_claim", content_type__app_label="claims"
    )
    return (
        User.objects.filter(
            Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
            | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def may_take(user, step: str) -> bool:
    if step == "submit":
        return user.has_perm("claims.change_claim")
    return user.has_perm("claims.review_claim")


def _authored_by(claim: Claim, user) -> bool:
    """Did this user create the claim or tag one of its mentions?"""
    return claim.created_by_id == user.pk or claim.mentions.filter(created_by=user).exists()


def four_eyes_refusal(claim: Claim, user, step: str) -> str:
    """Why this user may not publish this claim, or '' if they may (administrators may)."""
    if step != "publish" or user.is_superuser:
        return ""
    if _authored_by(claim, user):
        return (
            "Four-eyes rule: you created or tagged this claim, so another reviewer must publish "
            "its verdict."
        )
    return ""


def _begin(claim: Claim, step: str, by, seen_version: int | None) -> Claim:
    """The claim, locked for this transaction, once the step is allowed on it."""
    sources, _ = STEPS[step]
    if not may_take(by, step):
        raise WorkflowError(f"You may not “{STEP_NAMES[step]}”.")
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if seen_version is not None and locked.version != seen_version:
        raise StaleClaim(
            "Someone changed this claim after you opened it "
            f"(it is now {locked.get_status_display().lower()}). Reload to see the change."
        )
    if locked.status not in sources:
        raise WorkflowError(
            f"“{STEP_NAMES[step]}” is not possible: the claim is "
            f"{locked.get_status_display().lower()}."
        )
    if refusal := four_eyes_refusal(locked, by, step):
        raise WorkflowError(refusal)
    return locked


def _finish(claim: Claim, step: str, by, reason: str) -> Claim:
    claim.status = STEPS[step][1]
    claim.version += 1
    claim._change_reason = reason
    claim._history_user = by
    claim.save()
    return claim


@transaction.atomic
def submit_for_review(claim: Claim, *, by, seen_version: int | None = None) -> Claim:
    claim = _begin(claim, "submit", by, seen_version)
    claim.submitted_at = timezone.now()
    return _finish(claim, "submit", by, "Submitted for review")


@transaction.atomic
def start_review(claim: Claim, *, by, reviewer=None, seen_version: int | None = None) -> Claim:
    """A reviewer takes the claim, or assigns it to another reviewer."""
    claim = _begin(claim, "start_review", by, seen_version)
    reviewer = reviewer or by
    if not reviewer.has_perm("claims.review_claim"):
        raise WorkflowError(f"{reviewer.get_username()} is not a reviewer.")
    claim.reviewer = reviewer
    reason = "Started review" if reviewer == by else f"Assigned to {reviewer.get_username()}"
    return _finish(claim, "start_review", by, reason)


@transaction.atomic
def return_to_researcher(claim: Claim, *, by, note: str, seen_version: int | None = None) -> Claim:
    if not note.strip():
        raise WorkflowError("Say what the researcher should do: the note is required.")
    claim = _begin(claim, "return_to_researcher", by, seen_version)
    claim.reviewer = None
    return _finish(claim, "return_to_researcher", by, f"Returned to researcher: {note.strip()}")


@transaction.atomic
def publish_verdict(
    claim: Claim,
    *,
    by,
    rating: Rating,
    rationale: str,
    as_of: datetime.date,
    seen_version: int | None = None,
) -> Claim:
    claim = _begin(claim, "publish", by, seen_version)
    if not rationale.strip():
        raise WorkflowError("A verdict needs a rationale.")
    claim.rating, claim.rationale, claim.verdict_as_of = rating, rationale.strip(), as_of
    claim.reviewer = by
    claim.published_at = timezone.now()
    reason = f"Published verdict: {rating.label}"
    if by.is_superuser and _authored_by(claim, by):
        reason += " (four-eyes rule waived by an administrator)"
    return _finish(claim, "publish", by, reason)


@transaction.atomic
def reopen(claim: Claim, *, by, note: str, seen_version: int | None = None) -> Claim:
    """Back to review when new evidence arrives; the published verdict stays in the history."""
    if not note.strip():
        raise WorkflowError("Say why the claim is reopened: the note is required.")
    claim = _begin(claim, "reopen", by, seen_version)
    claim.reviewer = by
    return _finish(claim, "reopen", by, f"Reopened: {note.strip()}")
