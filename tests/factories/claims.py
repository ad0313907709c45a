import datetime
import itertools

import factory
from django.contrib.auth.models import Group, User

from claims import actions
from claims.models import Claim, Claimant, Mention, Rating

from .articles import ArticleFactory
from .derived import DerivedDataFactory


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
