"""Links a page draws on every request or once per row, built without reversing each time.

Reversing a URL walks the resolver and quotes every argument: about 60 µs each, and a claim page
draws a few hundred links. A route that takes only an integer id is reversed once per process,
with a placeholder id, and later ids are put in its place.
"""

import functools
from collections.abc import Callable
from urllib.parse import quote_plus

from django.conf import settings
from django.http import QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse

# An id no table reaches, so it can only stand for the id in the reversed URL.
_PLACEHOLDER_PK = 987_654_321_987_654_321


@functools.lru_cache(maxsize=256)
def _around_pk(viewname: str, script_prefix: str, urlconf: str) -> tuple[str, str]:
    url = reverse(viewname, args=[_PLACEHOLDER_PK], urlconf=urlconf)
    before, _, after = url.partition(str(_PLACEHOLDER_PK))
    return before, after


@functools.lru_cache(maxsize=256)
def _fixed(viewname: str, script_prefix: str, urlconf: str) -> str:
    return reverse(viewname, urlconf=urlconf)


def url_for(viewname: str) -> str:
    """reverse(viewname) for a route that takes no argument: reversed once per process.

    Every page's header links to eight such routes; reversing each on every request cost about
    as much as the header's queries.
    """
    return _fixed(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def url_for_pk(viewname: str, pk: int) -> str:
    """reverse(viewname, args=[pk]) for a route whose only argument is an <int:pk>."""
    if not isinstance(pk, int) or isinstance(pk, bool):
        return reverse(viewname, args=[pk])  # let reverse() refuse what is not an id
    # The prefix and the URLconf are part of the key: a test or a mounted site may change them.
    before, after = _around_pk(
        viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    )
    return f"{before}{pk}{after}"


def pk_urls(viewname: str) -> Callable[[int], str]:
    """url_for_pk(viewname, ...) for the many ids of one page: the prefix is looked up once.

    Reading the script prefix and the URLconf (thread- and task-local) was most of what
    url_for_pk cost; a page drawing 150 links asks once per kind of link instead.
    """
    before, after = _around_pk(
        viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    )

    def url(pk: int) -> str:
        if not isinstance(pk, int) or isinstance(pk, bool):
            return reverse(viewname, args=[pk])
        return f"{before}{pk}{after}"

    return url


class NarrowingLinks:
    """Query strings for "only rows like this one": the current filters, one value replaced.

    Equal to `{% querystring key=value cursor=None %}`, but the current query is read once per
    page and each (key, value) is encoded once, however many rows share it.
    """

    def __init__(self, query: QueryDict, *, dropped: tuple[str, ...] = ("cursor",)):
        self._pairs = [
            (key, value) for key, values in query.lists() if key not in dropped for value in values
        ]
        # Each pair is encoded once: a page of fifty rows with a few filters set used to encode
        # every filter again for each link (urlencode encodes pair by pair, so it is the same).
        self._encoded = [_encoded(key, value) for key, value in self._pairs]
        self._built: dict[tuple[str, str], str] = {}

    def narrowed(self, key: str, value) -> str:
        value = str(value)
        link = self._built.get((key, value))
        if link is None:
            parts, replaced = [], False
            for (existing, _), encoded in zip(self._pairs, self._encoded, strict=True):
                if existing != key:
                    parts.append(encoded)
                elif not replaced:  # the new value takes the first one's place, as QueryDict does
                    parts.append(_encoded(key, value))
                    replaced = True
            if not replaced:
                parts.append(_encoded(key, value))
            link = self._built[key, value] = "?" + "&".join(parts)
        return link


def _encoded(key: str, value: str) -> str:
    # One pair as urlencode writes it.
    return f"{quote_plus(key)}={quote_plus(value)}"
