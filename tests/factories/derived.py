"""The counts and search words the actions keep for a claim, kept by the factories too."""

from collections.abc import Iterator
from contextlib import contextmanager

import factory

from claims.models import Claim

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
    waiting = _waiting = set()
    try:
        yield
    finally:
        _waiting = None
    claims = Claim.objects.filter(pk__in=waiting)
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
