"""lib.links: per-row links built without reversing, equal to what Django would have built."""

import pytest
from django.http import QueryDict
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from lib.links import NarrowingLinks, pk_urls, url_for, url_for_pk

ROUTES = ["claims:detail", "claims:evidence_edit", "sources:detail", "reader:article"]


@pytest.mark.parametrize("viewname", ROUTES)
@pytest.mark.parametrize("pk", [1, 42, 9_000_000_001])
def test_it_builds_the_url_reverse_would(viewname, pk):
    assert url_for_pk(viewname, pk) == reverse(viewname, args=[pk])


def test_it_follows_a_changed_script_prefix():
    set_script_prefix("/desk/")
    try:
        assert (
            url_for_pk("claims:detail", 7)
            == "/desk/claims/7/"
            == reverse("claims:detail", args=[7])
        )
    finally:
        clear_script_prefix()
    assert url_for_pk("claims:detail", 7) == "/claims/7/"


def test_it_lets_reverse_refuse_what_is_not_an_id():
    with pytest.raises(NoReverseMatch):
        url_for_pk("claims:detail", None)
    with pytest.raises(NoReverseMatch):
        url_for_pk("claims:detail", "7/../admin")


def test_the_template_tag_draws_the_same_url():
    html = Template('{% load links %}{% url_for_pk "claims:evidence_edit" pk %}').render(
        Context({"pk": 5})
    )
    assert html == reverse("claims:evidence_edit", args=[5])


QUERIES = [
    "",
    "status=draft",
    "status=draft&cursor=abc",
    "cursor=abc&sort=oldest&claimant=Ada+Lovelace",
    "tag=x&tag=y&claimant=old&claimant=older&mine=on",
    "claimant=%C3%89milie&q=a%26b%3Dc",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize(
    ("key", "value"), [("status", "published"), ("claimant", "Émilie & Co"), ("rating", 3)]
)
def test_a_narrowing_link_equals_the_querystring_tag(query, key, value):
    request = RequestFactory().get("/claims/?" + query)
    expected = Template(f"{{% querystring {key}=value cursor=None %}}").render(
        RequestContext(request, {"value": value})
    )
    assert NarrowingLinks(QueryDict(query)).narrowed(key, value) == expected.replace("&amp;", "&")


@pytest.mark.parametrize("viewname", ROUTES)
def test_pk_urls_builds_the_url_reverse_would(viewname):
    url = pk_urls(viewname)
    assert [url(pk) for pk in (1, 42, 9_000_000_001)] == [
        reverse(viewname, args=[pk]) for pk in (1, 42, 9_000_000_001)
    ]


def test_pk_urls_lets_reverse_refuse_what_is_not_an_id():
    with pytest.raises(NoReverseMatch):
        pk_urls("claims:detail")("7/../admin")


@pytest.mark.parametrize("viewname", ["home", "claims:list", "search", "admin:index"])
def test_url_for_builds_the_url_reverse_would(viewname):
    assert url_for(viewname) == reverse(viewname)


def test_url_for_follows_a_changed_script_prefix():
    set_script_prefix("/desk/")
    try:
        assert url_for("claims:list") == "/desk/claims/" == reverse("claims:list")
    finally:
        clear_script_prefix()
    assert url_for("claims:list") == "/claims/"


def test_the_url_for_tag_draws_the_same_url():
    html = Template('{% load links %}{% url_for "claims:list" %}').render(Context({}))
    assert html == reverse("claims:list")
