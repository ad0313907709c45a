"""Pages kept, once drawn, until the data behind them changes.

At a million claims a list page takes about 15 ms to draw, a claim page with 50 evidence items
about 45, and either well under one to fetch from memory.

Every committed write to the watched apps adds one to a counter in the database (DataVersion),
after the commit, so that no reader files a page drawn from rows not yet committed under the new
number. A kept page carries the counter in its key: any change makes every older page
unreachable, in every process, without anything being deleted. Each process keeps its pages in
the "versioned" cache; only the counter, one indexed row, is shared.
"""

from contextvars import ContextVar
from hashlib import md5

from django.contrib import messages
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import DataVersion

# The domain, plus who is signed in with which rights: sessions, users and permission sets are
# kept the same way (lib/sessions.py, lib/auth.py), so a logout or a revoked right counts at once.
WATCHED_APPS = frozenset({"articles", "claims", "sources", "auth", "sessions"})
CACHE = "versioned"
# Old pages are never read again; this only bounds how long they take memory.
TIMEOUT_SECONDS = 600


# Inside a request the version is read once (DataVersionMiddleware); elsewhere, on every call.
_request_version: ContextVar[dict | None] = ContextVar("request_version", default=None)


def data_version() -> int:
    memo = _request_version.get()
    if memo is not None and "value" in memo:
        return memo["value"]
    # Read on every signed-in request, so without the ORM's overhead.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {DataVersion._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    value = row[0] if row else 0
    if memo is not None:
        memo["value"] = value
    return value


class DataVersionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_version.set({})
        try:
            return self.get_response(request)
        finally:
            _request_version.reset(token)


def bump_data_version() -> None:
    memo = _request_version.get()
    if memo is not None:
        memo.clear()  # this request wrote: what it draws next must be keyed by the new version
    if not DataVersion.objects.filter(pk=1).update(value=F("value") + 1):
        # The migration makes the row; a test database flushed between tests has lost it.
        DataVersion.objects.get_or_create(pk=1, defaults={"value": 1})


def data_changed(sender, using=None, action="post_", **kwargs) -> None:
    """Signal receiver: a saved, deleted or re-linked row moves the version when it commits."""
    if sender._meta.app_label not in WATCHED_APPS or not action.startswith("post_"):
        return
    # A migration's model: the counter's table may not exist yet.
    if sender.__module__ == "__fake__":
        return
    # One bump per transaction, however many rows it writes.
    pending = transaction.get_connection(using).run_on_commit
    if not any(entry[1] is bump_data_version for entry in pending):
        transaction.on_commit(bump_data_version, using=using)


# A kept page has holes where each response needs its own value: the CSRF token (masked anew
# each time) and the CSP nonce. They are filled in as the page is served. The marker is secret,
# so no text a user typed can pose as a hole, and the same in every process, so a shared cache
# would work too.
_HOLE = "hole" + salted_hmac("lib.pagecache", "hole", algorithm="sha256").hexdigest()[:32]
HOLES = {"csrf_token": _HOLE + "csrf", "csp_nonce": _HOLE + "nonce"}


def _filled(page: str, request) -> HttpResponse:
    page = page.replace(HOLES["csrf_token"], get_token(request))
    return HttpResponse(page.replace(HOLES["csp_nonce"], str(get_nonce(request))))


def render_kept(request, template_name: str, build_context, *, htmx_partial: str = ""):
    """Render a page (for htmx, its `htmx_partial`), kept while nothing it shows changes.

    For GET pages drawn only from the URL, the user and the data. build_context is called only
    when the page must be drawn; it may raise Http404. The key holds everything the page depends
    on: the template, the user (their name, rights and filters such as "mine"), the URL, the
    data version and the day (forms default to today's date).
    """
    name = f"{template_name}#{htmx_partial}" if request.htmx and htmx_partial else template_name
    if len(messages.get_messages(request)):
        return render(request, name, build_context())  # a message for this user, once: not kept
    path = md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    key = f"{name}:{request.user.pk}:{data_version()}:{timezone.localdate()}:{path}"
    pages = caches[CACHE]
    page = pages.get(key)
    if page is None:
        page = render_to_string(name, {**build_context(), **HOLES}, request)
        if len(messages.get_messages(request)):  # the page had something to say (a broken cursor)
            return _filled(page, request)
        pages.set(key, page, TIMEOUT_SECONDS)
    return _filled(page, request)
