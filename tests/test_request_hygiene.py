"""Rules every page shares: unstorable parameters refused, private pages, htmx-aware caching."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article
from lib.middleware import MAX_QUERY_VALUE_LENGTH
from lib.text import invalid_code_point
from tests.factories.claims import ClaimFactory

pytestmark = pytest.mark.django_db


def source_suggestions() -> str:
    """The add-evidence type-ahead, which belongs to a claim."""
    return reverse("claims:evidence_sources", args=[ClaimFactory().pk])


TYPE_AHEADS = {
    "claims:choices": "existing_claim",
    "claims:evidence_sources": "source",
    "claims:similar": "text",
}


def type_ahead_url(name: str) -> str:
    return source_suggestions() if name == "claims:evidence_sources" else reverse(name)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("search", {"q": "jobs\x00"}),
        ("claims:choices", {"existing_claim": "a\x00b"}),
        ("claims:similar", {"text": "a\x00b"}),
        ("claims:evidence_sources", {"source": "\x00\x00"}),
        ("claims:list", {"claimant": "x\x00"}),
        ("claims:list", {"q\x00": "x"}),
    ],
)
def test_a_nul_in_the_query_string_is_refused_with_a_message(name, query, login, researcher):
    response = login(researcher).get(type_ahead_url(name), query)
    assert response.status_code == 400
    assert "cannot be stored (U+0000" in response.content.decode()


@pytest.mark.parametrize("name", TYPE_AHEADS)
def test_a_query_value_too_long_to_search_for_is_refused_with_a_message(name, login, researcher):
    # 100,000 characters made SQLite refuse the type-ahead's LIKE pattern: a 500.
    response = login(researcher).get(type_ahead_url(name), {TYPE_AHEADS[name]: "x" * 100_000})
    assert response.status_code == 400
    assert "100,000 characters long; the limit is 10,000" in response.content.decode()


@pytest.mark.parametrize("name", TYPE_AHEADS)
def test_the_longest_query_value_allowed_can_be_searched_for(name, login, researcher):
    longest = "🙂" * MAX_QUERY_VALUE_LENGTH  # four bytes each: the most a LIKE pattern gets
    response = login(researcher).get(type_ahead_url(name), {TYPE_AHEADS[name]: longest})
    assert response.status_code == 200


@pytest.mark.parametrize("text", ["ok", "émoji 🙂", "tab\tand\nbreak"])
def test_ordinary_text_is_storable(text):
    assert invalid_code_point(text) == ""


@pytest.mark.parametrize("text", ["a\x00b", "lone \ud800 surrogate", "not a char \uffff"])
def test_unstorable_code_points_are_named(text):
    assert "cannot be stored" in invalid_code_point(text)


def test_a_text_upload_with_a_nul_after_the_first_8_kb_is_refused_and_stores_nothing(
    login, researcher
):
    content = b"words " * 2000 + b"\x00 and more"
    response = login(researcher).post(
        reverse("articles:create"),
        {"title": "Notes", "file": SimpleUploadedFile("notes.txt", content)},
    )
    assert response.status_code == 200
    assert "cannot be stored (U+0000" in response.content.decode()
    assert not Article.objects.exists()


def test_signed_in_pages_are_private_and_vary_on_htmx(login, researcher):
    response = login(researcher).get(reverse("claims:list"))
    assert "private" in response["Cache-Control"]
    assert "HX-Request" in response["Vary"]


def test_public_output_is_not_marked_private(client):
    response = client.get(reverse("claimreview_feed"))
    assert "private" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("name", ["claims:list", "articles:list", "sources:list", "search"])
def test_a_history_restore_gets_the_whole_page_not_the_fragment(name, login, researcher):
    client = login(researcher)
    fragment = client.get(reverse(name), headers={"HX-Request": "true"}).content.decode()
    restored = client.get(
        reverse(name), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment
    assert "<html" in restored


def test_a_large_upload_of_distinct_words_is_stored_and_searchable(login, researcher):
    # 3.3 MB of words that never repeat gave "string is too long for tsvector" on PostgreSQL.
    words = " ".join(f"w{n:x}q" for n in range(440_000))
    assert len(words) > 3_300_000
    client = login(researcher)
    response = client.post(
        reverse("articles:create"),
        {"title": "Distinct", "file": SimpleUploadedFile("words.txt", words.encode())},
    )
    article = Article.objects.get()
    assert response.status_code == 302 and len(article.text) == len(words)
    found = client.get(reverse("search"), {"q": "w1fq"}).content.decode()
    assert "Distinct" in found


def test_an_uploaded_page_with_a_630_character_title_is_stored_with_it_shortened(login, researcher):
    # SQLite stored it whole past the 500-character column; PostgreSQL refused it with a 500.
    page = f"<html><head><title>{'Long title words ' * 37}</title></head><body><article>"
    page += "<p>" + "The body says something checkable about the economy. " * 10 + "</p></article>"
    response = login(researcher).post(
        reverse("articles:create"), {"file": SimpleUploadedFile("page.html", page.encode())}
    )
    assert response.status_code == 302
    title = Article.objects.get().title
    assert len(title) == 500 and title.endswith("…")
