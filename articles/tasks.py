"""Background work for articles: importing one from a URL."""

from django.tasks import task

from sources.extraction import ExtractionError
from sources.fetching import FetchError
from sources.tasks import fetch_document

from . import actions
from .models import ArticleFetch


@task
def fetch_article(fetch_id: int) -> None:
    """Fetch and extract outside any transaction; the action stores the article or the reason."""
    request = ArticleFetch.objects.get(pk=fetch_id)
    try:
        page, extracted = fetch_document(request.url)
    except (FetchError, ExtractionError) as error:
        actions.record_import_failure(request, str(error))
        return
    actions.record_import(request, fetched_url=page.url, extracted=extracted)
