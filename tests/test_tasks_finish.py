"""Every background task ends its request as done or failed, even after a crash or a dead worker."""

import datetime
from http.server import BaseHTTPRequestHandler
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from articles import actions as article_actions
from articles import tasks as article_tasks
from articles.models import Article, ArticleFetch
from sources import actions as source_actions
from sources import tasks as source_tasks
from sources.models import SourceFetch
from tests.conftest import http_server
from tests.factories.sources import SourceFactory

pytestmark = pytest.mark.django_db

LONG_PATH = "/" + "a-very-long-story-name-" * 30  # over 600 characters of address
UNTITLED = b"<html><body><article><p>" + b"A page with words but no title at all. " * 20 + b"</p>"


class Untitled(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(UNTITLED)))
        self.end_headers()
        self.wfile.write(UNTITLED)

    def log_message(self, *args):
        pass


def test_a_page_with_no_title_and_a_long_address_is_imported_with_a_short_title(
    local_fetches_allowed, login, researcher
):
    with http_server(Untitled) as base:
        login(researcher).post(reverse("articles:create"), {"url": base + LONG_PATH})
    request = ArticleFetch.objects.get()
    assert request.status == ArticleFetch.Status.DONE, request.error
    article = Article.objects.get()
    assert len(article.title) <= 500 and article.title.endswith("…")


def test_an_unexpected_error_while_storing_an_import_ends_it_as_failed(
    monkeypatch, local_fetches_allowed, login, researcher
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(article_actions, "record_import", broken)
    with http_server(Untitled) as base:
        login(researcher).post(reverse("articles:create"), {"url": base + "/story"})
    request = ArticleFetch.objects.get()
    assert request.status == ArticleFetch.Status.FAILED
    assert request.error == article_tasks.UNEXPECTED
    assert not Article.objects.exists()


def test_an_unexpected_error_while_filling_a_source_ends_the_fetch_as_failed(
    monkeypatch, local_fetches_allowed, login, researcher
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(source_actions, "apply_fetched_details", broken)
    with http_server(Untitled) as base:
        source = SourceFactory(url=base + "/story", title="Kept", added_by=researcher)
        login(researcher).post(reverse("sources:fetch_request", args=[source.pk]))
    fetch = SourceFetch.objects.get()
    assert fetch.status == "failed" and fetch.outcome == source_tasks.UNEXPECTED


def left_running(task_path: str, *args, minutes_ago: int) -> DBTaskResult:
    started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return DBTaskResult.objects.create(
        status="RUNNING",
        task_path=task_path,
        args_kwargs={"args": list(args), "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=started,
        started_at=started,
    )


def test_a_worker_starting_ends_the_tasks_a_killed_worker_left_running(
    monkeypatch, settings, researcher
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker's own loop closes the database connection when it ends, which would end this
    # test's transaction too: what is tested is what runs before it.
    monkeypatch.setattr(DatabaseWorker, "handle", lambda self, *args, **options: None)
    stale_import = ArticleFetch.objects.create(
        url="https://paper.example/a", requested_by=researcher
    )
    source = SourceFactory(added_by=researcher)
    stale_fetch = SourceFetch.objects.create(source=source, requested_by=researcher)
    fresh_import = ArticleFetch.objects.create(
        url="https://paper.example/b", requested_by=researcher
    )
    old = [
        left_running("articles.tasks.fetch_article", stale_import.pk, minutes_ago=30),
        left_running("sources.tasks.fetch_source", stale_fetch.pk, minutes_ago=30),
    ]
    recent = left_running("articles.tasks.fetch_article", fresh_import.pk, minutes_ago=1)

    output = StringIO()
    call_command("db_worker", stdout=output)

    for result in old:
        result.refresh_from_db()
        assert result.status == "FAILED"
    recent.refresh_from_db()
    assert recent.status == "RUNNING", "a task another worker may still be running is left alone"
    stale_import.refresh_from_db()
    stale_fetch.refresh_from_db()
    fresh_import.refresh_from_db()
    assert stale_import.status == "failed" and "worker stopped" in stale_import.error
    assert stale_fetch.status == "failed" and "worker stopped" in stale_fetch.outcome
    assert fresh_import.status == "queued"
    assert "Ended a task left running" in output.getvalue()


@pytest.mark.parametrize("kind", ["article", "source"])
def test_a_request_waiting_past_two_minutes_stops_polling_and_says_why(kind, login, researcher):
    three_minutes_ago = timezone.now() - datetime.timedelta(minutes=3)
    if kind == "article":
        request = ArticleFetch.objects.create(
            url="https://paper.example/a", requested_by=researcher
        )
        ArticleFetch.objects.filter(pk=request.pk).update(created_at=three_minutes_ago)
    else:
        source = SourceFactory(added_by=researcher)
        request = SourceFetch.objects.create(source=source, requested_by=researcher)
        SourceFetch.objects.filter(pk=request.pk).update(created_at=three_minutes_ago)
    client = login(researcher)
    fragment = client.get(request.get_absolute_url(), headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "hx-trigger" not in text
    assert "Still waiting after two minutes" in text
