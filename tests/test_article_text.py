"""Editing an article's text: a revision is kept and every mention is re-anchored or orphaned."""

import pytest
from django.urls import reverse

from articles.models import ArticleRevision
from tests.factories.articles import ArticleFactory
from tests.factories.claims import MentionFactory
from tests.test_tagging import adjusting

pytestmark = pytest.mark.django_db

TEXT = "The minister said jobs rose by a record amount.\nCritics disagreed with the figures."


@pytest.fixture
def mention(db):
    article = ArticleFactory(text=TEXT)
    return MentionFactory(article=article, start=4, length=len("minister said jobs rose"))


def edit(client, article, text, seen_version=None):
    return client.post(
        reverse("reader:edit_text", args=[article.pk]),
        {"text": text, "seen_version": seen_version or article.version},
    )


def test_inserting_a_paragraph_above_moves_the_mention_with_its_words(mention, login, researcher):
    article = mention.article
    response = edit(login(researcher), article, "A new opening paragraph.\n\n" + TEXT)
    assert response.status_code == 302
    mention.refresh_from_db()
    article.refresh_from_db()
    assert article.text[mention.start : mention.end] == "minister said jobs rose"
    assert mention.start == 4 + len("A new opening paragraph.\n\n")
    assert not mention.orphaned


def test_the_old_text_is_kept_as_a_revision(mention, login, researcher):
    article = mention.article
    edit(login(researcher), article, "Rewritten. " + TEXT)
    revision = ArticleRevision.objects.get(article=article)
    assert revision.text == TEXT
    assert revision.replaced_by == researcher


def test_a_small_edit_inside_the_quote_is_followed(mention, login, researcher):
    edit(login(researcher), mention.article, TEXT.replace("jobs rose", "jobs grew"))
    mention.refresh_from_db()
    assert not mention.orphaned
    assert mention.quote == "minister said jobs grew"
    assert (
        mention.placement == "approximate" and mention.previous_quote == "minister said jobs rose"
    )


def test_a_deleted_passage_becomes_an_orphan_listed_on_the_article(mention, login, researcher):
    client = login(researcher)
    response = edit(client, mention.article, "Critics disagreed with the figures.")
    mention.refresh_from_db()
    assert mention.orphaned
    messages = client.get(response["Location"]).content.decode()
    assert "Mentions moved with their words: 0; moved to edited words, to check: 0; " in messages
    assert "waiting for you to confirm a place: 0; orphaned: 1." in messages
    html = messages
    assert "Orphaned mentions" in html and "<q>minister said jobs rose</q>" in html
    assert f'id="mention-{mention.pk}"' not in html


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(mention, login, researcher, reviewer):
    article = mention.article
    form = login(researcher).get(reverse("reader:edit_text", args=[article.pk])).content.decode()
    assert 'name="seen_version" value="1"' in form
    edit(login(reviewer), article, "The reviewer's version. " + TEXT, seen_version=1)
    response = edit(login(researcher), article, "My own version.", seen_version=1)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this after you opened it" in html
    assert "victor: Edited the text." in html, "who changed it and how, from the history"
    assert "My own version.</textarea>" in html
    article.refresh_from_db()
    assert article.text.startswith("The reviewer's version.") and article.version == 2


def test_a_text_edit_is_in_the_articles_history_with_who_and_why(mention, login, researcher):
    article = mention.article
    edit(login(researcher), article, "Rewritten. " + TEXT)
    article.refresh_from_db()
    record = article.history.latest()
    assert (record.version, record.history_user) == (2, researcher)
    assert record.history_change_reason == "Edited the text"
    assert record.content_hash == article.content_hash, "which text, kept in full as revisions"


def test_an_empty_text_is_refused(mention, login, researcher):
    response = edit(login(researcher), mention.article, "  \n ")
    assert "The article has no text." in response.content.decode()
    assert not ArticleRevision.objects.exists()


@pytest.mark.parametrize("role", ["source_admin", "outsider"])
def test_roles_that_do_not_edit_articles_are_refused(role, mention, login, request):
    client = login(request.getfixturevalue(role))
    assert edit(client, mention.article, "Vandalised.").status_code == 403
    mention.article.refresh_from_db()
    assert mention.article.text == TEXT


def test_anonymous_visitors_cannot_edit(mention, client):
    assert edit(client, mention.article, "Vandalised.").status_code == 302
    mention.article.refresh_from_db()
    assert mention.article.text == TEXT


def test_an_orphan_is_placed_again_by_giving_its_new_passage(mention, login, researcher):
    client = login(researcher)
    edit(client, mention.article, "Critics disagreed. Later the premier said jobs grew a lot.")
    mention.refresh_from_db()
    assert mention.orphaned
    url = reverse("claims:mention_adjust", args=[mention.pk])
    assert client.post(url, adjusting(mention, "premier said jobs grew")).status_code == 302
    mention.refresh_from_db()
    assert not mention.orphaned and mention.quote == "premier said jobs grew"
