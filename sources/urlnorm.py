"""Normalise URLs so that two spellings of one document become one source (no Django imports)."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that track the reader and never change the document.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "ref_src"}
)
TRACKING_PREFIXES = ("utm_",)


class InvalidURL(ValueError):
    """The text is not an http(s) URL that may be stored as a source."""


def is_tracking_parameter(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """Return the canonical spelling of an http(s) URL, or raise InvalidURL saying why."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidURL(f"Not a valid URL: {error}.") from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL("Only http and https URLs can be sources.")
    if parts.username or parts.password:
        raise InvalidURL("URLs with a user name or password are not accepted.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidURL("The URL has no host name.")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise InvalidURL("The host name is not valid.") from error
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = urlencode(
        sorted(
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if not is_tracking_parameter(name)
        )
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def domain_of(url: str) -> str:
    """The registrable-looking host of a normalised URL, without a leading www."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def domain_candidates(domain: str) -> list[str]:
    """The domain and each parent domain, most specific first: a.b.example.com ... example.com."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]
