"""URL normalisation: two spellings of one document give one URL, and one key."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.urlnorm import (
    MAX_LENGTH,
    InvalidURL,
    domain_candidates,
    domain_of,
    normalise_url,
    url_key,
)

BBC = "https://www.bbc.co.uk/news/world-europe-60506682"
GUARDIAN = "https://www.theguardian.com/world/2022/feb/24/russia-attacks-ukraine"
REUTERS = "https://www.reuters.com/world/europe/russia-invades-ukraine-2022-02-24"
KYIV_INDEPENDENT = "https://kyivindependent.com/ukraine-war-latest"
NYT = "https://www.nytimes.com/2022/02/24/world/europe/ukraine-russia-invasion.html"

NORMALISATION_TABLE = [
    # Scheme and host are case-insensitive; a trailing dot on the host changes nothing.
    ("HTTP://Example.COM/a", "http://example.com/a"),
    ("HTTPS://WWW.BBC.CO.UK/news/world-europe-60506682", BBC),
    ("https://www.theguardian.com./world/2022/feb/24/russia-attacks-ukraine", GUARDIAN),
    ("  https://example.com/a  ", "https://example.com/a"),
    ("\thttps://example.com/a\n", "https://example.com/a"),
    # Default ports go; others stay; IPv4 and IPv6 literals are allowed.
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("http://example.com:443/a", "http://example.com:443/a"),
    ("https://www.reuters.com:443/world/europe/", "https://www.reuters.com/world/europe"),
    ("https://example.com:/a", "https://example.com/a"),
    ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/"),
    ("http://[0:0::1]:8080/x", "http://[::1]:8080/x"),
    # Internationalised host names are stored in their ASCII (IDNA) form.
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("https://BÜCHER.example/", "https://xn--bcher-kva.example/"),
    ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
    (
        "https://пример.испытание/путь",
        "https://xn--e1afmkfd.xn--80akhbyknj4f/%D0%BF%D1%83%D1%82%D1%8C",
    ),
    # Trailing slashes and fragments go; the root path stays /.
    ("https://example.com/a/", "https://example.com/a"),
    ("https://www.reuters.com/world/europe//", "https://www.reuters.com/world/europe"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/?", "https://example.com/"),
    ("https://example.com/a#section-2", "https://example.com/a"),
    ("https://kyivindependent.com/ukraine-war-latest/#comments", KYIV_INDEPENDENT),
    # Tracking parameters go, whatever their case; the rest are sorted.
    ("https://example.com/a?utm_source=x&utm_medium=y", "https://example.com/a"),
    ("https://example.com/a?fbclid=1&id=7&gclid=2", "https://example.com/a?id=7"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    (f"{BBC}?at_medium=RSS&at_campaign=KARANGA", BBC),
    (f"{NYT}?smid=nytcore-ios-share&referringSource=articleShare", NYT),
    (f"{NYT}?smid=url-share", NYT),
    (
        f"{GUARDIAN}?utm_term=Autofeed&CMP=twt_gu&utm_medium&utm_source=Twitter",
        f"{GUARDIAN}?CMP=twt_gu",
    ),
    (f"{KYIV_INDEPENDENT}?UTM_Source=telegram&Utm_Campaign=daily", KYIV_INDEPENDENT),
    ("https://example.com/a?gbraid=x&wbraid=y&dclid=z&yclid=1", "https://example.com/a"),
    ("https://example.com/a?msclkid=x&twclid=y&li_fat_id=z&igshid=1", "https://example.com/a"),
    ("https://example.com/a?mc_cid=x&mc_eid=y&_ga=2.1&_gl=1*abc", "https://example.com/a"),
    (
        "https://example.com/a?ref_src=twsrc%5Etfw&ref_url=https%3A%2F%2Fx.com",
        "https://example.com/a",
    ),
    (
        "https://example.com/a?mkt_tok=x&oly_anon_id=y&oly_enc_id=z&vero_id=1",
        "https://example.com/a",
    ),
    ("https://example.com/a?wickedid=x&_hsenc=y&_hsmi=z&hsCtaTracking=1", "https://example.com/a"),
    ("https://example.com/a?s_cid=x&cmpid=y&ocid=z&sr_share=twitter", "https://example.com/a"),
    ("https://www.reuters.com/search?utm_source=x&q=kyiv", "https://www.reuters.com/search?q=kyiv"),
    # Repeated parameters keep every value; the query is written one way.
    ("https://example.com/list?page=2&page=1", "https://example.com/list?page=1&page=2"),
    ("https://example.com/s?q=kyiv%20news", "https://example.com/s?q=kyiv+news"),
    ("https://example.com/s?q=caf%c3%a9", "https://example.com/s?q=caf%C3%A9"),
    ("https://example.com/s?q=café", "https://example.com/s?q=caf%C3%A9"),
    ("https://example.com/s?flag", "https://example.com/s?flag="),
    # AMP query markers go, other values of the same names stay.
    ("https://example.com/story?amp", "https://example.com/story"),
    ("https://example.com/story?amp=1&id=3", "https://example.com/story?id=3"),
    ("https://example.com/story?amp=true", "https://example.com/story"),
    (f"{REUTERS}/?outputType=amp", REUTERS),
    ("https://example.com/story?amp=0", "https://example.com/story?amp=0"),
    ("https://example.com/story?outputType=json", "https://example.com/story?outputType=json"),
    # AMP path suffixes go: a last /amp segment, a .amp extension.
    ("https://example.com/news/story/amp", "https://example.com/news/story"),
    ("https://example.com/news/story/amp/", "https://example.com/news/story"),
    (f"{BBC}.amp", BBC),
    ("https://example.com/story.amp.html", "https://example.com/story.html"),
    ("https://example.com/story.amp/amp", "https://example.com/story"),
    ("https://example.com/amp", "https://example.com/amp"),
    ("https://example.com/news/amp-stories", "https://example.com/news/amp-stories"),
    ("https://example.com/ampere.html", "https://example.com/ampere.html"),
    ("https://example.com/amp/news/story", "https://example.com/amp/news/story"),
    # The Google AMP viewer: /amp/s/ shows an https page, /amp/ an http one.
    ("https://www.google.com/amp/s/www.example.com/story", "https://www.example.com/story"),
    ("https://www.google.com/amp/www.example.com/story", "http://www.example.com/story"),
    ("https://google.com/amp/s/kyivindependent.com/ukraine-war-latest/amp/", KYIV_INDEPENDENT),
    (f"https://www.google.com/amp/s/{BBC[8:]}.amp?amp_js_v=a6&amp_gsa=1&usqp=mq331AQ", BBC),
    (
        "https://www.google.com/amp/s/amp.theguardian.com/world/2022/feb/24/russia-attacks-ukraine",
        "https://amp.theguardian.com/world/2022/feb/24/russia-attacks-ukraine",
    ),
    ("https://www.google.com/amp/s/example.com/s?q=kyiv&amp=1#top", "https://example.com/s?q=kyiv"),
    ("https://www.google.com/amp/s/", "https://www.google.com/amp/s"),
    ("https://m.google.com/amp/s/www.example.com/story", "https://www.example.com/story"),
    ("https://www.google.com/search?q=amp&hl=en", "https://www.google.com/search?hl=en&q=amp"),
    (
        "https://example.com/amp/s/www.bbc.co.uk/news",
        "https://example.com/amp/s/www.bbc.co.uk/news",
    ),
    # The AMP cache: /c/ pages, /v/ viewer pages, /i/ images; s/ means https.
    (
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/story?amp=1",
        "https://www.example.com/story",
    ),
    (
        "https://www-example-com.cdn.ampproject.org/c/www.example.com/story",
        "http://www.example.com/story",
    ),
    (
        f"https://www-reuters-com.cdn.ampproject.org/v/s/{REUTERS[8:]}/?outputType=amp&amp_js_v=0.1",
        REUTERS,
    ),
    (
        "https://example-com.cdn.ampproject.org/i/s/example.com/photo.jpg",
        "https://example.com/photo.jpg",
    ),
    ("https://cdn.ampproject.org/c/s/www.example.com/story", "https://www.example.com/story"),
    (f"https://www.google.com/amp/s/www-bbc-co-uk.cdn.ampproject.org/c/s/{BBC[8:]}.amp", BBC),
    # A mobile label inside the host goes; a leading one is left for url_key.
    ("https://en.m.wikipedia.org/wiki/Kyiv", "https://en.wikipedia.org/wiki/Kyiv"),
    ("https://uk.mobile.example.com/a", "https://uk.example.com/a"),
    ("https://m.bbc.co.uk/news", "https://m.bbc.co.uk/news"),
    ("https://mobile.reuters.com/world", "https://mobile.reuters.com/world"),
    ("https://amp.theguardian.com/world", "https://amp.theguardian.com/world"),
    ("https://m.example.com/", "https://m.example.com/"),
    # Percent-escapes: upper-case hex, unreserved characters decoded, reserved ones kept.
    ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
    ("https://example.com/%7Euser", "https://example.com/~user"),
    ("https://example.com/%41%42C", "https://example.com/ABC"),
    ("https://en.wikipedia.org/wiki/%4Byiv", "https://en.wikipedia.org/wiki/Kyiv"),
    ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
    ("https://example.com/café", "https://example.com/caf%C3%A9"),
    ("https://example.com/100%", "https://example.com/100%25"),
    ("https://example.com/%%41", "https://example.com/%25A"),
    ('https://example.com/a"b', "https://example.com/a%22b"),
    ("https://example.com/a;b=c,d:e@f", "https://example.com/a;b=c,d:e@f"),
    # Dot segments are resolved, as a browser resolves them before it asks.
    ("https://example.com/news/../world/./europe", "https://example.com/world/europe"),
    ("https://example.com/../a", "https://example.com/a"),
    ("https://example.com/a/%2E%2E/b", "https://example.com/b"),
]

URL_KEY_TABLE = [
    (BBC, "bbc.co.uk/news/world-europe-60506682"),
    ("http://www.bbc.co.uk/news/", "bbc.co.uk/news"),
    ("https://m.bbc.co.uk/news", "bbc.co.uk/news"),
    ("https://mobile.reuters.com/world", "reuters.com/world"),
    ("https://amp.theguardian.com/world", "theguardian.com/world"),
    ("https://en.m.wikipedia.org/wiki/Kyiv", "en.wikipedia.org/wiki/Kyiv"),
    ("https://example.com/", "example.com/"),
    ("https://www.example.com", "example.com/"),
    ("https://www.com/", "www.com/"),
    ("https://m.com/a", "m.com/a"),
    ("https://news.example.com/a", "news.example.com/a"),
    ("https://www.amp.example.com/a", "example.com/a"),
    ("https://www.reuters.com/search?q=kyiv&utm_source=x", "reuters.com/search?q=kyiv"),
    ("https://example.com:8443/a", "example.com:8443/a"),
    ("http://example.com:443/a", "example.com/a"),
    ("http://127.0.0.1:8000/", "127.0.0.1:8000/"),
    ("http://[::1]/a", "[::1]/a"),
    ("https://bücher.example/", "xn--bcher-kva.example/"),
]

SAME_DOCUMENT_GROUPS = [
    [
        BBC,
        "http://bbc.co.uk/news/world-europe-60506682/",
        "https://m.bbc.co.uk/news/world-europe-60506682",
        f"{BBC}.amp",
        f"https://www.google.com/amp/s/{BBC[8:]}.amp",
        f"{BBC}?at_medium=RSS&at_campaign=KARANGA#comments",
    ],
    [
        GUARDIAN,
        "https://amp.theguardian.com/world/2022/feb/24/russia-attacks-ukraine",
        "https://www.google.com/amp/s/amp.theguardian.com/world/2022/feb/24/russia-attacks-ukraine",
        "http://theguardian.com/world/2022/feb/24/russia-attacks-ukraine?utm_source=twitter",
    ],
    [
        REUTERS,
        f"{REUTERS}/?outputType=amp",
        f"https://www-reuters-com.cdn.ampproject.org/c/s/{REUTERS[8:]}/?outputType=amp",
        "https://mobile.reuters.com/world/europe/russia-invades-ukraine-2022-02-24",
    ],
    [
        "https://en.wikipedia.org/wiki/Kyiv",
        "https://en.m.wikipedia.org/wiki/Kyiv",
        "http://en.wikipedia.org/wiki/Kyiv#History",
        "https://EN.wikipedia.org/wiki/%4Byiv",
    ],
    [
        KYIV_INDEPENDENT,
        "https://www.kyivindependent.com:443/ukraine-war-latest/?utm_source=telegram",
        "https://kyivindependent.com/ukraine-war-latest/amp",
    ],
    [
        NYT,
        f"{NYT}?smid=nytcore-ios-share&referringSource=articleShare",
        f"http://nytimes.com{NYT[23:]}",
    ],
]

DIFFERENT_DOCUMENTS = [
    (BBC, "https://www.bbc.co.uk/news/world-europe-60506683"),
    ("https://www.reuters.com/search?q=kyiv", "https://www.reuters.com/search?q=kharkiv"),
    ("https://example.com/list?page=2", "https://example.com/list"),
    ("https://news.example.com/a", "https://example.com/a"),
    ("https://en.wikipedia.org/wiki/Kyiv", "https://uk.wikipedia.org/wiki/Kyiv"),
    ("https://example.com:8443/a", "https://example.com/a"),
    ("https://example.com/a%2Fb", "https://example.com/a/b"),
]

REFUSED = [
    ("", "must start with http"),
    ("   ", "must start with http"),
    ("example.com/a", "must start with http"),
    ("www.bbc.co.uk/news", "must start with http"),
    ("//example.com/a", "must start with http"),
    ("javascript:alert(1)", "not javascript: links"),
    ("JavaScript:alert(document.cookie)", "not javascript: links"),
    ("data:text/html,hi", "not data: links"),
    ("mailto:a@example.com", "not mailto: links"),
    ("ftp://example.com/file", "not ftp: links"),
    ("file:///etc/passwd", "not file: links"),
    ("https://user:pass@example.com/", "user name or password"),
    ("https://user@example.com", "user name or password"),
    ("https://u@example.com/", "user name or password"),
    ("https://@example.com/", "user name or password"),
    ("https://example.com/a b", "space"),
    ("https://exa mple.com/", "space"),
    ("https://example.com/a\nb", "control character"),
    ("https://example.com/\x00", "control character"),
    ("https://example.com\u3000/a", "space"),
    ("https://example.com:99999/", "port"),
    ("https://example.com:0/", "port"),
    ("https://example.com:http/", "port"),
    ("https:///a", "no host"),
    ("https://", "no host"),
    ("https://exa_mple.com/", "letters, digits, hyphens and dots"),
    ("https://exa$mple.com/", "letters, digits, hyphens and dots"),
    ("https://a..b.com/", "host name is not valid"),
    ("https://1.2.3/", "IP address"),
    ("https://256.1.1.1/", "IP address"),
    ("http://[::g]/", "IPv6"),
    ("https://www.google.com/amp/s/exa_mple.com/story", "AMP link"),
    # 1,920 characters as typed, 11,420 once each é is escaped: too long to store.
    ("https://example.com/" + "é" * 1900, "11,420 characters long once"),
    ("https://example.com/" + "a" * 1981, "2,001 characters long once"),
]


@pytest.mark.parametrize(("url", "expected"), NORMALISATION_TABLE)
def test_normalisation(url, expected):
    assert normalise_url(url) == expected


@pytest.mark.parametrize(("url", "_"), NORMALISATION_TABLE)
def test_normalising_twice_changes_nothing(url, _):
    once = normalise_url(url)
    assert normalise_url(once) == once


@pytest.mark.parametrize(("url", "message"), REFUSED)
def test_urls_that_cannot_be_sources_are_refused_with_a_reason(url, message):
    with pytest.raises(InvalidURL, match=message):
        normalise_url(url)
    with pytest.raises(InvalidURL, match=message):
        url_key(url)


@pytest.mark.parametrize(("url", "key"), URL_KEY_TABLE)
def test_url_key(url, key):
    assert url_key(url) == key
    assert url_key(f"https://{key}") == key


@pytest.mark.parametrize("spellings", SAME_DOCUMENT_GROUPS)
def test_spellings_of_one_document_share_a_key(spellings):
    assert len({url_key(url) for url in spellings}) == 1


@pytest.mark.parametrize(("first", "second"), DIFFERENT_DOCUMENTS)
def test_different_documents_have_different_keys(first, second):
    assert url_key(first) != url_key(second)


def test_a_url_exactly_as_long_as_a_source_may_hold_is_kept():
    url = "https://example.com/" + "a" * (MAX_LENGTH - len("https://example.com/"))
    assert normalise_url(url) == url
    assert url_key(url) == url.removeprefix("https://")


def test_the_tables_cover_enough_cases():
    assert len(NORMALISATION_TABLE) >= 60
    assert len(URL_KEY_TABLE) + sum(map(len, SAME_DOCUMENT_GROUPS)) >= 15
    assert len(REFUSED) >= 12


def test_domain_of_drops_a_leading_www():
    assert domain_of(normalise_url("https://WWW.BBC.co.uk/news")) == "bbc.co.uk"
    assert domain_of("https://en.wikipedia.org/wiki/Kyiv") == "en.wikipedia.org"


def test_domain_candidates_go_from_the_host_to_its_parents():
    assert domain_candidates("world.kbs.co.kr") == ["world.kbs.co.kr", "kbs.co.kr", "co.kr"]


# Properties over generated URLs.

TRACKING = ["utm_source", "utm_campaign", "fbclid", "gclid", "msclkid", "_ga", "smid", "at_medium"]
LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?", fullmatch=True) | st.sampled_from(
    ["m", "mobile", "amp", "www", "news", "bücher", "пример"]
)
TOP_LEVEL = st.sampled_from(["com", "org", "co.uk", "news", "xn--p1ai", "укр"])
PATH_CHARACTERS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%\"<>^`{|}\\[]é€🙂"
SEGMENT = st.text(PATH_CHARACTERS, max_size=8) | st.sampled_from(
    ["amp", ".", "..", "story.amp", "index.amp.html", "%7e", "%2f", "%41", "%", "café", ""]
)
# Without dot segments, which would climb out of a URL wrapped inside another one.
PLAIN_SEGMENT = st.text(
    string.ascii_letters + string.digits + "-_~é", max_size=8
) | st.sampled_from(["amp", "story.amp", "index.amp.html", "%7e", "%2f", "café"])
QUERY_TEXT = st.text(string.ascii_letters + string.digits + "-._~%+=:/é", max_size=6)
PARAMETER = st.tuples(
    st.sampled_from(["id", "page", "q", "amp", "outputType", "Q"]) | QUERY_TEXT, QUERY_TEXT
)


@st.composite
def url_parts(draw, segments=SEGMENT):
    """The pieces of an accepted URL, to be put together with or without variations."""
    return {
        "scheme": draw(st.sampled_from(["http", "https", "HTTPS", "Http"])),
        "prefix": draw(st.sampled_from(["", "www.", "m.", "mobile.", "amp."])),
        "host": ".".join([*draw(st.lists(LABEL, min_size=1, max_size=3)), draw(TOP_LEVEL)]),
        "port": draw(st.none() | st.integers(1, 65535)),
        "path": "/".join(draw(st.lists(segments, max_size=4))),
        "slash": draw(st.booleans()),
        "query": draw(st.lists(PARAMETER, max_size=3)),
    }


def assemble(parts, *, fragment="", tracking=(), default_port=False, upper_host=False):
    host = parts["prefix"] + parts["host"]
    port = parts["port"]
    if default_port and port is None:
        port = 443 if parts["scheme"].lower() == "https" else 80
    netloc = (host.upper() if upper_host else host) + ("" if port is None else f":{port}")
    path = "/" + parts["path"] + ("/" if parts["slash"] else "")
    query = "&".join(f"{name}={value}" for name, value in [*parts["query"], *tracking])
    return f"{parts['scheme']}://{netloc}{path}{'?' + query if query else ''}{fragment}"


@settings(max_examples=300, deadline=None)
@given(url_parts())
def test_normalising_twice_changes_nothing_for_generated_urls(parts):
    once = normalise_url(assemble(parts))
    assert normalise_url(once) == once


@settings(max_examples=300, deadline=None)
@given(url_parts())
def test_the_key_is_the_key_of_the_normalised_url_and_of_itself(parts):
    url = assemble(parts)
    key = url_key(url)
    assert url_key(normalise_url(url)) == key
    assert url_key(f"https://{key}") == key


@settings(max_examples=300, deadline=None)
@given(
    url_parts(),
    st.lists(st.tuples(st.sampled_from(TRACKING), QUERY_TEXT), min_size=1, max_size=3),
    st.text(string.ascii_letters + string.digits + "-_#/?", max_size=10),
)
def test_tracking_fragments_host_case_and_default_ports_change_nothing(parts, tracking, fragment):
    plain = normalise_url(assemble(parts))
    assert normalise_url(assemble(parts, tracking=tracking)) == plain
    assert normalise_url(assemble(parts, fragment=f"#{fragment}")) == plain
    assert normalise_url(assemble(parts, upper_host=True)) == plain
    assert normalise_url(assemble(parts, default_port=True)) == plain


@settings(max_examples=300, deadline=None)
@given(url_parts())
def test_adding_www_keeps_the_key(parts):
    with_www = {**parts, "prefix": "www." + parts["prefix"]}
    assert url_key(assemble(with_www)) == url_key(assemble(parts))


@settings(max_examples=300, deadline=None)
@given(
    url_parts(segments=PLAIN_SEGMENT),
    st.sampled_from(["www.google.com/amp", "a-b.cdn.ampproject.org/c"]),
)
def test_amp_viewers_and_caches_show_the_page_they_wrap(parts, wrapper):
    url = assemble(parts)
    scheme, rest = url.split("://", 1)
    secure = "s/" if scheme.lower() == "https" else ""
    assert normalise_url(f"https://{wrapper}/{secure}{rest}") == normalise_url(url)
