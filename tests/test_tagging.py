"""Tagging a claim where an article states it: in place with htmx, or on a plain page."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import actions
from claims.models import Claim, Claimant, ClaimQuerySet, Mention, Tag
from tests.conftest import make_user
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimantFactory, ClaimFactory, publish

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# What htmx sends from the reader's panel: the answer goes into the reader.
IN_READER = {**HTMX, "HX-Target": "tag-panel"}


@pytest.fixture
def article(db):
    return ArticleFactory(
        text="Intro 🙂. The minister said jobs rose. The minister said jobs rose."
    )


def tag_url(article) -> str:
    return reverse("reader:tag", args=[article.pk])


def adjusting(mention, passage: str) -> dict:
    """The adjust form as the page sends it: the new passage and the version it was opened at."""
    mention.refresh_from_db()
    return {"passage": passage, "seen_version": mention.version}


def utf16_offset(text: str, codepoints: int) -> int:
    return len(text[:codepoints].encode("utf-16-le")) // 2


def test_a_selection_becomes_a_claim_and_a_mention_and_the_reader_rerenders(
    article, login, researcher
):
    start = article.text.index("The minister")
    end = start + len("The minister said jobs rose")
    response = login(researcher).post(
        tag_url(article),
        {
            "start": utf16_offset(article.text, start),
            "end": utf16_offset(article.text, end),
            "passage": "The minister said jobs rose",
            "text": "Employment rose last year.",
            "claimant": "Jo Minister",
            "claimed_on": "2024-10-01",
        },
        headers=IN_READER,
    )
    mention = Mention.objects.get()
    assert (mention.start, mention.end) == (start, end), "UTF-16 offsets became code points"
    assert mention.claim.text == "Employment rose last year."
    assert mention.claim.claimant.name == "Jo Minister"
    assert mention.claim.created_by == researcher
    assert response["HX-Retarget"] == "#reader"
    html = response.content.decode()
    assert html.strip().startswith('<div class="reader" id="reader">')
    assert f'<mark id="mention-{mention.pk}"' in html


def test_the_plain_page_tags_a_typed_passage(article, login, researcher):
    response = login(researcher).post(
        tag_url(article), {"passage": "Intro 🙂", "text": "An intro claim."}
    )
    assert response.status_code == 302
    assert Mention.objects.get().quote == "Intro 🙂"


@pytest.mark.parametrize("headers", [IN_READER, {}], ids=["in the reader", "plain page"])
def test_save_and_add_evidence_goes_on_to_the_claims_evidence(article, login, researcher, headers):
    response = login(researcher).post(
        tag_url(article),
        {"passage": "Intro 🙂", "text": "An intro claim.", "then": "evidence"},
        headers=headers,
    )
    claim = Mention.objects.get().claim
    to_evidence = claim.get_absolute_url() + "#evidence"
    if headers:
        assert response.status_code == 200 and response["HX-Redirect"] == to_evidence
    else:
        assert response.status_code == 302 and response["Location"] == to_evidence


def test_the_tag_form_offers_to_go_on_to_the_evidence(article, login, researcher):
    page = login(researcher).get(tag_url(article)).content.decode()
    assert (
        '<button type="submit" name="then" value="evidence">Save and add evidence</button>' in page
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"passage": "The minister said jobs rose"}, "occurs more than once"),
        ({"passage": "not in the article"}, "not in the article, word for word"),
        ({}, "Select a passage"),
        ({"start": 9, "end": 12, "passage": "something else"}, "no longer matches"),
        ({"start": 50, "end": 500}, "outside the text"),
    ],
)
def test_a_passage_that_cannot_be_placed_is_refused_and_nothing_is_stored(
    data, message, article, login, researcher
):
    response = login(researcher).post(tag_url(article), {**data, "text": "A claim."})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Claim.objects.exists()


def test_the_form_keeps_the_claim_typed_when_it_fails(article, login, researcher):
    response = login(researcher).post(
        tag_url(article), {"passage": "nowhere", "text": "My careful proposition."}
    )
    assert "My careful proposition." in response.content.decode()


def test_htmx_gets_the_form_fragment_and_a_browser_gets_the_page(article, login, researcher):
    client = login(researcher)
    page = client.get(tag_url(article)).content.decode()
    fragment = client.get(
        tag_url(article), {"start": 0, "end": 5, "passage": "Intro"}, headers=IN_READER
    ).content.decode()
    assert "<html" in page and ">Passage</label>" in page
    assert "<html" not in fragment and "<q>Intro</q>" in fragment
    assert 'name="text"' in fragment and "Intro.</textarea>" in fragment
    assert 'hx-target="#tag-panel"' in fragment and 'hx-target="#tag-panel"' not in page


@pytest.mark.parametrize("role", ["source_admin", "outsider"])
def test_roles_that_do_not_tag_are_refused(role, article, login, request):
    client = login(request.getfixturevalue(role))
    assert client.post(tag_url(article), {"passage": "Intro", "text": "x"}).status_code == 403
    assert not Claim.objects.exists()


def test_reviewers_can_tag_and_anonymous_visitors_cannot(article, login, reviewer, client):
    assert client.post(tag_url(article), {"passage": "Intro", "text": "x"}).status_code == 302
    assert not Claim.objects.exists()
    response = login(reviewer).post(tag_url(article), {"passage": "Intro", "text": "x"})
    assert response.status_code == 302 and Claim.objects.count() == 1


def test_a_post_without_a_csrf_token_is_refused(article, researcher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)
    response = client.post(tag_url(article), {"passage": "Intro", "text": "x"}, headers=HTMX)
    assert response.status_code == 403


def test_a_second_passage_can_become_a_mention_of_an_existing_claim(article, login, researcher):
    client = login(researcher)
    client.post(tag_url(article), {"passage": "Intro 🙂", "text": "An intro claim."})
    claim = Claim.objects.get()
    choices = client.get(reverse("claims:choices"), {"existing_claim": "intro"}).content.decode()
    assert f'<option value="#{claim.pk} An intro claim.">' in choices
    start = article.text.rindex("The minister said jobs rose")
    response = client.post(
        tag_url(article),
        {"start": start + 1, "end": start + 28, "existing_claim": f"#{claim.pk} An intro claim."},
    )
    assert response.status_code == 302
    assert Claim.objects.count() == 1
    assert claim.mentions.count() == 2


def test_linking_to_a_claim_that_is_not_picked_from_the_list_is_refused(article, login, researcher):
    response = login(researcher).post(
        tag_url(article), {"passage": "Intro 🙂", "existing_claim": "some words"}
    )
    assert "Pick a claim from the list" in response.content.decode()
    assert not Claim.objects.exists()


def test_claim_choices_are_refused_to_a_user_without_a_role(login, outsider):
    response = login(outsider).get(reverse("claims:choices"), {"existing_claim": "intro"})
    assert response.status_code == 403


def test_a_researcher_removes_a_mention_and_the_claim_stays(article, login, researcher):
    client = login(researcher)
    client.post(tag_url(article), {"passage": "Intro 🙂", "text": "An intro claim."})
    mention = Mention.objects.get()
    url = reverse("claims:mention_delete", args=[mention.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"seen_version": mention.version})
    assert response["Location"] == article.get_absolute_url()
    assert not Mention.objects.exists() and Claim.objects.count() == 1


@pytest.mark.parametrize("role", ["source_admin", "outsider"])
def test_roles_that_do_not_tag_cannot_remove_mentions(role, article, login, request, researcher):
    login(researcher).post(tag_url(article), {"passage": "Intro 🙂", "text": "A claim."})
    mention = Mention.objects.get()
    client = login(request.getfixturevalue(role))
    url = reverse("claims:mention_delete", args=[mention.pk])
    assert client.post(url, {"seen_version": 1}).status_code == 403
    assert Mention.objects.exists()


def test_removing_a_mention_never_redirects_to_another_site(article, login, researcher):
    client = login(researcher)
    client.post(tag_url(article), {"passage": "Intro 🙂", "text": "A claim."})
    mention = Mention.objects.get()
    response = client.post(
        reverse("claims:mention_delete", args=[mention.pk]),
        {"next": "https://evil.example/", "seen_version": 1},
    )
    assert response["Location"] == article.get_absolute_url()


def test_a_mention_is_widened_and_narrowed_by_editing_its_passage(article, login, researcher):
    client = login(researcher)
    second = article.text.rindex("The minister said jobs rose")
    client.post(
        tag_url(article),
        {"start": second + 1, "end": second + 18, "passage": "The minister said", "text": "x"},
    )
    mention = Mention.objects.get()
    url = reverse("claims:mention_adjust", args=[mention.pk])
    assert client.post(url, adjusting(mention, "The minister said jobs rose.")).status_code == 302
    mention.refresh_from_db()
    assert (mention.start, mention.quote) == (second, "The minister said jobs rose.")
    client.post(url, adjusting(mention, "minister"))
    mention.refresh_from_db()
    assert (mention.start, mention.quote) == (second + 4, "minister")


def test_a_passage_not_in_the_article_does_not_move_the_mention(article, login, researcher):
    client = login(researcher)
    client.post(tag_url(article), {"passage": "Intro 🙂", "text": "x"})
    mention = Mention.objects.get()
    url = reverse("claims:mention_adjust", args=[mention.pk])
    response = client.post(url, adjusting(mention, "Outro"))
    assert "must be in the article word for word" in response.content.decode()
    assert client.post(url, adjusting(mention, "Intro")).status_code == 302
    mention.refresh_from_db()
    assert mention.quote == "Intro"


def test_an_adjustment_made_on_a_span_that_moved_meanwhile_is_refused(
    article, login, researcher, reviewer
):
    login(researcher).post(tag_url(article), {"passage": "Intro 🙂", "text": "x"})
    mention = Mention.objects.get()
    url = reverse("claims:mention_adjust", args=[mention.pk])
    opened_by_rosa = adjusting(mention, "Intro 🙂.")
    assert login(reviewer).post(url, adjusting(mention, "Intro")).status_code == 302
    response = login(researcher).post(url, opened_by_rosa)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed this after you opened it" in html
    assert "victor changed quote: “Intro 🙂” → “Intro”." in html
    mention.refresh_from_db()
    assert (mention.quote, mention.version) == ("Intro", 2)


def test_a_mention_changed_since_the_page_was_opened_is_not_removed(
    article, login, researcher, reviewer
):
    login(researcher).post(tag_url(article), {"passage": "Intro 🙂", "text": "x"})
    mention = Mention.objects.get()
    url = reverse("claims:mention_adjust", args=[mention.pk])
    assert login(reviewer).post(url, adjusting(mention, "Intro")).status_code == 302
    response = login(researcher).post(
        reverse("claims:mention_delete", args=[mention.pk]), {"seen_version": 1}
    )
    assert response.status_code == 409
    assert Mention.objects.filter(pk=mention.pk).exists()


@pytest.mark.parametrize("role", ["source_admin", "outsider"])
def test_roles_that_do_not_tag_cannot_adjust_mentions(role, article, login, request, researcher):
    login(researcher).post(tag_url(article), {"passage": "Intro 🙂", "text": "x"})
    mention = Mention.objects.get()
    client = login(request.getfixturevalue(role))
    url = reverse("claims:mention_adjust", args=[mention.pk])
    assert client.post(url, adjusting(mention, "Intro")).status_code == 403
    mention.refresh_from_db()
    assert mention.quote == "Intro 🙂"


def test_adjusting_and_removing_a_mention_cost_the_same_for_1_mention_as_for_50(login, researcher):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.claims import ClaimFactory, MentionFactory

    claim = ClaimFactory()
    client = login(researcher)

    def queries_for(mention) -> int:
        adjust = reverse("claims:mention_adjust", args=[mention.pk])
        remove = reverse("claims:mention_delete", args=[mention.pk])
        with CaptureQueriesContext(connection) as captured:
            passage = mention.article.text[:25]
            assert client.post(adjust, {"passage": passage, "seen_version": 1}).status_code == 302
            assert client.post(remove, {"seen_version": 2}).status_code == 302
        return len(captured)

    one = queries_for(MentionFactory(claim=claim))
    MentionFactory.create_batch(49, claim=claim)
    assert queries_for(MentionFactory(claim=claim)) == one


# The tag form's suggestions, the claimant's kind and role, tags, and double submits.


def tag_form(client, article, **params) -> str:
    return client.get(tag_url(article), params, headers=IN_READER).content.decode()


def test_the_selection_is_suggested_as_a_sentence_and_the_date_as_the_articles(login, researcher):
    article = ArticleFactory(
        text="Yesterday the minister said jobs rose by 5% in a year.",
        published_on=datetime.date(2024, 10, 14),
    )
    start = article.text.index("jobs")
    html = tag_form(
        login(researcher),
        article,
        start=start,
        end=start + len("jobs rose by 5%"),
        passage="jobs rose by 5%",
    )
    # Only the selected words, tidied: the sentence around them is not added silently.
    assert ">\nJobs rose by 5%.</textarea>" in html
    assert 'name="claimed_on" value="2024-10-14"' in html


def test_an_undated_article_suggests_no_claim_date(article, login, researcher):
    html = tag_form(login(researcher), article, start=0, end=5, passage="Intro")
    assert 'name="claimed_on" value=' not in html


def test_a_new_claimant_is_added_with_its_kind_and_role(article, login, researcher):
    response = login(researcher).post(
        tag_url(article),
        {
            "passage": "Intro 🙂",
            "text": "An intro claim.",
            "claimant": "Ministry of Labour",
            "claimant_kind": "organisation",
            "claimant_role": "  Government   department ",
        },
    )
    assert response.status_code == 302
    claimant = Claim.objects.get().claimant
    assert (claimant.name, claimant.kind) == ("Ministry of Labour", Claimant.Kind.ORGANISATION)
    assert claimant.description == "Government department"


def test_a_known_claimant_keeps_its_kind_and_role(article, login, researcher):
    known = ClaimantFactory(name="Ministry of Labour", kind="organisation", description="Ministry")
    login(researcher).post(
        tag_url(article),
        {
            "passage": "Intro 🙂",
            "text": "An intro claim.",
            "claimant": "ministry of labour",
            "claimant_kind": "person",
            "claimant_role": "Minister",
        },
    )
    assert Claim.objects.get().claimant == known
    known.refresh_from_db()
    assert (known.kind, known.description) == ("organisation", "Ministry")
    assert Claimant.objects.count() == 1


def test_an_unknown_claimant_kind_is_refused_and_the_typing_kept(article, login, researcher):
    response = login(researcher).post(
        tag_url(article),
        {"passage": "Intro 🙂", "text": "My claim.", "claimant": "X", "claimant_kind": "robot"},
    )
    html = response.content.decode()
    assert "Select a valid choice" in html and "My claim." in html
    assert not Claim.objects.exists() and not Claimant.objects.exists()


def test_an_organisation_tagged_as_claimant_is_an_organization_in_the_claimreview(
    article, login, researcher
):
    login(researcher).post(
        tag_url(article),
        {
            "passage": "Intro 🙂",
            "text": "An intro claim.",
            "claimant": "Ministry of Labour",
            "claimant_kind": "organisation",
        },
    )
    claim = publish(Claim.objects.get())
    html = login(None).get(reverse("public_claim", args=[claim.pk])).content.decode()
    document = json.loads(re.search(r'ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1))
    author = document["itemReviewed"]["author"]
    assert author == {"@type": "Organization", "name": "Ministry of Labour"}


def test_tags_typed_in_the_tag_form_are_added_once_each(article, login, researcher):
    economy = Tag.objects.create(name="Economy")
    login(researcher).post(
        tag_url(article),
        {"passage": "Intro 🙂", "text": "An intro claim.", "tag_names": "economy, Jobs,jobs ,"},
    )
    claim = Claim.objects.get()
    assert sorted(tag.name for tag in claim.tags.all()) == ["Economy", "Jobs"]
    assert Tag.objects.count() == 2 and economy in claim.tags.all()


def test_the_claim_edit_form_edits_tags_too(login, researcher):
    claim = ClaimFactory(created_by=researcher)
    client = login(researcher)
    url = reverse("claims:edit", args=[claim.pk])
    assert "Tags (comma-separated)" in client.get(url).content.decode()
    response = client.post(
        url, {"text": claim.text, "tag_names": "Jobs, Economy", "seen_version": claim.version}
    )
    assert response.status_code == 302
    assert sorted(tag.name for tag in claim.tags.all()) == ["Economy", "Jobs"]


def test_a_double_submit_makes_one_claim(article, login, researcher):
    client = login(researcher)
    typed = {"passage": "Intro 🙂", "text": "An intro claim."}
    first = client.post(tag_url(article), typed)
    second = client.post(tag_url(article), typed, headers=IN_READER)
    assert first.status_code == 302 and second["HX-Retarget"] == "#reader"
    assert Claim.objects.count() == 1 and Mention.objects.count() == 1


def test_a_different_claim_on_the_same_words_or_a_later_repeat_is_a_new_claim(
    article, login, researcher
):
    client = login(researcher)
    client.post(tag_url(article), {"passage": "Intro 🙂", "text": "An intro claim."})
    client.post(tag_url(article), {"passage": "Intro 🙂", "text": "Another claim."})
    assert Claim.objects.count() == 2
    Mention.objects.update(created_at=timezone.now() - actions.DOUBLE_SUBMIT_WINDOW)
    client.post(tag_url(article), {"passage": "Intro 🙂", "text": "An intro claim."})
    assert Claim.objects.count() == 3


def test_another_researcher_tagging_the_same_words_makes_their_own_claim(
    article, login, researcher
):
    login(researcher).post(tag_url(article), {"passage": "Intro 🙂", "text": "A claim."})
    colleague = make_user("rafa", "Researcher")
    login(colleague).post(tag_url(article), {"passage": "Intro 🙂", "text": "A claim."})
    assert Claim.objects.count() == 2


def test_the_typed_passage_page_sends_htmx_to_the_reader_once_saved(article, login, researcher):
    client = login(researcher)
    page = client.get(tag_url(article)).content.decode()
    assert 'hx-target="this"' in page and 'hx-disabled-elt="find button[type=submit]"' in page
    response = client.post(
        tag_url(article),
        {"passage": "Intro 🙂", "text": "An intro claim."},
        headers={**HTMX, "HX-Target": "tag-form"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == article.get_absolute_url()
    assert "HX-Retarget" not in response
    assert Mention.objects.get().quote == "Intro 🙂"


def test_the_typed_passage_page_shows_errors_in_place_with_htmx(article, login, researcher):
    response = login(researcher).post(
        tag_url(article),
        {"passage": "nowhere", "text": "Kept words."},
        headers={**HTMX, "HX-Target": "tag-form"},
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="tag-form"' in html and 'hx-target="this"' in html
    assert "Kept words." in html and "not in the article" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [("researcher", 200), ("reviewer", 200), ("source_admin", 403), ("outsider", 403)],
)
def test_the_tag_form_opens_only_for_roles_that_tag(role, status, article, login, request):
    client = login(request.getfixturevalue(role))
    assert client.get(tag_url(article), headers=IN_READER).status_code == status
    assert client.get(tag_url(article)).status_code == status


def test_anonymous_visitors_are_sent_to_log_in_for_the_tag_form(article, client):
    response = client.get(tag_url(article))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_tagging_derives_the_new_claims_search_document_once(article, researcher, monkeypatch):
    """Creating the claim and adding its mention are one action: the document is made once,
    with the mention's words in it."""
    refreshed = []
    refresh = ClaimQuerySet.refresh_search_documents
    monkeypatch.setattr(
        ClaimQuerySet,
        "refresh_search_documents",
        lambda claims: (
            refreshed.append(list(claims.values_list("pk", flat=True))) or refresh(claims)
        ),
    )
    start = article.text.index("The minister")
    mention = actions.tag_claim(
        article,
        start=start,
        end=start + len("The minister said jobs rose."),
        text="Jobs rose.",
        claimant_name="",
        claimed_on=None,
        by=researcher,
    )
    assert refreshed == [[mention.claim_id]]
    assert "The minister said jobs rose." in Claim.objects.get(pk=mention.claim_id).search_document
