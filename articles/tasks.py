"""Background work for articles: importing one from a URL."""

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from sources.extraction import ExtractionError
from sources.fetching import FetchError
from sources.tasks import fetch_document

from .models import Article, ArticleFetch


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
