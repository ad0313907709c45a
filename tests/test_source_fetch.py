"""Fetch details and Archive: a source's metadata and a snapshot of its text, fetched safely."""

import hashlib
from http.server import BaseHTTPRequestHandler

import pytest
from django.urls import reverse

from sources import actions
from sources.models import SourceFetch, SourceSnapshot
from tests.conftest import http_server
from tests.factories.sources import SourceFactory

pytestmark = pytest.mark.django_db

REPORT = b"""<html><head><title>Troops seen near Kursk</title>
<meta name="author" content="Olena Petrenko">
<meta property="article:published_time" content="2024-10-16T09:00:00Z">
<link rel="canonical" href="https://paper.example/kursk-troops"></head>
<body><article><h1>Troops seen near Kursk</h1>
<p>Satellite images show a column of vehicles moving towards the border on Tuesday.</p>
<p>Officials declined to say whose units they were, citing the ongoing operation.</p>
</article></body></html>"""


class Pages(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/report":
            status, body = 200, REPORT
        else:
            status, body = 404, b"Not found"
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    with http_server(Pages) as url:
        yield url


def fetch_details(client, source):
    return client.post(reverse("sources:fetch_request", args=[source.pk]))


def test_fetching_fills_what_is_missing_and_keeps_a_snapshot(
    server, local_fetches_allowed, login, researcher
):
    source = actions.add_source(by=researcher, url=f"{server}/report")
    assert source.has_stand_in_title
    client = login(researcher)
    response = fetch_details(client, source)
    fetch = SourceFetch.objects.get()
    assert response["Location"] == fetch.get_absolute_url()
    assert fetch.status == "done", fetch.outcome
    source.refresh_from_db()
    assert source.title == "Troops seen near Kursk"
    assert source.author == "Olena Petrenko"
    assert str(source.published_on) == "2024-10-16"
    assert source.url == "https://paper.example/kursk-troops", "the page's canonical URL"
    assert source.accessed_on is not None and source.version == 2
    snapshot = SourceSnapshot.objects.get()
    assert "column of vehicles" in snapshot.text
    assert snapshot.sha256 == hashlib.sha256(snapshot.text.encode()).hexdigest()
    assert snapshot.url == f"{server}/report"
    assert "Filled in: title, author, date, canonical URL." in fetch.outcome
    page = client.get(source.get_absolute_url()).content.decode()
    assert snapshot.sha256 in page
    text_page = client.get(snapshot.get_absolute_url()).content.decode()
    assert "column of vehicles" in text_page


def test_fields_a_person_filled_are_not_overwritten(
    server, local_fetches_allowed, login, researcher
):
    source = SourceFactory(
        url=f"{server}/report", title="My own title", author="", added_by=researcher
    )
    fetch_details(login(researcher), source)
    source.refresh_from_db()
    assert source.title == "My own title"
    assert source.author == "Olena Petrenko"


def test_a_canonical_url_taken_by_another_source_is_reported_not_applied(
    server, local_fetches_allowed, login, researcher
):
    SourceFactory(url="https://paper.example/kursk-troops")
    source = SourceFactory(url=f"{server}/report", added_by=researcher)
    fetch_details(login(researcher), source)
    source.refresh_from_db()
    assert source.url == f"{server}/report"
    assert "it is another source" in SourceFetch.objects.get().outcome


def test_a_failed_fetch_changes_nothing_and_says_why(
    server, local_fetches_allowed, login, researcher
):
    source = SourceFactory(url=f"{server}/gone", title="Kept", added_by=researcher)
    client = login(researcher)
    response = fetch_details(client, source)
    fetch = SourceFetch.objects.get()
    assert fetch.status == "failed" and "404" in fetch.outcome
    source.refresh_from_db()
    assert (source.title, source.version) == ("Kept", 1)
    assert not SourceSnapshot.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "The details could not be fetched" in page and "Nothing was changed." in page


def test_private_addresses_are_refused(server, login, researcher):
    source = SourceFactory(url=f"{server}/report", added_by=researcher)
    fetch_details(login(researcher), source)
    assert "private or local address" in SourceFetch.objects.get().outcome
    assert not SourceSnapshot.objects.exists()


def test_htmx_polling_reloads_the_page_once_the_fetch_has_finished(login, researcher):
    source = SourceFactory(added_by=researcher)
    queued = SourceFetch.objects.create(source=source)
    client = login(researcher)
    fragment = client.get(queued.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    queued.status = "done"
    queued.save()
    finished = client.get(queued.get_absolute_url(), headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"


def test_a_user_without_a_role_may_not_fetch(login, outsider):
    source = SourceFactory(added_by=outsider)
    assert fetch_details(login(outsider), source).status_code == 403
    assert not SourceFetch.objects.exists()


def test_a_researcher_may_not_fetch_someone_elses_source(login, researcher, reviewer):
    source = SourceFactory(added_by=reviewer)
    assert fetch_details(login(researcher), source).status_code == 403


def test_a_source_admin_fetches_any_source(login, source_admin):
    source = SourceFactory(url="http://127.0.0.1:9/nothing-listens-here")
    assert fetch_details(login(source_admin), source).status_code == 302
    assert SourceFetch.objects.get().status == "failed"


def test_fetching_is_only_posted(login, researcher):
    source = SourceFactory(added_by=researcher)
    assert (
        login(researcher).get(reverse("sources:fetch_request", args=[source.pk])).status_code == 405
    )


def test_snapshots_are_readable_by_every_role_but_not_outsiders(login, reviewer, outsider):
    snapshot = SourceSnapshot.objects.create(
        source=SourceFactory(), url="https://a.example/", text="Then"
    )
    assert login(reviewer).get(snapshot.get_absolute_url()).status_code == 200
    assert login(outsider).get(snapshot.get_absolute_url()).status_code == 403
