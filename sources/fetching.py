"""Fetch a web page safely: one deadline, size caps, text only, and never a private address.

The host name is resolved once per hop; every address it gives is checked, and the connection
goes to the checked address (TLS is still verified against the host name), so a resolver that
answers differently the second time cannot send the fetch inside the network. Redirects are
followed here, hop by hop, each checked the same way. `post` sends a body (a webhook delivery)
through the same checks, pinning and deadline, and never follows a redirect.
"""

import codecs
import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "ClaimTracker/0.1 (+fact-checking research)"
MAX_REDIRECTS = 5
READ_CHUNK = 16 * 1024
REDIRECT_CODES = {301, 302, 303, 307, 308}

# Ranges that ipaddress counts as global but that lead back inside or around a network:
# NAT64 (well-known and local-use), 6to4, Teredo and the benchmarking and shared ranges.
TRANSLATED_NETWORKS = [
    ipaddress.ip_network(network)
    for network in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "100.64.0.0/10")
]
# Text may hold tabs, line and page breaks; other control characters mean binary data.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class FetchError(Exception):
    """The page could not be fetched; the message says why, for the user."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes  # decompressed
    text: str  # the body decoded in its declared charset, checked to be text


@dataclass(frozen=True)
class Answered:
    """What a server answered to a POST, whatever the status."""

    status: int
    reason: str
    body: bytes  # at most the max_bytes asked for; the rest was not read


def refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why this address is never fetched, or '' when it is an ordinary public one."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or (ip.sixtofour) or (ip.teredo and ip.teredo[1])
        if embedded is not None and refusal(embedded):
            return refusal(embedded)
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return "a private or local address"
    if any(ip in network for network in TRANSLATED_NETWORKS if network.version == ip.version):
        return "a translated address that may lead inside a network"
    return ""


def checked_parts(url: str):
    """The URL split, once it is an http(s) address without credentials and with a valid port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError(f"This address is not valid: {error}.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("Only http and https addresses can be fetched.")
    if parts.username or parts.password:
        raise FetchError("Addresses with a user name or password are not fetched.")
    return parts, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int, allowed_hosts: frozenset[str] = frozenset()) -> str:
    """The one address to connect to, after every address the host has was checked."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchError(f"The host {host} could not be found.") from error
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise FetchError(f"The host {host} could not be found.")
    if host not in allowed_hosts:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if reason := refusal(ip):
                raise FetchError(
                    f"{host} points to {reason} ({ip}); such addresses are never fetched."
                )
    return addresses[0]


def check_destination(url: str, allowed_hosts: frozenset[str] = frozenset()) -> str:
    """Refuse a URL that cannot be fetched safely; return the address to connect to."""
    parts, port = checked_parts(url)
    return resolve(parts.hostname, port, allowed_hosts)


def fetch(
    url: str, *, timeout: float, max_bytes: int, allowed_hosts: frozenset[str] = frozenset()
) -> Fetched:
    """GET the page, following redirects, all within `timeout` seconds from now."""
    deadline = time.monotonic() + timeout
    try:
        for _ in range(MAX_REDIRECTS + 1):
            parts, port = checked_parts(url)
            address = resolve(parts.hostname, port, allowed_hosts)
            response = _open(parts, port, address, deadline, timeout)
            try:
                if response.status in REDIRECT_CODES and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                if response.status >= 400:
                    raise FetchError(f"The server answered {response.status} {response.reason}.")
                return _read_page(url, response, deadline, timeout, max_bytes)
            finally:
                response.release_conn()
    except TimeoutError as error:
        raise FetchError(f"The server did not answer within {timeout:g} seconds.") from error
    except (Urllib3Error, OSError, ValueError) as error:
        raise FetchError(f"The page could not be fetched: {_plain(error)}.") from error
    raise FetchError(f"The page redirects more than {MAX_REDIRECTS} times.")


def post(
    url: str,
    body: bytes,
    *,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int,
    allowed_hosts: frozenset[str] = frozenset(),
) -> Answered:
    """POST `body` once, within `timeout` seconds, to a checked address; any status comes back.

    A redirect is an answer like any other, never followed: the body was meant for this address.
    Raises FetchError when the address is refused or nothing usable came back in time.
    """
    deadline = time.monotonic() + timeout
    try:
        parts, port = checked_parts(url)
        address = resolve(parts.hostname, port, allowed_hosts)
        response = _open(
            parts, port, address, deadline, timeout, method="POST", body=body, headers=headers
        )
        try:
            answer = _read_body(response, deadline, timeout, max_bytes, too_large=None)
            return Answered(status=response.status, reason=response.reason or "", body=answer)
        finally:
            response.release_conn()
    except TimeoutError as error:
        raise FetchError(f"The server did not answer within {timeout:g} seconds.") from error
    except (Urllib3Error, OSError, ValueError) as error:
        raise FetchError(f"The address could not be reached: {_plain(error)}.") from error


GET_HEADERS = {
    "Accept": "text/html, application/xhtml+xml, text/plain;q=0.9",
    "Accept-Encoding": "gzip, deflate",
}


def _open(
    parts,
    port: int,
    address: str,
    deadline: float,
    timeout: float,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] = GET_HEADERS,
):
    remaining = _remaining(deadline, timeout)
    pool_options = {
        "host": address,
        "port": port,
        "timeout": urllib3.Timeout(connect=remaining, read=remaining),
        "retries": False,
        "maxsize": 1,
    }
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            **pool_options,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(**pool_options)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    host_header = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port:
        host_header += f":{parts.port}"
    try:
        return pool.urlopen(
            method,
            target,
            body=body,
            headers={"Host": host_header, "User-Agent": USER_AGENT, **headers},
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
        )
    except urllib3.exceptions.NewConnectionError as error:
        # urllib3 files a refused connection under timeouts; it is not one. The caller says
        # what could not be done (a page fetched, a delivery sent).
        raise ConnectionError(_plain(error)) from error
    except urllib3.exceptions.TimeoutError as error:
        raise TimeoutError from error


def _read_page(url: str, response, deadline: float, timeout: float, max_bytes: int) -> Fetched:
    content_type, charset = _content_type(response.headers.get("Content-Type", ""))
    if content_type not in ACCEPTED_TYPES:
        raise FetchError(f"The page is {content_type or 'of no stated type'}, not HTML or text.")
    too_large = FetchError(f"The page is larger than {max_bytes // 1_048_576} MB.")
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise too_large
    body = _read_body(response, deadline, timeout, max_bytes, too_large=too_large)
    return Fetched(
        url=url,
        content_type=content_type,
        body=body,
        text=_as_text(body, charset),
    )


def _read_body(
    response, deadline: float, timeout: float, max_bytes: int, *, too_large: FetchError | None
) -> bytes:
    """The body within the deadline; past max_bytes, raise too_large, or stop reading if None."""
    body = bytearray()
    while True:
        # Each read may wait only for what is left of the one deadline, so a server that
        # trickles a byte at a time cannot hold the fetch past it.
        sock = getattr(response.connection, "sock", None)
        if sock is not None:
            sock.settimeout(_remaining(deadline, timeout))
        try:
            chunk = response.read1(READ_CHUNK)  # decompressed: the cap counts what we keep
        except urllib3.exceptions.TimeoutError as error:
            raise TimeoutError from error
        if not chunk:
            break
        body += chunk
        if len(body) > max_bytes:
            if too_large is not None:
                raise too_large
            return bytes(body[:max_bytes])
        _remaining(deadline, timeout)
    return bytes(body)


def _content_type(header: str) -> tuple[str, str]:
    """The media type and the declared charset (UTF-8 when none is declared)."""
    media_type, _, parameters = header.partition(";")
    charset = "utf-8"
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media_type.strip().lower(), charset


def _as_text(body: bytes, charset: str) -> str:
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        raise FetchError(f"The page declares an unknown character set, {charset[:40]}.") from None
    try:
        text = body.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as error:
        raise FetchError(
            f"The page is not valid {codec} text (bad byte at position {error.start}); "
            "it may be compressed or binary data."
        ) from None
    if CONTROL_CHARACTER.search(text):
        raise FetchError("The page holds binary data, not text.")
    return text


def _remaining(deadline: float, timeout: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(f"no answer within {timeout:g} s")
    return left


def _plain(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    return str(reason).rstrip(".")[:200] or type(error).__name__
