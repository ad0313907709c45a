"""Fetch a web page safely: timeouts, a size cap, a content-type check, no private addresses."""

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "ClaimTracker/0.1 (+fact-checking research)"


class FetchError(Exception):
    """The page could not be fetched; the message says why, for the user."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes


def check_destination(url: str, allowed_hosts: frozenset[str] = frozenset()) -> None:
    """Refuse URLs that are not http(s) or that resolve to a private, loopback or local address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("Only http and https addresses can be fetched.")
    if parts.username or parts.password:
        raise FetchError("Addresses with a user name or password are not fetched.")
    if parts.hostname in allowed_hosts:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"The host {parts.hostname} could not be found.") from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise FetchError(
                f"{parts.hostname} points to a private or local address ({ip}); "
                "such addresses are never fetched."
            )


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Every redirect target is checked like the first address."""

    def __init__(self, allowed_hosts: frozenset[str]):
        self.allowed_hosts = allowed_hosts

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_destination(newurl, self.allowed_hosts)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(
    url: str, *, timeout: float, max_bytes: int, allowed_hosts: frozenset[str] = frozenset()
) -> Fetched:
    check_destination(url, allowed_hosts)
    opener = urllib.request.build_opener(_CheckedRedirects(allowed_hosts))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type not in ACCEPTED_TYPES:
                raise FetchError(f"The page is {content_type}, not HTML or text.")
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise FetchError(f"The page is larger than {max_bytes // 1_048_576} MB.")
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise FetchError(f"The page is larger than {max_bytes // 1_048_576} MB.")
            return Fetched(url=response.geturl(), content_type=content_type, body=body)
    except urllib.error.HTTPError as error:
        raise FetchError(f"The server answered {error.code} {error.reason}.") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, FetchError):
            raise error.reason from error
        raise FetchError(f"The page could not be reached: {error.reason}.") from error
    except TimeoutError as error:
        raise FetchError(f"The server did not answer within {timeout:g} seconds.") from error
