"""Importing an article from a URL: a background task that fetches safely or stores nothing."""

import time
from http.server import BaseHTTPRequestHandler

import pytest
from django.urls import reverse

from articles.models import Article, ArticleFetch
from sources.fetching import FetchError, check_destination, fetch
from tests.conftest import http_server
from tests.factories.articles import ArticleFactory

pytestmark = pytest.mark.django_db

PAGE = b"""<html><head><title>Minister on jobs</title>
<link rel="canonical" href="https://paper.example/jobs"></head>
<body><article><h1>Minister on jobs</h1>
<p>The minister said unemployment fell to four per cent last year, a record low.</p>
<p>Critics said the figure leaves out part-time workers who want more hours.</p>
</article></body></html>"""


class Pages(BaseHTTPRequestHandler):
    def do_GET(self):
        routes = {
            "/story": (200, "text/html; charset=utf-8", PAGE),
            "/image": (200, "image/png", b"\x89PNG"),
            "/big": (200, "text/html", b"<p>" + b"x" * 2_000_000 + b"</p>"),
        }
        if self.path == "/slow":
            time.sleep(2)
        if self.path == "/to-localhost":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_port}/story")
            self.end_headers()
            return
        status, content_type, body = routes.get(self.path, (404, "text/html", b"Not found"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    with http_server(Pages) as url:
        yield url


def import_url(client, url):
    return client.post(reverse("articles:create"), {"url": url})


def test_a_url_is_fetched_extracted_and_stored(server, local_fetches_allowed, login, researcher):
    client = login(researcher)
    response = import_url(client, f"{server}/story")
    fetch_request = ArticleFetch.objects.get()
    assert response["Location"] == fetch_request.get_absolute_url()
    article = Article.objects.get()
    assert fetch_request.status == ArticleFetch.Status.DONE and fetch_request.article == article
    assert article.title == "Minister on jobs"
    assert article.url == "https://paper.example/jobs", "the canonical URL, not the fetched one"
    assert "unemployment fell to four per cent" in article.text
    assert client.get(response["Location"])["Location"] == article.get_absolute_url()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "The server answered 404"),
        ("/image", "not HTML or text"),
        ("/slow", "did not answer within 0.5 seconds"),
        ("/to-localhost", "private or local address"),
    ],
)
def test_a_failed_fetch_says_why_and_stores_no_article(
    path, reason, server, local_fetches_allowed, login, researcher
):
    client = login(researcher)
    response = import_url(client, f"{server}{path}")
    fetch_request = ArticleFetch.objects.get()
    assert fetch_request.status == ArticleFetch.Status.FAILED
    assert reason in fetch_request.error
    assert not Article.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert reason in page and "Nothing was stored." in page


def test_private_addresses_are_refused_without_the_allow_list(server, login, researcher):
    import_url(login(researcher), f"{server}/story")
    assert "private or local address" in ArticleFetch.objects.get().error
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://127.0.0.1:8000/admin/",
        "http://0.0.0.0/",
    ],
)
def test_private_loopback_and_link_local_destinations_are_refused(url):
    with pytest.raises(FetchError, match="private or local address"):
        check_destination(url)


@pytest.mark.parametrize("url", ["ftp://example.org/a", "file:///etc/passwd", "https://u:p@x.org"])
def test_only_plain_http_destinations_are_fetched(url):
    with pytest.raises(FetchError):
        check_destination(url)


def test_a_page_over_the_size_cap_is_refused(server):
    with pytest.raises(FetchError, match="larger than 1 MB"):
        fetch(
            f"{server}/big",
            timeout=2,
            max_bytes=1_048_576,
            allowed_hosts=frozenset({"127.0.0.1"}),
        )


def test_the_fetch_page_polls_with_htmx_and_redirects_when_done(login, researcher):
    client = login(researcher)
    queued = ArticleFetch.objects.create(url="https://paper.example/x", requested_by=researcher)
    fragment = client.get(queued.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    page = client.get(queued.get_absolute_url()).content.decode()
    assert "<html" in page and "refresh it" in page


def test_a_url_already_imported_is_refused_with_a_link(login, researcher):
    ArticleFactory(title="Jobs", url="https://paper.example/jobs", text="Text.")
    response = import_url(login(researcher), "https://paper.example/jobs")
    assert "already here" in response.content.decode()
    assert not ArticleFetch.objects.exists()


@pytest.mark.parametrize("role", ["source_admin", "outsider"])
def test_roles_that_do_not_add_articles_cannot_fetch(role, login, request):
    client = login(request.getfixturevalue(role))
    assert import_url(client, "https://paper.example/jobs").status_code == 403
    assert not ArticleFetch.objects.exists()
