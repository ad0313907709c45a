"""Has this been checked before? Vectors kept per claim, suggestions by meaning, and their pages."""

import json
import socket
from html import unescape
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from claims import actions, matching
from claims.models import Claim, ClaimEmbedding, Mention
from lib.embedding import CodeIndex, WordLlamaEmbedder, compact, embedder
from sources import actions as sources_actions
from sources.models import ExternalFactCheck, ExternalFactCheckEmbedding
from tests.conftest import SHARED_DATA, make_user, skip_or_fail
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, publish

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
FACTS = [
    "The unemployment rate fell to 3.5 percent in September.",
    "Wind farms supplied half of Scotland's electricity last year.",
    "The new bridge over the Danube cost 200 million euros.",
    "Vaccines cause autism in young children.",
    "The president vetoed the farm subsidy bill on Friday.",
]
REWORDED_WIND = "Half the power used in Scotland last year came from wind turbines."


def claims_of(texts, by) -> list[Claim]:
    return [actions.create_claim(text=text, by=by) for text in texts]


@pytest.fixture
def desk(researcher):
    return claims_of(FACTS, researcher)


def checks_of(texts, by) -> list[ExternalFactCheck]:
    """Other organisations' fact-checks of these claims, imported as a source admin would."""
    reviews = [
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"https://checker.example/checks/{n}",
            "claimReviewed": text,
            "datePublished": "2024-03-05",
            "author": {"@type": "Organization", "name": "Example Checker"},
            "reviewRating": {"@type": "Rating", "alternateName": "Mostly false"},
        }
        for n, text in enumerate(texts)
    ]
    sources_actions.import_fact_check_file(json.dumps(reviews), by=by)
    return list(ExternalFactCheck.objects.filter(claim_reviewed__in=texts).order_by("pk"))


def test_the_model_loads_from_its_wheel_with_the_network_refused(tmp_path, monkeypatch):
    def refused(*args, **kwargs):
        raise OSError("network refused in this test")

    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    embedder = WordLlamaEmbedder(tmp_path / "model")
    vectors = embedder.embed(["Wind supplied half of Scotland's power.", REWORDED_WIND])
    assert vectors.shape == (2, 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert float(vectors[0] @ vectors[1]) > 0.6
    assert (tmp_path / "model" / "tokenizers" / "l2_supercat_tokenizer_config.json").exists()


def test_compact_vectors_keep_the_cosine():
    vectors = embedder().embed(FACTS)
    (code, values), *_ = compact(vectors)
    assert len(code) == 32 and len(values) == 256
    restored = np.frombuffer(values, dtype=np.int8).astype(np.float32)
    cosine = restored @ vectors[0] / np.linalg.norm(restored)
    assert cosine > 0.999


def test_the_code_index_finds_the_nearest_and_takes_a_new_code_for_a_known_item():
    index = CodeIndex()
    zeros, ones = bytes(32), b"\xff" * 32
    index.add([(1, 10, zeros), (2, 11, ones)])
    assert index.nearest(np.frombuffer(zeros, dtype=np.uint64), 1) == [10]
    index.add([(3, 10, ones)])  # item 10 reworded
    assert len(index) == 2 and index.last_row == 3
    assert sorted(index.nearest(np.frombuffer(ones, dtype=np.uint64), 2)) == [10, 11]
    assert index.nearest(np.frombuffer(zeros, dtype=np.uint64), 5) in ([10, 11], [11, 10])


def test_a_new_claim_gets_its_vector_and_a_rewording_replaces_it(researcher):
    claim = actions.create_claim(text=FACTS[0], by=researcher)
    first = ClaimEmbedding.objects.get(claim=claim)
    assert first.model == embedder().name and len(first.vector) == 256
    actions.edit_claim(
        claim, text=FACTS[0], claimant_name="Someone", claimed_on=None, by=researcher,
        seen_version=claim.version,
    )  # fmt: skip
    assert ClaimEmbedding.objects.get(claim=claim).pk == first.pk  # same words: kept
    claim.refresh_from_db()
    actions.edit_claim(
        claim, text=FACTS[1], claimant_name="", claimed_on=None, by=researcher,
        seen_version=claim.version,
    )  # fmt: skip
    second = ClaimEmbedding.objects.get(claim=claim)
    assert second.pk > first.pk and bytes(second.vector) != bytes(first.vector)


def test_a_paraphrase_finds_its_claim_first_and_confidently(desk):
    found = matching.suggest(REWORDED_WIND)
    assert found[0].id == desk[1].pk and found[0].confident
    assert found[0].kind == "claim" and found[0].url == desk[1].get_absolute_url()
    assert len(found) == 5 and [s.score for s in found] == sorted(
        (s.score for s in found), reverse=True
    )


def test_an_unrelated_text_gets_no_confident_suggestion(desk):
    found = matching.suggest("Octopuses have three hearts and blue blood.")
    assert found and not any(suggestion.confident for suggestion in found)


def test_a_claim_is_not_suggested_as_similar_to_itself(desk):
    found = matching.suggest(FACTS[1], exclude_claim=desk[1].pk)
    assert desk[1].pk not in [suggestion.id for suggestion in found]


def test_a_published_claim_says_its_verdict_date_and_reviewer(desk, reviewer):
    publish(desk[1], reviewer=reviewer)
    best = matching.suggest(REWORDED_WIND)[0]
    assert best.verdict and best.tone and best.checked_by == reviewer.get_username()
    assert best.date is not None and best.state == "published"


def test_a_claim_added_after_the_index_was_read_is_found_next_time(desk, researcher):
    assert matching.suggest("Cats were banned from the parliament building.")[0].score < 0.75
    late = actions.create_claim(text="Cats are banned from the parliament building.", by=researcher)
    assert matching.suggest("Cats were banned from the parliament building.")[0].id == late.pk


def test_claims_without_vectors_are_still_matched_by_their_words():
    claim = ClaimFactory(text="The harbour tunnel flooded twice in March.")
    assert not ClaimEmbedding.objects.exists()
    assert matching.suggest("The harbour tunnel flooded in March.")[0].id == claim.pk


def test_suggestions_cost_the_same_queries_for_5_records_of_each_kind_and_for_50(
    researcher, source_admin, django_assert_num_queries
):
    claims_of(FACTS, researcher)
    checks_of(FACTS, source_admin)
    matching.suggest("warm-up")  # the indexes' first read
    # Three a kind: new codes, full-text matches, the candidates with their vectors.
    with django_assert_num_queries(6):
        matching.suggest(REWORDED_WIND)
    claims_of([f"Claim number {n} about the harbour tunnel." for n in range(45)], researcher)
    checks_of([f"Check number {n} of the harbour tunnel." for n in range(45)], source_admin)
    matching.suggest("warm-up")
    with django_assert_num_queries(6):
        matching.suggest(REWORDED_WIND)


def test_the_backfill_embeds_claims_without_vectors_and_then_has_nothing_to_do():
    claims = [ClaimFactory(text=text) for text in FACTS]
    out = StringIO()
    call_command("embed_claims", batch=2, stdout=out)
    assert "Embedded 5 claims" in out.getvalue()
    assert ClaimEmbedding.objects.filter(claim__in=claims).count() == 5
    out = StringIO()
    call_command("embed_claims", stdout=out)
    assert "Embedded 0 claims" in out.getvalue()


def test_the_backfill_replaces_vectors_of_another_model():
    claim = ClaimFactory(text=FACTS[0])
    ClaimEmbedding.objects.create(claim=claim, model="older", code=bytes(32), vector=bytes(256))
    call_command("embed_claims", stdout=StringIO())
    assert ClaimEmbedding.objects.get(claim=claim).model == embedder().name


def test_generated_claims_come_with_their_vectors():
    call_command("generate_data", claims=50, seed=3, stdout=StringIO())
    assert ClaimEmbedding.objects.count() == Claim.objects.count() == 50
    assert not Claim.objects.filter(embedding__isnull=True).exists()


# The pages.


def test_the_similar_claims_page_and_its_fragment(desk, login, researcher):
    url = reverse("claims:similar")
    page = unescape(login(researcher).get(url, {"text": REWORDED_WIND}).content.decode())
    assert "<h1>" in page and FACTS[1] in page and "likely the same claim" in page
    fragment = login(researcher).get(url, {"text": REWORDED_WIND}, headers=HTMX)
    fragment = unescape(fragment.content.decode())
    assert "<h1>" not in fragment and FACTS[1] in fragment
    assert "Same claim: link this passage to it" not in fragment
    for_tagging = login(researcher).get(
        url, {"text": REWORDED_WIND, "for_tagging": "1"}, headers=HTMX
    )
    assert f'name="same_as" value="{desk[1].pk}"' in for_tagging.content.decode()


def test_the_similar_claims_of_a_claim_leave_it_out(desk, login, researcher):
    response = login(researcher).get(reverse("claims:similar"), {"claim": desk[1].pk})
    assert response.status_code == 200
    assert [s.id for s in response.context["suggestions"]].count(desk[1].pk) == 0
    assert login(researcher).get(reverse("claims:similar"), {"claim": "x"}).status_code == 404


def test_the_similar_claims_fragment_costs_the_same_for_5_records_and_50(
    researcher, source_admin, login, django_assert_num_queries
):
    client = login(researcher)
    claims_of(FACTS, researcher)
    checks_of(FACTS, source_admin)
    url = reverse("claims:similar")
    client.get(url, {"text": "warm-up"}, headers=HTMX)
    # The fragment's own two (session, the user with their rights), the matcher's three a kind.
    with django_assert_num_queries(8):
        client.get(url, {"text": REWORDED_WIND, "for_tagging": "1"}, headers=HTMX)
    claims_of([f"Claim number {n} about the harbour tunnel." for n in range(45)], researcher)
    checks_of([f"Check number {n} of the harbour tunnel." for n in range(45)], source_admin)
    client.get(url, {"text": "warm-up"}, headers=HTMX)
    with django_assert_num_queries(8):
        client.get(url, {"text": REWORDED_WIND, "for_tagging": "1"}, headers=HTMX)


def test_the_claim_page_offers_its_similar_claims_without_drawing_them(desk, login, researcher):
    page = login(researcher).get(desk[1].get_absolute_url()).content.decode()
    assert "Similar claims" in page
    assert f"{reverse('claims:similar')}?claim={desk[1].pk}" in page


@pytest.fixture
def article(db):
    return ArticleFactory(text="Intro. Half of Scotland's power came from wind. The end.")


def passage_of(article, words: str) -> dict:
    start = article.text.index(words)
    return {"start": start, "end": start + len(words), "passage": words}


def test_checking_for_similar_claims_without_javascript_saves_nothing_and_keeps_the_form(
    desk, article, login, researcher
):
    before = Claim.objects.count()
    data = {
        **passage_of(article, "Half of Scotland's power came from wind"),
        "text": REWORDED_WIND,
        "claimant": "A Typed Name",
        "check_similar": "1",
    }
    response = login(researcher).post(reverse("reader:tag", args=[article.pk]), data)
    page = unescape(response.content.decode())
    assert response.status_code == 200 and Claim.objects.count() == before
    assert "A Typed Name" in page and REWORDED_WIND in page
    assert f'name="same_as" value="{desk[1].pk}"' in page


def test_same_claim_links_the_passage_to_it_instead_of_making_a_new_claim(
    desk, article, login, researcher
):
    before = Claim.objects.count()
    data = {
        **passage_of(article, "Half of Scotland's power came from wind"),
        "text": REWORDED_WIND,
        "same_as": str(desk[1].pk),
    }
    response = login(researcher).post(reverse("reader:tag", args=[article.pk]), data)
    assert response.status_code == 302 and Claim.objects.count() == before
    mention = Mention.objects.get(article=article)
    assert mention.claim_id == desk[1].pk


def test_the_link_type_ahead_ranks_by_meaning(desk, login, researcher):
    response = login(researcher).get(reverse("claims:choices"), {"existing_claim": REWORDED_WIND})
    options = response.content.decode()
    assert options.index(f'value="#{desk[1].pk} ') < options.index(f'value="#{desk[0].pk} ')


def test_a_picked_option_stays_first_in_the_type_ahead(desk, login, researcher):
    picked = f"#{desk[3].pk} {FACTS[3]}"
    options = login(researcher).get(reverse("claims:choices"), {"existing_claim": picked})
    assert options.content.decode().startswith(f'<option value="#{desk[3].pk} ')


def test_the_tag_form_asks_for_similar_claims_as_the_claim_is_written(article, login, researcher):
    page = login(researcher).get(reverse("reader:tag", args=[article.pk])).content.decode()
    assert f'hx-get="{reverse("claims:similar")}"' in page and 'hx-include="#id_text"' in page
    assert "Check for similar claims" in page


# The benchmark's set, on a few of its queries (bench/matching.py measures all of it).


def test_a_subset_of_the_paraphrase_benchmark_is_found():
    averitec = SHARED_DATA / "averitec" / "dev.json"
    if not averitec.exists():
        skip_or_fail("no-shared-data")
    from bench.matching import PARAPHRASES, evaluate, load_claims, queries

    claims = [row["claim"] for row in json.loads(averitec.read_text())]
    ids = load_claims(claims)
    asked = queries(claims, json.loads(PARAPHRASES.read_text()))
    subset = [q for q in asked if q.kind != "unrelated"][::4] + [
        q for q in asked if q.kind == "unrelated"
    ][:8]
    quality = evaluate(claims, ids, subset)
    assert quality.recall(quality.at_5) >= 0.9
    assert quality.recall(quality.at_1) >= 0.8
    assert quality.confident_unrelated == 0


def test_a_user_without_a_role_is_refused_the_similar_claims(login, desk):
    outsider = make_user("nobody")
    response = login(outsider).get(reverse("claims:similar"), {"text": REWORDED_WIND})
    assert response.status_code == 403


def test_another_kind_of_record_is_ranked_with_the_claims(desk):
    """External fact-checks will plug in as a Kind: here a stand-in reading the same rows."""

    class Elsewhere(matching.Claims):
        name = "elsewhere"

    found = matching.suggest(REWORDED_WIND, limit=4, kinds=[matching.Claims(), Elsewhere()])
    assert [(s.kind, s.id) for s in found[:2]] == [
        ("claim", desk[1].pk),
        ("elsewhere", desk[1].pk),
    ]
    assert found[0].score == found[1].score


def test_the_code_index_keeps_the_latest_code_of_an_item_within_and_across_batches():
    index = CodeIndex()
    zeros, ones = bytes(32), b"\xff" * 32
    index.add([(1, 10, ones), (2, 11, ones), (3, 10, zeros)])  # 10 reworded in the same batch
    assert len(index) == 2
    assert index.nearest(np.frombuffer(zeros, dtype=np.uint64), 1) == [10]
    index.add([(4, 11, zeros), (5, 10, ones), (6, 12, ones)])
    assert len(index) == 3 and index.last_row == 6
    assert index.nearest(np.frombuffer(zeros, dtype=np.uint64), 1) == [11]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "🙂" * 3000, "OR AND NOT \" ' ( ) * : ^", "-", "DROP TABLE claims_claim; --"],
)
def test_odd_texts_get_an_answer_not_an_error(desk, text):
    found = matching.suggest(text)
    assert isinstance(found, list) and not any(s.confident for s in found)


def test_a_merged_duplicate_is_never_suggested_its_survivor_is(desk, researcher, reviewer):
    duplicate = actions.create_claim(text=REWORDED_WIND, by=researcher)
    assert matching.suggest(REWORDED_WIND)[0].id == duplicate.pk  # its own words, first
    actions.merge_claims(
        desk[1],
        duplicate,
        by=reviewer,
        reason="The same statement, tagged twice.",
        seen_versions=(desk[1].version, duplicate.version),
    )
    found = matching.suggest(REWORDED_WIND, limit=10)
    assert duplicate.pk not in [s.id for s in found]
    assert found[0].id == desk[1].pk


# External fact-checks: other organisations' reviews, matched as a second kind.

WIND_CHECKED = "Wind turbines produced half of Scotland's electricity last year."


def test_imported_fact_checks_get_their_vectors_from_one_call_of_the_model(
    source_admin, monkeypatch
):
    calls = []
    model = embedder()
    original = type(model).embed
    monkeypatch.setattr(
        type(model), "embed", lambda self, texts: calls.append(len(texts)) or original(self, texts)
    )
    checks = checks_of(FACTS, source_admin)
    assert calls == [5]
    stored = ExternalFactCheckEmbedding.objects.filter(external_check__in=checks)
    assert stored.count() == 5 and {row.model for row in stored} == {model.name}
    checks_of(FACTS, source_admin)  # the same file again: nothing new, nothing embedded
    assert calls == [5]


def test_a_corrected_claim_gets_a_new_vector(source_admin):
    (check,) = checks_of([FACTS[0]], source_admin)
    first = ExternalFactCheckEmbedding.objects.get(external_check=check)
    sources_actions.edit_external_fact_check(
        check, by=source_admin, seen_version=check.version, changes={"claim_reviewed": FACTS[1]}
    )
    second = ExternalFactCheckEmbedding.objects.get(external_check=check)
    assert second.pk > first.pk and bytes(second.vector) != bytes(first.vector)
    assert matching.suggest(REWORDED_WIND)[0].id == check.pk


def test_the_fact_check_backfill_embeds_those_without_vectors_and_then_has_nothing_to_do(
    source_admin,
):
    checks = checks_of(FACTS, source_admin)
    ExternalFactCheckEmbedding.objects.all().delete()
    ExternalFactCheckEmbedding.objects.create(
        external_check=checks[0], model="older", code=bytes(32), vector=bytes(256)
    )
    out = StringIO()
    call_command("embed_fact_checks", batch=2, stdout=out)
    assert "Embedded 5 external fact-checks" in out.getvalue()
    stored = ExternalFactCheckEmbedding.objects.filter(external_check__in=checks)
    assert {row.model for row in stored} == {embedder().name} and stored.count() == 5
    out = StringIO()
    call_command("embed_fact_checks", stdout=out)
    assert "Embedded 0 external fact-checks" in out.getvalue()


def test_an_external_check_is_suggested_with_who_checked_it_as_what_and_when(source_admin):
    checks = checks_of(FACTS, source_admin)
    best = matching.suggest(REWORDED_WIND)[0]
    assert (best.kind, best.id) == ("external", checks[1].pk) and best.is_external
    assert best.confident and best.verdict == "Mostly false" and best.tone == "mostly-false"
    assert best.checked_by == "Example Checker" and str(best.date) == "2024-03-05"
    assert best.external_url == "https://checker.example/checks/1"
    assert best.url == checks[1].get_absolute_url()


def test_claims_and_external_checks_are_ranked_together_best_first(desk, source_admin):
    (check,) = checks_of([WIND_CHECKED], source_admin)
    found = matching.suggest(REWORDED_WIND)
    kinds = {(s.kind, s.id) for s in found[:2]}
    assert kinds == {("claim", desk[1].pk), ("external", check.pk)}
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_the_link_type_ahead_offers_claims_only(desk, source_admin, login, researcher):
    checks_of([WIND_CHECKED], source_admin)
    response = login(researcher).get(reverse("claims:choices"), {"existing_claim": REWORDED_WIND})
    assert all(s.kind == "claim" for s in response.context["claims"])


def test_the_tag_form_shows_an_external_check_as_information_with_a_link_out(
    source_admin, login, researcher
):
    checks = checks_of(FACTS, source_admin)
    fragment = login(researcher).get(
        reverse("claims:similar"), {"text": REWORDED_WIND, "for_tagging": "1"}, headers=HTMX
    )
    page = unescape(fragment.content.decode())
    assert "Checked by Example Checker as" in page and "Mostly false" in page
    assert "on 5 March 2024" in page
    assert 'href="https://checker.example/checks/1"' in page
    assert f'name="checked_elsewhere" value="{checks[1].pk}"' in page
    assert f'name="same_as" value="{checks[1].pk}"' not in page  # not a claim to add a mention to
    assert "Checked elsewhere: link this claim to it" not in page  # no claim yet


def test_checking_without_javascript_lists_external_checks_too(
    source_admin, article, login, researcher
):
    checks = checks_of(FACTS, source_admin)
    data = {
        **passage_of(article, "Half of Scotland's power came from wind"),
        "text": REWORDED_WIND,
        "check_similar": "1",
    }
    page = login(researcher).post(reverse("reader:tag", args=[article.pk]), data)
    assert f'name="checked_elsewhere" value="{checks[1].pk}"' in page.content.decode()


def test_saving_linked_to_a_check_makes_the_claim_and_its_link_together(
    source_admin, article, login, researcher
):
    checks = checks_of(FACTS, source_admin)
    data = {
        **passage_of(article, "Half of Scotland's power came from wind"),
        "text": REWORDED_WIND,
        "checked_elsewhere": str(checks[1].pk),
    }
    response = login(researcher).post(reverse("reader:tag", args=[article.pk]), data)
    assert response.status_code == 302
    claim = Mention.objects.get(article=article).claim
    assert claim.text == REWORDED_WIND
    assert list(claim.external_check_links.values_list("external_check", flat=True)) == [
        checks[1].pk
    ]


def test_a_check_that_is_gone_is_refused_on_the_tag_form_and_nothing_is_saved(
    source_admin, article, login, researcher
):
    before = Claim.objects.count()
    data = {
        **passage_of(article, "Half of Scotland's power came from wind"),
        "text": REWORDED_WIND,
        "claimant": "A Typed Name",
        "checked_elsewhere": "999999",
    }
    response = login(researcher).post(reverse("reader:tag", args=[article.pk]), data)
    page = unescape(response.content.decode())
    assert response.status_code == 200 and Claim.objects.count() == before
    assert "That external fact-check is no longer here." in page and "A Typed Name" in page


def test_the_claim_page_offers_to_link_a_similar_external_check_in_one_click(
    desk, source_admin, login, researcher
):
    checks = checks_of([WIND_CHECKED], source_admin)
    client = login(researcher)
    url = reverse("claims:similar")
    page = unescape(client.get(url, {"claim": desk[1].pk}, headers=HTMX).content.decode())
    link_url = reverse("claims:external_check_link", args=[desk[1].pk])
    assert f'action="{link_url}"' in page and "Checked elsewhere: link this claim to it" in page
    assert f'name="external_check" value="{checks[0].pk}"' in page
    response = client.post(link_url, {"external_check": str(checks[0].pk)})
    assert response.status_code == 302
    assert desk[1].external_check_links.get().external_check_id == checks[0].pk
    page = unescape(client.get(url, {"claim": desk[1].pk}, headers=HTMX).content.decode())
    assert "Linked to this claim" in page and f'action="{link_url}"' not in page


def test_a_published_claim_or_a_reader_without_the_right_gets_no_link_button(
    desk, source_admin, reviewer, login, researcher
):
    checks_of([WIND_CHECKED], source_admin)
    url = reverse("claims:similar")
    publish(desk[1], reviewer=reviewer)
    page = login(researcher).get(url, {"claim": desk[1].pk}, headers=HTMX).content.decode()
    assert "Checked by Example Checker" in page
    assert "Checked elsewhere: link this claim to it" not in page
    page = login(source_admin).get(url, {"claim": desk[0].pk}, headers=HTMX).content.decode()
    assert "Checked elsewhere: link this claim to it" not in page


def test_a_claims_similar_list_costs_the_same_for_5_records_and_50(
    researcher, source_admin, login, django_assert_num_queries
):
    client = login(researcher)
    (claim, *_) = claims_of(FACTS, researcher)
    checks_of(FACTS, source_admin)
    url = reverse("claims:similar")
    client.get(url, {"text": "warm-up"}, headers=HTMX)
    # Session, the user with their rights, the claim, the matcher's six, the claim's links.
    with django_assert_num_queries(10):
        client.get(url, {"claim": claim.pk}, headers=HTMX)
    claims_of([f"Claim number {n} about the harbour tunnel." for n in range(45)], researcher)
    checks_of([f"Check number {n} of the harbour tunnel." for n in range(45)], source_admin)
    client.get(url, {"text": "warm-up"}, headers=HTMX)
    with django_assert_num_queries(10):
        client.get(url, {"claim": claim.pk}, headers=HTMX)
