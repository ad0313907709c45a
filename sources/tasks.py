"""Background work for the register: fetching a page, a source's details, snapshots."""

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .extraction import MAX_BYTES, Extracted, ExtractionError, from_html, from_plain_text
from .fetching import Fetched, FetchError, fetch
from .models import Source, SourceFetch, SourceSnapshot
from .urlnorm import InvalidURL, normalise_url


def fetch_document(url: str) -> tuple[Fetched, Extracted]:
    """Fetch a page within the site's limits and extract its text and metadata.

    Raises FetchError or ExtractionError with a message for the user. Article import uses it too.
    """
    page = fetch(
        url,
        timeout=settings.FETCH_TIMEOUT_SECONDS,
        max_bytes=MAX_BYTES,
        allowed_hosts=frozenset(settings.FETCH_ALLOWED_HOSTS),
    )
    if "html" in page.content_type:
        return page, from_html(page.text, url=page.url)
    return page, from_plain_text(page.text)


@task
def fetch_source(fetch_id: int) -> None:
    """Fill in what the source is missing and keep its text as it is now.

    Fields a person has filled are never overwritten; only empty ones and the stand-in title
    (the URL) are. On failure nothing changes but the fetch's record of why.
    """
    request = SourceFetch.objects.select_related("source").get(pk=fetch_id)
    source = request.source
    try:
        page, extracted = fetch_document(source.url)
    except (FetchError, ExtractionError) as error:
        request.status, request.outcome = SourceFetch.Status.FAILED, str(error)
        request.finished_at = timezone.now()
        request.save()
        return
    with transaction.atomic():
        # Read the source again under a lock: someone may have edited it while the page loaded.
        source = Source.objects.select_for_update().get(pk=source.pk)
        filled, notes = _fill_in(source, extracted)
        source.accessed_on = timezone.localdate()
        source.version += 1
        source.save()
        snapshot = SourceSnapshot.objects.create(
            source=source, url=page.url, title=extracted.title, text=extracted.text
        )
        request.status = SourceFetch.Status.DONE
        request.outcome = " ".join(
            [
                f"Filled in: {', '.join(filled)}." if filled else "Nothing was missing.",
                f"Snapshot kept (SHA-256 {snapshot.sha256[:12]}…).",
                *notes,
            ]
        )
        request.finished_at = timezone.now()
        request.save()


def _fill_in(source: Source, extracted) -> tuple[list[str], list[str]]:
    """Copy fetched details into the fields that are empty; say what was filled and what not."""
    filled, notes = [], []
    if extracted.title and (source.has_stand_in_title or not source.title):
        source.title = extracted.title
        filled.append("title")
    if extracted.authors and not source.author:
        source.author = extracted.authors[:300]
        filled.append("author")
    if extracted.published_on and not source.published_on:
        source.published_on = extracted.published_on
        filled.append("date")
    canonical = _canonical_url(extracted.url)
    if canonical and canonical != source.url:
        if Source.objects.with_url(canonical) in (None, source):
            source.url = canonical
            filled.append("canonical URL")
        else:
            notes.append(f"The page names {canonical} as its canonical URL; it is another source.")
    return filled, notes


def _canonical_url(url: str) -> str:
    try:
        return normalise_url(url) if url else ""
    except InvalidURL:
        return ""
