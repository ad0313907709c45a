"""Workflows that span several models: tagging a claim where an article states it."""

import datetime

from django.db import transaction

from articles.models import Article

from .anchoring import anchor_at
from .models import Claim, Claimant, Mention


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
