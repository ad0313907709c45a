"""Tagging a claim where an article states it: in place with htmx, or on a plain page."""

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Claim, Mention
from tests.factories.articles import ArticleFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


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
        headers=HTMX,
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
        tag_url(article), {"start": 0, "end": 5, "passage": "Intro"}, headers=HTMX
    ).content.decode()
    assert "<html" in page and ">Passage</label>" in page
    assert "<html" not in fragment and "<q>Intro</q>" in fragment
    assert 'name="text"' in fragment and "Intro</textarea>" in fragment


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
