"""Workflows that span models: attaching a source to a claim, adding the source if it is new."""

from django.db import IntegrityError, transaction

from claims.models import Claim

from .models import Evidence, Source


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
