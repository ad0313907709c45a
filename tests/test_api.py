"""The REST API: its schema, reads with their query counts, and writes through the actions."""

import pytest
import schemathesis
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from api import actions as token_actions
from api.routes import api
from articles.models import Article, ArticleFetch
from claims.models import Claim, Evidence, Mention
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, MentionFactory, publish
from tests.factories.sources import EvidenceFactory, OutletFactory, SourceFactory
from tests.test_permissions import external_check

pytestmark = pytest.mark.django_db


def client_with_token(user, *, read_only=False) -> Client:
    _, token = token_actions.create_token(by=user, name="tests", read_only=read_only)
    return Client(headers={"Authorization": f"Bearer {token}"})


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


# The schema.


def api_paths() -> set[str]:
    """Every route under /api/ in the URLconf, as an OpenAPI path ("/api/claims/{id}/")."""
    found = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern) and (prefix + route).startswith("api/"):
                found.add("/" + (prefix + route).replace("<", "{").replace(">", "}"))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_schema_is_openapi_3_and_names_every_api_route():
    schema = api.get_openapi_schema()
    # Checked against the OpenAPI meta-schema of its version (schemathesis ships them).
    schemathesis.openapi.from_dict(schema).validate()
    assert schema["openapi"].startswith("3.")
    # The schema, the docs, the root and the catch-all "no such endpoint" are not operations.
    not_operations = {"/api/openapi.json", "/api/docs", "/api/", "/api/^.*$"}
    routes = {path.replace("{int:", "{") for path in api_paths()} - not_operations
    assert routes == set(schema["paths"])


def test_every_operation_has_a_summary_and_documents_its_refusals():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            codes = {str(code) for code in operation["responses"]}
            assert {"400", "401", "403", "422", "429"} <= codes, where
            if "{id}" in path:
                assert "404" in codes, where
            if method == "post" and path.endswith(("/submit/", "/publish/", "/return/")):
                assert "409" in codes, where


def test_the_docs_page_serves_swagger_from_our_own_static_files(login, researcher):
    response = login(researcher).get("/api/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    # Scripts from our own origin pass the CSP; no inline script is needed.
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_signed_out_the_docs_send_you_to_sign_in_and_the_schema_is_401():
    assert Client().get("/api/docs")["Location"].startswith("/accounts/login/")
    assert Client().get("/api/openapi.json").status_code == 401


def test_a_token_reads_the_schema(researcher):
    assert client_with_token(researcher).get("/api/openapi.json").status_code == 200


def test_an_unknown_address_under_api_is_a_json_404(researcher):
    response = client_with_token(researcher).get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such endpoint."}


def test_a_nul_in_the_query_is_a_json_400(researcher):
    response = client_with_token(researcher).get("/api/claims/?tag=a%00b")
    assert response.status_code == 400
    assert "cannot be stored" in response.json()["detail"]


# Reads, and what they cost.


def claims_with_details(n: int) -> list[Claim]:
    claims = []
    for _ in range(n):
        claim = ClaimFactory()
        MentionFactory(claim=claim)
        EvidenceFactory(claim=claim)
        claims.append(claim)
    return claims


# A token request: the token with its user (1), the user's rights (1), last-used (1, once a
# minute); then the endpoint's own queries.
TOKEN_QUERIES = 3


@pytest.mark.parametrize("n", [1, 30])
def test_the_claims_list_costs_the_same_for_1_claim_and_for_30(
    n, researcher, django_assert_num_queries
):
    claims_with_details(n)
    client = client_with_token(researcher)
    with django_assert_num_queries(TOKEN_QUERIES + 1):
        response = client.get("/api/claims/")
    assert len(response.json()["items"]) == n


@pytest.mark.parametrize("n", [1, 20])
def test_a_claim_costs_the_same_with_1_mention_and_evidence_item_as_with_20(
    n, researcher, django_assert_num_queries
):
    claim = ClaimFactory()
    for _ in range(n):
        MentionFactory(
            claim=claim, article=ArticleFactory(text="Words of an article, long enough.")
        )
        EvidenceFactory(claim=claim)
    client = client_with_token(researcher)
    # The claim, its tags, its mentions with their articles, its evidence with sources.
    with django_assert_num_queries(TOKEN_QUERIES + 4):
        response = client.get(f"/api/claims/{claim.pk}/")
    body = response.json()
    assert len(body["mentions"]) == len(body["evidence"]) == n


@pytest.mark.parametrize(
    ("url", "make", "queries"),
    [
        ("/api/articles/", lambda: ArticleFactory(), 1),
        ("/api/sources/", lambda: SourceFactory(), 1),
        ("/api/outlets/", lambda: OutletFactory(), 1),
        ("/api/fact-checks/", external_check, 1),
    ],
)
@pytest.mark.parametrize("n", [1, 25])
def test_each_list_costs_the_same_for_1_row_and_for_25(
    url, make, queries, n, researcher, django_assert_num_queries
):
    for _ in range(n):
        make()
    client = client_with_token(researcher)
    with django_assert_num_queries(TOKEN_QUERIES + queries):
        assert client.get(url).status_code == 200


def test_an_article_is_read_with_its_text_in_one_query(researcher, django_assert_num_queries):
    article = ArticleFactory()
    client = client_with_token(researcher)
    with django_assert_num_queries(TOKEN_QUERIES + 1):
        body = client.get(f"/api/articles/{article.pk}/").json()
    assert body["text"] == article.text


def test_the_claims_list_takes_the_lists_filters(researcher):
    wanted = ClaimFactory()
    Claim.objects.filter(pk=wanted.pk).update(status="submitted")
    ClaimFactory()
    client = client_with_token(researcher)
    body = client.get("/api/claims/?status=submitted").json()
    assert [item["id"] for item in body["items"]] == [wanted.pk]
    body = client.get(f"/api/claims/?claimant={wanted.claimant.name}&sort=oldest").json()
    assert [item["id"] for item in body["items"]] == [wanted.pk]


def test_a_filter_the_list_would_refuse_is_a_422(researcher):
    response = client_with_token(researcher).get("/api/claims/?status=nonsense")
    assert response.status_code == 422
    assert "status" in response.json()["errors"]


def test_the_claims_list_pages_by_cursor_to_the_end(researcher):
    made = {claim.pk for claim in claims_with_details(5)}
    client = client_with_token(researcher)
    seen, url = [], "/api/claims/?limit=2"
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
    assert len(seen) == 5 and set(seen) == made


def test_a_forged_cursor_is_a_422(researcher):
    response = client_with_token(researcher).get("/api/claims/?cursor=forged")
    assert response.status_code == 422
    assert "cursor" in response.json()["errors"]


def test_a_claim_gives_its_mentions_as_w3c_selectors(researcher):
    claim = ClaimFactory()
    mention = MentionFactory(claim=claim, start=4, length=8)
    body = client_with_token(researcher).get(f"/api/claims/{claim.pk}/").json()
    (given,) = body["mentions"]
    assert given["article"]["id"] == mention.article_id
    assert given["target"]["source"] == mention.article.url
    position, quote = given["target"]["selector"]
    assert position == {"type": "TextPositionSelector", "start": 4, "end": 12}
    assert quote["type"] == "TextQuoteSelector"
    assert quote["exact"] == mention.article.text[4:12] == mention.quote
    assert quote["prefix"] == mention.article.text[:4]


def test_a_published_claim_gives_its_verdict(researcher):
    claim = publish(ClaimFactory(), rating="Misleading", rationale="Half the story.")
    body = client_with_token(researcher).get(f"/api/claims/{claim.pk}/").json()
    assert body["verdict"]["rating"] == "Misleading"
    assert body["verdict"]["rationale"] == "Half the story."
    assert body["verdict"]["public_url"].endswith(f"/public/claims/{claim.pk}/")
    draft = ClaimFactory()
    assert client_with_token(researcher).get(f"/api/claims/{draft.pk}/").json()["verdict"] is None


def test_a_missing_claim_is_a_json_404(researcher):
    response = client_with_token(researcher).get("/api/claims/999999/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_number_past_every_id_is_a_422_not_an_overflow(researcher):
    response = client_with_token(researcher).get("/api/claims/99999999999999999999/")
    assert response.status_code == 422


# Writes.


def test_an_article_is_added_from_its_text(researcher):
    response = post(
        client_with_token(researcher),
        "/api/articles/",
        {"title": "Budget day", "text": "The deficit halved, the minister said."},
    )
    assert response.status_code == 201, response.content
    article = Article.objects.get(pk=response.json()["id"])
    assert article.added_by == researcher
    assert article.history.get().history_user == researcher


def test_the_same_article_twice_is_a_409_naming_the_first(researcher):
    client = client_with_token(researcher)
    data = {"title": "Budget day", "text": "The deficit halved, the minister said."}
    first = post(client, "/api/articles/", data).json()
    response = post(client, "/api/articles/", data)
    assert response.status_code == 409
    assert response.json()["existing_id"] == first["id"]
    assert Article.objects.count() == 1


def test_an_article_from_a_url_is_queued_and_answered_202(researcher, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    response = post(
        client_with_token(researcher), "/api/articles/", {"url": "https://news.example/story"}
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    assert body["status_url"].endswith(f"/api/articles/imports/{body['id']}/")
    fetch = ArticleFetch.objects.get()
    assert fetch.requested_by == researcher
    status = client_with_token(researcher).get(body["status_url"])
    assert status.json()["status"] == "queued"


def test_an_article_without_text_or_url_is_a_422(researcher):
    response = post(client_with_token(researcher), "/api/articles/", {"title": "Nothing"})
    assert response.status_code == 422
    assert not Article.objects.exists()


EMOJI_TEXT = "Fans 🎉🎉 cheered. The stadium holds 90,000 people, the club says."


def test_a_claim_is_tagged_by_utf16_offsets_after_an_emoji(researcher):
    article = ArticleFactory(text=EMOJI_TEXT)
    passage = "The stadium holds 90,000 people"
    # In UTF-16 each emoji takes two units: the browser's offsets are two further on.
    start16 = EMOJI_TEXT.index(passage) + 2
    response = post(
        client_with_token(researcher),
        f"/api/articles/{article.pk}/claims/",
        {
            "start": start16,
            "end": start16 + len(passage),
            "unit": "utf16",
            "text": "The stadium holds 90,000 people.",
            "claimant": "The club",
            "claimant_kind": "organisation",
            "tags": ["Sport"],
        },
    )
    assert response.status_code == 201, response.content
    mention = Mention.objects.get()
    assert mention.quote == passage
    assert mention.start == EMOJI_TEXT.index(passage)
    body = response.json()
    assert body["mention"]["target"]["selector"][1]["exact"] == passage
    assert body["claim"]["claimant"] == "The club"
    assert list(mention.claim.tags.values_list("name", flat=True)) == ["Sport"]
    assert mention.claim.history.first().history_user == researcher


def test_the_same_offsets_in_code_points_are_two_short(researcher):
    article = ArticleFactory(text=EMOJI_TEXT)
    passage = "The stadium holds 90,000 people"
    start = EMOJI_TEXT.index(passage)
    response = post(
        client_with_token(researcher),
        f"/api/articles/{article.pk}/claims/",
        {"start": start, "end": start + len(passage), "text": "The stadium is big."},
    )
    assert response.status_code == 201
    assert Mention.objects.get().quote == passage


def test_an_offset_inside_an_emoji_is_a_422(researcher):
    article = ArticleFactory(text=EMOJI_TEXT)
    response = post(
        client_with_token(researcher),
        f"/api/articles/{article.pk}/claims/",
        {"start": 6, "end": 12, "unit": "utf16", "text": "Fans cheered."},
    )
    assert response.status_code == 422
    assert "inside a character" in response.json()["detail"]
    assert not Claim.objects.exists()


REPEATED = "Prices rose. Wages fell, the union said. Later, prices rose again. Wages fell, too."


def test_a_claim_is_tagged_by_a_quote_with_context(researcher):
    article = ArticleFactory(text=REPEATED)
    selector = [{"type": "TextQuoteSelector", "exact": "Wages fell", "suffix": ", too"}]
    response = post(
        client_with_token(researcher),
        f"/api/articles/{article.pk}/claims/",
        {"selector": selector, "text": "Wages fell."},
    )
    assert response.status_code == 201, response.content
    assert Mention.objects.get().start == REPEATED.rindex("Wages fell")


def test_a_quote_found_twice_without_context_is_a_422_and_nothing_is_stored(researcher):
    article = ArticleFactory(text=REPEATED)
    selector = [{"type": "TextQuoteSelector", "exact": "Wages fell"}]
    response = post(
        client_with_token(researcher),
        f"/api/articles/{article.pk}/claims/",
        {"selector": selector, "text": "Wages fell."},
    )
    assert response.status_code == 422
    assert "occurs 2 times" in response.json()["detail"]
    assert not Claim.objects.exists() and not Mention.objects.exists()


def test_a_quote_not_in_the_article_is_a_422_saying_so(researcher):
    article = ArticleFactory(text=REPEATED)
    selector = [{"type": "TextQuoteSelector", "exact": "Wages doubled"}]
    response = post(
        client_with_token(researcher),
        f"/api/articles/{article.pk}/claims/",
        {"selector": selector, "text": "Wages doubled."},
    )
    assert response.status_code == 422
    assert "is not in the text" in response.json()["detail"]
    assert not Claim.objects.exists()


def test_a_position_that_fits_its_quote_decides_between_repeats(researcher):
    article = ArticleFactory(text=REPEATED)
    second = REPEATED.rindex("Wages fell")
    selector = [
        {"type": "TextQuoteSelector", "exact": "Wages fell"},
        {"type": "TextPositionSelector", "start": second, "end": second + 10},
    ]
    response = post(
        client_with_token(researcher),
        f"/api/articles/{article.pk}/claims/",
        {"selector": selector, "text": "Wages fell."},
    )
    assert response.status_code == 201
    assert Mention.objects.get().start == second


def test_evidence_is_added_through_the_action(researcher):
    claim = ClaimFactory()
    source = SourceFactory()
    response = post(
        client_with_token(researcher),
        f"/api/claims/{claim.pk}/evidence/",
        {"source": f"#{source.pk}", "stance": "contradicts", "excerpt": "Down 2%."},
    )
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    assert evidence.added_by == researcher and evidence.source == source
    claim.refresh_from_db()
    assert claim.contradicts_count == 1


def test_a_published_claim_refuses_evidence(researcher):
    claim = publish(ClaimFactory())
    response = post(
        client_with_token(researcher),
        f"/api/claims/{claim.pk}/evidence/",
        {"source": f"#{SourceFactory().pk}", "stance": "supports"},
    )
    assert response.status_code == 409
    assert "published" in response.json()["detail"]
    assert not Evidence.objects.exists()


def test_a_stale_submit_is_a_409_with_the_current_version_and_what_changed(researcher, reviewer):
    claim = ClaimFactory(created_by=researcher)
    client = client_with_token(researcher)
    assert post(client, f"/api/claims/{claim.pk}/submit/", {"version": 1}).status_code == 200
    # The reviewer sends it back meanwhile; the researcher's copy says version 1.
    reviewer_client = client_with_token(reviewer)
    assert (
        post(reviewer_client, f"/api/claims/{claim.pk}/submit/", {"version": 1}).status_code == 409
    )
    response = post(client, f"/api/claims/{claim.pk}/submit/", {"version": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert any("status" in change for change in body["changes"])


def test_a_claim_goes_through_review_and_is_published(researcher, reviewer):
    claim = ClaimFactory(created_by=researcher)
    EvidenceFactory(claim=claim)
    post(client_with_token(researcher), f"/api/claims/{claim.pk}/submit/", {"version": 1})
    claim.refresh_from_db()
    reviewer_client = client_with_token(reviewer)
    # Publishing needs the review started (the page's "Start review"): refused in this state.
    response = post(
        reviewer_client,
        f"/api/claims/{claim.pk}/publish/",
        {"version": claim.version, "rating": "False", "rationale": "No.", "as_of": "2024-10-20"},
    )
    assert response.status_code == 409
    Claim.objects.filter(pk=claim.pk).update(status="in_review", reviewer=reviewer)
    response = post(
        reviewer_client,
        f"/api/claims/{claim.pk}/publish/",
        {"version": claim.version, "rating": "false", "rationale": "No.", "as_of": "2024-10-20"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["verdict"] == "False"
    assert Claim.objects.get(pk=claim.pk).publications.count() == 1


def test_a_verdict_off_the_scale_is_a_422(reviewer):
    claim = ClaimFactory()
    response = post(
        client_with_token(reviewer),
        f"/api/claims/{claim.pk}/publish/",
        {"version": 1, "rating": "Sort of", "rationale": "Hm.", "as_of": "2024-10-20"},
    )
    assert response.status_code == 422
    assert "rating" in response.json()["errors"]


def test_return_needs_a_note_and_the_right(researcher, reviewer):
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(status="in_review", reviewer=reviewer)
    url = f"/api/claims/{claim.pk}/return/"
    assert post(client_with_token(reviewer), url, {"version": 1}).status_code == 422
    refused = post(client_with_token(researcher), url, {"version": 1, "note": "Fix it."})
    assert refused.status_code == 403
    response = post(client_with_token(reviewer), url, {"version": 1, "note": "Fix it."})
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_a_nul_in_a_body_is_a_422_not_a_database_error(researcher):
    article = ArticleFactory()
    response = post(
        client_with_token(researcher),
        f"/api/articles/{article.pk}/claims/",
        {"start": 0, "end": 5, "text": "bad\u0000text"},
    )
    assert response.status_code == 422
    assert connection.vendor and not Claim.objects.exists()
