import datetime
import itertools
from collections.abc import Iterator
from contextlib import contextmanager

import factory
from django.contrib.auth.models import Group, User

from claims import actions
from claims.models import Claim, Claimant, Mention, Rating

from .articles import ArticleFactory

# The claims whose derived data waits for the end of a batch (see rederived_once), or None.
_waiting: set[int] | None = None


def rederive(claim_id: int) -> None:
    """What the actions compute after every write; factories write rows directly, so they ask."""
    if _waiting is not None:
        _waiting.add(claim_id)
        return
    claims = Claim.objects.filter(pk=claim_id)
    claims.recount()
    claims.refresh_search_documents()


@contextmanager
def rederived_once() -> Iterator[None]:
    """Rows made inside get their claims' counts and search words once, at the end.

    Rederiving after each row costs a recount and a rebuilt search document per row, and the
    document reads every mention of its claim: 100 mentions of one claim took 5,050 reads.
    """
    global _waiting
    if _waiting is not None:  # already inside one: the outermost rederives
        yield
        return
    _waiting = set()
    try:
        yield
        claims = Claim.objects.filter(pk__in=_waiting)
    finally:
        _waiting = None
    claims.recount()
    claims.refresh_search_documents()


class DerivedDataFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def create_batch(cls, size, **kwargs):
        with rederived_once():
            return super().create_batch(size, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        rederive(row.pk if model_class is Claim else row.claim_id)
        return row


class ClaimantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claimant

    name = factory.Sequence(lambda n: f"Claimant {n}")


class ClaimFactory(DerivedDataFactory):
    """A claim as stored: `status` and a verdict may be set directly for reading tests.

    A published claim made this way has no Publication, so it is not on the public page; use
    publish() below to take a claim through the review as the desk does.
    """

    class Meta:
        model = Claim

    text = factory.Sequence(lambda n: f"Unemployment fell to {n} per cent last year.")
    claimant = factory.SubFactory(ClaimantFactory)


class MentionFactory(DerivedDataFactory):
    """A mention of the first `length` characters after `start` of its article's text."""

    class Meta:
        model = Mention
        exclude = ["length"]

    claim = factory.SubFactory(ClaimFactory)
    article = factory.SubFactory(ArticleFactory)
    start = 0
    length = 20
    end = factory.LazyAttribute(lambda m: m.start + m.length)
    quote = factory.LazyAttribute(lambda m: m.article.text[m.start : m.end])


_reviewers = itertools.count(1)


def new_reviewer() -> User:
    user = User.objects.create_user(username=f"reviewer-{next(_reviewers)}-{User.objects.count()}")
    user.groups.add(Group.objects.get(name="Reviewer"))
    return User.objects.get(pk=user.pk)  # fresh: permissions are cached on the object


def publish(
    claim: Claim,
    *,
    reviewer: User | None = None,
    rating: str = "False",
    rationale: str = "Because.",
    as_of: datetime.date = datetime.date(2024, 10, 20),
) -> Claim:
    """Take a draft claim through submit, start review and publish, by a reviewer who wrote
    none of it (a new one unless given)."""
    reviewer = reviewer or new_reviewer()
    actions.submit_for_review(claim, by=reviewer)
    actions.start_review(claim, by=reviewer)
    actions.publish_verdict(
        claim,
        by=reviewer,
        rating=Rating.objects.get(label=rating),
        rationale=rationale,
        as_of=as_of,
        # Most tests publish a bare claim; the refusal without evidence is tested on its own.
        without_evidence=True,
    )
    claim.refresh_from_db()
    return claim
