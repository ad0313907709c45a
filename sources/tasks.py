"""Background work for the register: fetching a page, a source's details, snapshots."""

import logging

from django.conf import settings
from django.tasks import task

from . import actions
from .extraction import Extracted, ExtractionError, from_html, from_plain_text, max_bytes
from .fetching import Fetched, FetchError, fetch
from .models import FactCheckImport, SourceFetch

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong while fetching this page, and nothing was changed. Try again; if it "
    "happens again, tell an administrator."
)
WORKER_STOPPED = "The task worker stopped before this fetch finished; nothing was changed."
IMPORT_UNEXPECTED = (
    "Something went wrong while importing this file. What the report counts was stored; "
    "import the file again to finish (what is stored already comes back unchanged)."
)
IMPORT_WORKER_STOPPED = (
    "The task worker stopped before this import finished. Import the file again to finish it: "
    "what was stored already comes back unchanged."
)


def fetch_document(url: str) -> tuple[Fetched, Extracted]:
    """Fetch a page within the site's limits and extract its text and metadata.

    Raises FetchError or ExtractionError with a message for the user. Article import uses it too.
    """
    page = fetch(
        url,
        timeout=settings.FETCH_TIMEOUT_SECONDS,
        max_bytes=max_bytes(),
        allowed_hosts=frozenset(settings.FETCH_ALLOWED_HOSTS),
    )
    if "html" in page.content_type:
        return page, from_html(page.text, url=page.url)
    return page, from_plain_text(page.text)


@task
def fetch_source(fetch_id: int) -> None:
    """Fetch the page outside any transaction, then let the action fill in the source."""
    request = SourceFetch.objects.select_related("source").get(pk=fetch_id)
    try:
        page, extracted = fetch_document(request.source.url)
        actions.apply_fetched_details(request, fetched_url=page.url, extracted=extracted)
    except (FetchError, ExtractionError) as error:
        actions.record_fetch_failure(request, str(error))
    except Exception:
        # Whatever happens, the request ends as done or failed: its page never waits forever.
        logger.exception("Fetch %s of %s failed unexpectedly", request.pk, request.source.url)
        actions.record_fetch_failure(request, UNEXPECTED)


def recover_fetch(fetch_id: int) -> None:
    """A fetch whose worker stopped mid-task ends as failed, saying so."""
    request = SourceFetch.objects.filter(pk=fetch_id).first()
    if request is not None:
        actions.record_fetch_failure(request, WORKER_STOPPED)


@task
def import_fact_check_file(import_id: int) -> None:
    """Import a large file of external fact-checks, a batch at a time, noting the progress."""
    run = FactCheckImport.objects.get(pk=import_id)
    try:
        actions.run_fact_check_import(run)
    except Exception:
        # Whatever happens, the import ends as done or failed: its page never waits forever.
        logger.exception("Fact-check import %s failed unexpectedly", run.pk)
        actions.record_fact_check_import_failure(run, IMPORT_UNEXPECTED)


def recover_fact_check_import(import_id: int) -> None:
    """An import whose worker stopped mid-task ends as failed, saying so."""
    run = FactCheckImport.objects.filter(pk=import_id).first()
    if run is not None:
        actions.record_fact_check_import_failure(run, IMPORT_WORKER_STOPPED)
