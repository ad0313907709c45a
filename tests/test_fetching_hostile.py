"""A hostile web server and a rebinding resolver against the safe fetch, alone and in both paths."""

import gzip
import socket
import time
from http.server import BaseHTTPRequestHandler

import pytest
import urllib3.util.connection
from django.urls import reverse

from articles.models import Article, ArticleFetch
from sources.fetching import FetchError, check_destination, fetch
from tests.conftest import http_server
from tests.factories.sources import SourceFactory

PAGE = b"<html><head><title>Fine</title></head><body><p>" + b"A plain sentence. " * 40 + b"</p>"
BOMB = gzip.compress(b"a" * 30_000_000)  # about 30 kB on the wire, 30 MB once unpacked


class Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.requests.append(self.path)
        route = getattr(self, "route_" + self.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.answer(200, "text/html; charset=utf-8", PAGE)
        else:
            route()

    def answer(self, status, content_type, body, **headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        headers = {name.replace("_", "-"): value for name, value in headers.items()}
        headers.setdefault("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def route_trickle(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.05)

    def route_lying_length(self):
        self.answer(200, "text/html", PAGE, Content_Length="abc", Connection="close")
        self.close_connection = True

    def route_huge_length(self):
        self.answer(200, "text/html", b"<p>short</p>", Content_Length="999999999")

    def route_bomb(self):
        self.answer(200, "text/plain", BOMB, Content_Encoding="gzip")

    def route_gzip_as_text(self):
        self.answer(200, "text/plain", gzip.compress(b"Plain words " * 500))

    def route_nul(self):
        self.answer(200, "text/plain", b"Words and then\x00a NUL byte.")

    def route_latin(self):
        self.answer(200, "text/plain; charset=iso-8859-1", "Caf\xe9 cr\xe8me.".encode("latin-1"))

    def route_not_utf8(self):
        self.answer(200, "text/plain", "Caf\xe9".encode("latin-1"))

    def route_dropped(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "5000")
        self.end_headers()
        self.wfile.write(b"only the start")
        self.wfile.flush()
        self.close_connection = True

    def route_to_private(self):
        self.answer(302, "text/plain", b"", Location="http://10.1.2.3/internal")

    def route_to_metadata(self):
        self.answer(301, "text/plain", b"", Location="http://169.254.169.254/latest/")

    def route_to_localhost_name(self):
        self.answer(302, "text/plain", b"", Location=f"http://localhost:{self.server.server_port}/")

    def route_loop(self):
        self.answer(302, "text/plain", b"", Location="/loop")

    def route_hop(self):
        self.answer(307, "text/plain", b"", Location="/fine")

    def log_message(self, *args):
        pass


@pytest.fixture
def hostile():
    with http_server(Hostile) as url:
        yield url


@pytest.fixture(autouse=True)
def request_log(monkeypatch):
    """Every path the hostile server was asked for, to prove what was never reached."""
    log = []
    original = Hostile.do_GET

    def logged(self):
        self.server.requests = log
        original(self)

    monkeypatch.setattr(Hostile, "do_GET", logged)
    return log


def get(url, *, timeout=1.0, max_bytes=5_000_000):
    return fetch(url, timeout=timeout, max_bytes=max_bytes, allowed_hosts=frozenset({"127.0.0.1"}))


def test_an_ordinary_page_and_a_redirect_hop_are_fetched(hostile):
    page = get(f"{hostile}/hop")
    assert page.url.endswith("/fine") and "A plain sentence." in page.text


def test_a_server_trickling_bytes_is_cut_off_at_one_overall_deadline(hostile):
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer within 0.5 seconds"):
        get(f"{hostile}/trickle", timeout=0.5)
    assert time.monotonic() - started < 1.5, "the deadline bounds the whole fetch, not each read"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/huge-length", "larger than 4 MB"),
        ("/bomb", "larger than 4 MB"),
        ("/gzip-as-text", "not valid utf-8 text"),
        ("/nul", "binary data, not text"),
        ("/not-utf8", "not valid utf-8 text"),
        ("/dropped", "could not be fetched"),
        ("/to-private", "private or local address (10.1.2.3)"),
        ("/to-metadata", "private or local address (169.254.169.254)"),
        ("/to-localhost-name", "private or local address"),
        ("/loop", "redirects more than 5 times"),
    ],
)
def test_hostile_answers_end_in_a_message_never_a_crash(hostile, path, reason):
    with pytest.raises(FetchError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        get(f"{hostile}{path}", max_bytes=4 * 1_048_576)


def test_a_lying_content_length_is_not_believed(hostile):
    try:
        page = get(f"{hostile}/lying-length")
    except FetchError as error:
        assert "could not be fetched" in str(error)
    else:
        assert "A plain sentence." in page.text


def test_a_declared_charset_is_honoured(hostile):
    assert get(f"{hostile}/latin").text == "Café crème."


def test_redirects_to_private_addresses_are_never_followed(hostile, request_log):
    with pytest.raises(FetchError):
        get(f"{hostile}/to-private")
    assert request_log == ["/to-private"]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:70000/", "http://[::1/", "http://example.org:-1/", "http:///nohost"],
)
def test_malformed_addresses_are_refused_with_a_message(url):
    with pytest.raises(FetchError):
        check_destination(url)


def fake_resolver(monkeypatch, *answers):
    """getaddrinfo answering each call with the next address (the last one from then on)."""
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        address = answers[min(len(calls), len(answers) - 1)]
        calls.append(host)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::5db8:d822",  # local-use NAT64
        "::ffff:127.0.0.1",  # IPv4-mapped
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "100.64.0.1",  # shared address space (carrier NAT)
        "fd00::1",
        "fe80::1",
        "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
    ],
)
def test_translated_mapped_and_private_ranges_are_refused(monkeypatch, address):
    fake_resolver(monkeypatch, address)
    with pytest.raises(FetchError, match="never fetched"):
        check_destination("http://innocent.example/")


def test_a_rebinding_resolver_cannot_send_the_fetch_inside(monkeypatch, hostile, request_log):
    # Public the first time it is asked, loopback after: the fetch must connect to what it checked.
    calls = fake_resolver(monkeypatch, "93.184.216.34", "127.0.0.1")
    connected = []

    def no_network(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("no network in tests")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", no_network)
    with pytest.raises(FetchError, match="could not be fetched"):
        fetch("http://rebind.example/", timeout=1, max_bytes=1000)
    assert calls == ["rebind.example"], "resolved once"
    assert connected == [("93.184.216.34", 80)], "connected to the checked address"
    assert request_log == []


# The same hostility through both paths that fetch: article import and a source's details.


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/trickle", "/bomb", "/gzip-as-text", "/nul", "/to-private"])
def test_an_article_import_from_a_hostile_server_fails_with_a_reason(
    path, hostile, local_fetches_allowed, login, researcher
):
    login(researcher).post(reverse("articles:create"), {"url": f"{hostile}{path}"})
    request = ArticleFetch.objects.get()
    assert request.status == ArticleFetch.Status.FAILED and request.error
    assert not Article.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/trickle", "/bomb", "/gzip-as-text", "/nul", "/to-private"])
def test_a_source_fetch_from_a_hostile_server_fails_and_changes_nothing(
    path, hostile, local_fetches_allowed, login, researcher
):
    source = SourceFactory(url=f"{hostile}{path}", title="Kept title", added_by=researcher)
    login(researcher).post(reverse("sources:fetch_request", args=[source.pk]))
    fetched = source.fetches.get()
    assert fetched.status == "failed" and fetched.outcome
    source.refresh_from_db()
    assert source.title == "Kept title" and not source.snapshots.exists()
