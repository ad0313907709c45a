"""Normalise URLs so that two spellings of one document become one source (no Django imports)."""

import ipaddress
import re
import string
import unicodedata
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that track the reader and never change the document.
TRACKING_PARAMETERS = frozenset(
    """
    fbclid gclid dclid gbraid wbraid msclkid twclid li_fat_id mc_cid mc_eid igshid yclid
    _ga _gl ref_src ref_url mkt_tok oly_anon_id oly_enc_id vero_id wickedid _hsenc _hsmi
    hsCtaTracking s_cid cmpid ocid smid referringSource sr_share at_medium at_campaign
    amp_js_v amp_gsa amp_ct amp_tf usqp
    """.lower().split()
)  # the amp_* and usqp parameters are added by the Google AMP viewer
TRACKING_PREFIXES = ("utm_",)

# Host labels that only say "the mobile, AMP or www copy of the same site".
VARIANT_HOST_LABELS = ("www", "m", "mobile", "amp")
MOBILE_HOST_LABELS = ("m", "mobile")

# Hosts that show another site's AMP page inside their own URL.
GOOGLE_AMP_VIEWER_HOST = "google.com"
GOOGLE_AMP_VIEWER_PATH = re.compile(r"/amp/(?P<secure>s/)?(?P<rest>[^/]*\.[^/]*(?:/.*)?)")
AMP_CACHE_HOST = "cdn.ampproject.org"
AMP_CACHE_PATH = re.compile(r"/[cvi]/(?P<secure>s/)?(?P<rest>[^/]*\.[^/]*(?:/.*)?)")

# A trailing /amp segment, or .amp at the end of the last segment or just before its .html.
AMP_PATH_SUFFIX = re.compile(r"(?<=[^/])(?:/amp$|\.amp(?=(?:\.html?)?$))")

UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
PERCENT_ESCAPE = re.compile(r"%(?:[0-9A-Fa-f]{2})?")
UNSAFE_IN_PATH = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]")
HOST_LABEL = re.compile(r"[a-z0-9-]{1,63}")
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zs", "Zl", "Zp"})  # controls and white space
# The longest canonical URL a source stores. Escaping can make a URL six times longer than
# typed (é is %C3%A9), so the limit is checked on the canonical spelling, not on the input.
MAX_LENGTH = 2000


class InvalidURL(ValueError):
    """The text is not an http(s) URL that may be stored as a source."""


class _Parts(NamedTuple):
    scheme: str
    host: str
    port: int | None  # None for the scheme's default port
    path: str
    query: str


def is_tracking_parameter(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def _marks_amp(name: str, value: str) -> bool:
    """An ?amp or ?outputType=amp that only asks for the AMP copy of the page."""
    name, value = name.lower(), value.lower()
    return (name == "amp" and value in ("", "1", "true")) or (
        name == "outputtype" and value == "amp"
    )


def _checked_host(host: str) -> str:
    """The lower-case ASCII form of a host name or IP address, or InvalidURL."""
    if ":" in host and "%" not in host:  # an IPv6 address, without a zone
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError as error:
            raise InvalidURL("The IPv6 address in the URL is not valid.") from error
    host = host.rstrip(".")
    if not host:
        raise InvalidURL("The URL has no host name.")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise InvalidURL("The host name is not valid.") from error
    labels = host.split(".")
    if len(host) > 253 or not all(HOST_LABEL.fullmatch(label) for label in labels):
        raise InvalidURL("The host name may only hold letters, digits, hyphens and dots.")
    # No top-level domain is numeric, so such a host must be a whole IPv4 address.
    if labels[-1].isdigit():
        try:
            ipaddress.IPv4Address(host)
        except ValueError as error:
            raise InvalidURL("The IP address in the URL is not valid.") from error
        return host
    # en.m.wikipedia.org: a mobile label inside the name is a copy of the site without it.
    kept = [
        label
        for index, label in enumerate(labels)
        if not (0 < index < len(labels) - 2 and label in MOBILE_HOST_LABELS)
    ]
    return ".".join(kept)


def _without_variant_labels(host: str) -> str:
    """The host without leading www., m., mobile. or amp. labels, keeping at least two labels."""
    labels = host.split(".")
    # Repeated, so that the key of a key is the key itself (www.amp.example.com -> example.com).
    while len(labels) > 2 and labels[0] in VARIANT_HOST_LABELS:
        labels = labels[1:]
    return ".".join(labels)


def _tidy_escapes(path: str) -> str:
    """Upper-case percent-escapes and decode those of unreserved characters (%7e -> ~)."""

    def tidy(match: re.Match) -> str:
        escape = match.group()
        if escape == "%":
            return "%25"  # a bare % stands for itself
        character = chr(int(escape[1:], 16))
        return character if character in UNRESERVED else escape.upper()

    return PERCENT_ESCAPE.sub(tidy, path)


def _without_dot_segments(path: str) -> str:
    """Resolve . and .. segments as a browser does before it sends the request."""
    kept: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    return "/" + "/".join(kept)


def _tidy_path(path: str) -> str:
    """Escape what must be escaped, then drop dot segments, trailing slashes and AMP suffixes."""
    path = UNSAFE_IN_PATH.sub(lambda match: quote(match.group(), safe=""), path)
    # Each step may expose work for another (/a/..amp -> /a/.), so repeat until nothing changes.
    while True:
        shorter = _without_dot_segments(path)
        shorter = shorter.rstrip("/") or "/"
        shorter = AMP_PATH_SUFFIX.sub("", shorter)
        if shorter == path:
            return path
        path = shorter


def _checked_parts(url: str) -> _Parts:
    """Split and check a URL; the path is resolved but not yet tidied."""
    url = url.strip()
    if any(unicodedata.category(character) in FORBIDDEN_CATEGORIES for character in url):
        raise InvalidURL("The URL contains a space or an invisible control character.")
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise InvalidURL(f"Not a valid URL: {error}.") from error
    scheme = parts.scheme.lower()
    if not scheme:
        raise InvalidURL("The URL must start with http:// or https://.")
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL(f"Only http and https URLs can be sources, not {scheme}: links.")
    if "@" in parts.netloc:
        raise InvalidURL("URLs with a user name or password are not accepted.")
    try:
        port = parts.port
    except ValueError as error:
        raise InvalidURL("The port must be a number from 1 to 65535.") from error
    if port == 0:
        raise InvalidURL("The port must be a number from 1 to 65535.")
    host = _checked_host(parts.hostname or "")
    query = urlencode(
        sorted(
            (name, value)
            for name, value in parse_qsl(
                parts.query, keep_blank_values=True, errors="surrogateescape"
            )
            if not is_tracking_parameter(name) and not _marks_amp(name, value)
        ),
        errors="surrogateescape",  # keeps bytes that are not UTF-8 as they were
    )
    return _Parts(
        scheme=scheme,
        host=host,
        port=None if port == DEFAULT_PORTS[scheme] else port,
        path=_without_dot_segments(_tidy_escapes(parts.path or "/")),
        query=query,
    )


def _amp_embedded_url(parts: _Parts) -> str | None:
    """The URL shown by a Google AMP viewer or AMP cache URL, or None for any other URL."""
    # Judged on the host as url_key writes it, so that the key of a key is the key itself.
    site = _without_variant_labels(parts.host)
    if site == GOOGLE_AMP_VIEWER_HOST:
        match = GOOGLE_AMP_VIEWER_PATH.fullmatch(parts.path)
    elif site == AMP_CACHE_HOST or site.endswith(f".{AMP_CACHE_HOST}"):
        match = AMP_CACHE_PATH.fullmatch(parts.path)
    else:
        return None
    if match is None:
        return None
    scheme = "https" if match["secure"] else "http"
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{match['rest']}{query}"


def _canonical_parts(url: str) -> _Parts:
    """The checked parts of a URL, with AMP viewers and caches unwrapped."""
    parts = _checked_parts(url)
    # Each unwrapping drops the outer host, so the loop ends.
    while (embedded := _amp_embedded_url(parts)) is not None:
        try:
            parts = _checked_parts(embedded)
        except InvalidURL as error:
            raise InvalidURL(
                f"The AMP link holds a URL that cannot be a source: {error}"
            ) from error
    return parts._replace(path=_tidy_path(parts.path))


def _spelled_out(parts: _Parts) -> str:
    """The canonical URL the parts make, refused when it is longer than a source may hold."""
    netloc = parts.host if parts.port is None else f"{parts.host}:{parts.port}"
    url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    if len(url) > MAX_LENGTH:
        raise InvalidURL(
            f"The URL is {len(url):,} characters long once its special characters are escaped; "
            f"the limit is {MAX_LENGTH:,}."
        )
    return url


def normalise_url(url: str) -> str:
    """Return the canonical spelling of an http(s) URL, or raise InvalidURL saying why."""
    return _spelled_out(_canonical_parts(url))


def url_key(url: str) -> str:
    """The scheme-less key shared by the http/https and www/bare/m./amp. spellings of a URL."""
    parts = _canonical_parts(url)
    _spelled_out(parts)  # a URL too long to be stored has no key either
    netloc = _without_variant_labels(parts.host)
    # The key has no scheme, so a port is default if it is either scheme's default.
    if parts.port is not None and parts.port not in DEFAULT_PORTS.values():
        netloc = f"{netloc}:{parts.port}"
    query = f"?{parts.query}" if parts.query else ""
    return f"{netloc}{parts.path}{query}"


def domain_of(url: str) -> str:
    """The registrable-looking host of a normalised URL, without a leading www."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def domain_candidates(domain: str) -> list[str]:
    """The domain and each parent domain, most specific first: a.b.example.com ... example.com."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]
