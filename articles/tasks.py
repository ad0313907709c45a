"""Background work for articles: importing one from a URL, and the fetch that sources share."""

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .extraction import MAX_BYTES, Extracted, ExtractionError, from_html, from_plain_text
from .fetching import Fetched, FetchError, fetch
from .models import Article, ArticleFetch


def fetch_document(url: str) -> tuple[Fetched, Extracted]:
    """Fetch a page within the site's limits and extract its text and metadata.

    Raises FetchError or ExtractionError with a message for the user. Sources use it too.
    """
    page = fetch(
        url,
        timeout=settings.FETCH_TIMEOUT_SECONDS,
        max_bytes=MAX_BYTES,
        allowed_hosts=frozenset(settings.FETCH_ALLOWED_HOSTS),
    )
    text = page.body.decode("utf-8", errors="replace")
    if "html" in page.content_type:
        return page, from_html(text, url=page.url)
    return page, from_plain_text(text)


@task
def fetch_article(fetch_id: int) -> None:
    """Fetch, extract and store an article; on any failure store nothing but the reason."""
    request = ArticleFetch.objects.get(pk=fetch_id)
    try:
        page, extracted = fetch_document(request.url)
        url = extracted.url or page.url
        existing = Article.objects.copy_of(url=url, text=extracted.text)
        if existing is not None:
            raise FetchError(f"This article is already here: {existing.title}.")
        with transaction.atomic():
            request.article = Article.objects.create(
                title=extracted.title or url,
                url=url,
                authors=extracted.authors,
                published_on=extracted.published_on,
                text=extracted.text,
                html=extracted.html,
                added_by=request.requested_by,
            )
            request.status = ArticleFetch.Status.DONE
            request.finished_at = timezone.now()
            request.save()
    except (FetchError, ExtractionError) as error:
        request.status, request.error = ArticleFetch.Status.FAILED, str(error)
        request.finished_at = timezone.now()
        request.save()
