"""After a text edit, a mention whose place is not certain waits for a person, never a guess."""

import pytest
from django.urls import reverse

from claims.models import Mention
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, MentionFactory, publish

pytestmark = pytest.mark.django_db

REPEATED = (
    "The budget was cut again this year. Ministers said the budget was cut to pay for roads.\n"
    "Teachers said the budget was cut without warning."
)


def mention_of(text: str, words: str, *, occurrence: int = 0, **claim):
    article = ArticleFactory(text=text)
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    return MentionFactory(
        article=article, start=start, length=len(words), claim=ClaimFactory(**claim)
    )


def edit(client, article, text):
    article.refresh_from_db()
    return client.post(
        reverse("reader:edit_text", args=[article.pk]),
        {"text": text, "seen_version": article.version},
    )


def test_a_short_phrase_whose_sentence_went_is_held_with_its_candidates(login, researcher):
    mention = mention_of(REPEATED, "budget was cut", occurrence=1)
    client = login(researcher)
    without = REPEATED.replace("Ministers said the budget was cut to pay for roads.", "")
    response = edit(client, mention.article, without)

    mention.refresh_from_db()
    assert mention.placement == "confirm" and not mention.orphaned
    assert len(mention.candidates) == 2
    page = client.get(response["Location"]).content.decode()
    assert "waiting for you to confirm a place: 1" in page
    assert "Mentions to confirm" in page and f'id="held-{mention.pk}"' in page
    assert f'id="mention-{mention.pk}"' not in page, "a held mention is not drawn in the text"
    claim_page = client.get(mention.claim.get_absolute_url()).content.decode()
    assert "needs confirmation after an edit" in claim_page
    assert "wait" in claim_page and "for someone to confirm" in claim_page


def test_a_person_picks_one_of_the_candidates(login, researcher):
    mention = mention_of(REPEATED, "budget was cut", occurrence=1)
    client = login(researcher)
    without = REPEATED.replace("Ministers said the budget was cut to pay for roads.", "")
    edit(client, mention.article, without)
    mention.refresh_from_db()
    start, end = mention.candidates[1]

    response = client.post(
        reverse("claims:mention_confirm", args=[mention.pk]),
        {"choice": "1", "seen_version": mention.version},
    )

    assert response.status_code == 302
    mention.refresh_from_db()
    assert (mention.start, mention.end, mention.placement) == (start, end, "")
    assert mention.article.text[start:end] == "budget was cut"
    last = mention.history.first()
    assert last.history_user == researcher and "Placed by a person" in last.history_change_reason


def test_a_person_may_leave_a_held_mention_orphaned(login, researcher):
    mention = mention_of(REPEATED, "budget was cut", occurrence=1)
    client = login(researcher)
    edit(client, mention.article, REPEATED.replace("Ministers said the budget was cut", "Roads"))
    mention.refresh_from_db()
    client.post(
        reverse("claims:mention_confirm", args=[mention.pk]),
        {"choice": "orphan", "seen_version": mention.version},
    )
    mention.refresh_from_db()
    assert mention.orphaned and mention.placement == ""


def test_a_forged_choice_outside_the_candidates_changes_nothing(login, researcher):
    mention = mention_of(REPEATED, "budget was cut", occurrence=1)
    client = login(researcher)
    edit(client, mention.article, REPEATED.replace("Ministers said the budget was cut", "Roads"))
    mention.refresh_from_db()
    before = (mention.start, mention.end, mention.version)
    response = client.post(
        reverse("claims:mention_confirm", args=[mention.pk]),
        {"choice": "7", "seen_version": mention.version},
    )
    assert response.status_code == 400
    mention.refresh_from_db()
    assert (mention.start, mention.end, mention.version) == before


TYPO = "The mayor said the new bridge will open in Septmber after the repairs are finished."


def test_a_typo_fixed_inside_a_draft_claims_quote_moves_it_and_lists_it_for_a_check(
    login, researcher
):
    mention = mention_of(TYPO, "the new bridge will open in Septmber")
    client = login(researcher)
    response = edit(client, mention.article, TYPO.replace("Septmber", "September"))
    mention.refresh_from_db()
    assert mention.quote == "the new bridge will open in September"
    assert mention.placement == "approximate"
    page = client.get(response["Location"]).content.decode()
    assert "Moved to edited words: check" in page and f'id="mention-{mention.pk}"' in page

    client.post(
        reverse("claims:mention_confirm", args=[mention.pk]),
        {"choice": "keep", "seen_version": mention.version},
    )
    mention.refresh_from_db()
    assert mention.placement == "" and mention.previous_quote == ""


def test_a_published_claims_quote_never_changes_without_a_person(login, researcher, reviewer):
    mention = mention_of(TYPO, "the new bridge will open in Septmber")
    publish(mention.claim, reviewer=reviewer)
    client = login(researcher)
    edit(client, mention.article, TYPO.replace("Septmber", "September"))
    mention.refresh_from_db()
    assert mention.quote == "the new bridge will open in Septmber", "held, not rewritten"
    assert mention.placement == "confirm"
    refused = client.post(
        reverse("claims:mention_confirm", args=[mention.pk]),
        {"choice": "0", "seen_version": mention.version},
    )
    assert refused.status_code == 409
    assert Mention.objects.get(pk=mention.pk).quote == "the new bridge will open in Septmber"
