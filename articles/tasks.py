"""Background work for articles: importing one from a URL, and recovering imports left behind."""

import logging

from django.tasks import task

from sources.extraction import ExtractionError
from sources.fetching import FetchError
from sources.tasks import fetch_document

from . import actions
from .models import ArticleFetch

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong while importing this page, and nothing was stored. Try again; if it "
    "happens again, paste the text instead and tell an administrator."
)
WORKER_STOPPED = "The task worker stopped before this import finished; nothing was stored."


@task
def fetch_article(fetch_id: int) -> None:
    """Fetch and extract outside any transaction; the action stores the article or the reason.

    Whatever happens, the request ends as done or failed: the import page never waits forever.
    """
    request = ArticleFetch.objects.get(pk=fetch_id)
    try:
        page, extracted = fetch_document(request.url)
        actions.record_import(request, fetched_url=page.url, extracted=extracted)
    except (FetchError, ExtractionError) as error:
        actions.record_import_failure(request, str(error))
    except Exception:
        logger.exception("Import %s of %s failed unexpectedly", request.pk, request.url)
        actions.record_import_failure(request, UNEXPECTED)


def recover_import(fetch_id: int) -> None:
    """An import whose worker stopped mid-task ends as failed, saying so."""
    request = ArticleFetch.objects.filter(pk=fetch_id).first()
    if request is not None:
        actions.record_import_failure(request, WORKER_STOPPED)
