"""URL normalisation: two spellings of one document give one URL."""

import pytest

from sources.urlnorm import InvalidURL, domain_candidates, normalise_url

SAME_DOCUMENT = [
    ("HTTP://Example.COM/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("https://example.com/a/", "https://example.com/a"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/a#section-2", "https://example.com/a"),
    ("https://example.com/a?utm_source=x&utm_medium=y", "https://example.com/a"),
    ("https://example.com/a?fbclid=1&id=7&gclid=2", "https://example.com/a?id=7"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("  https://example.com/a  ", "https://example.com/a"),
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
]


@pytest.mark.parametrize(("url", "expected"), SAME_DOCUMENT)
def test_normalisation(url, expected):
    assert normalise_url(url) == expected


@pytest.mark.parametrize(("url", "_"), SAME_DOCUMENT)
def test_normalising_twice_changes_nothing(url, _):
    once = normalise_url(url)
    assert normalise_url(once) == once


@pytest.mark.parametrize(
    "url",
    ["", "example.com/a", "mailto:a@example.com", "data:text/html,hi", "https://u@example.com/"],
)
def test_urls_that_cannot_be_sources_are_refused(url):
    with pytest.raises(InvalidURL):
        normalise_url(url)


def test_domain_candidates_go_from_the_host_to_its_parents():
    assert domain_candidates("world.kbs.co.kr") == ["world.kbs.co.kr", "kbs.co.kr", "co.kr"]
