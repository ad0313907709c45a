"""Articles' one write path: articles.actions, called by pages, the admin and the import task."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from articles import actions
from articles.models import Article, ArticleFetch, ArticleRevision, text_hash
from lib.versioning import StaleEdit
from sources.extraction import Extracted
from tests.conftest import make_user
from tests.factories.articles import ArticleFactory

pytestmark = pytest.mark.django_db

PAGE = Extracted(
    text="The minister said unemployment fell.\nCritics disagreed.",
    title="Minister on jobs",
    authors="Ana Writer",
    published_on=datetime.date(2024, 10, 14),
    url="https://paper.example/jobs",
    html="<p>The minister said unemployment fell.</p>",
)


def latest_record(article):
    return article.history.order_by("-history_id").first()


class TestAddingArticles:
    def test_it_stores_the_text_its_hash_and_search_text_and_who_added_it(self, researcher):
        article = actions.add_article(
            by=researcher, title=" Jobs ", text="Line one.\r\nLine two.  \r\n"
        )
        article.refresh_from_db()
        assert (article.title, article.text) == ("Jobs", "Line one.\nLine two.")
        assert article.content_hash == text_hash(article.text)
        assert article.search_document == "Jobs\nLine one.\nLine two."
        assert (article.added_by, article.version) == (researcher, 1)
        record = latest_record(article)
        assert (record.history_type, record.history_user) == ("+", researcher)
        assert record.history_change_reason == "Added"

    @pytest.mark.parametrize(
        ("fields", "match"),
        [({"url": "https://paper.example/a"}, "https://paper.example/a"), ({}, "Same text.")],
    )
    def test_one_already_here_is_refused_with_it(self, fields, match, researcher):
        first = ArticleFactory(text="Same text.", url=fields.get("url", ""))
        with pytest.raises(actions.DuplicateArticle) as refusal:
            actions.add_article(by=researcher, title="Again", text="Same text.\n", **fields)
        assert refusal.value.existing == first
        assert Article.objects.count() == 1

    @pytest.mark.parametrize("role", ["source_admin", "outsider"])
    def test_roles_that_do_not_add_articles_are_refused(self, role, request):
        with pytest.raises(PermissionDenied):
            actions.add_article(by=request.getfixturevalue(role), title="T", text="Text.")
        assert not Article.objects.exists()

    def test_an_article_needs_a_title_and_text(self, researcher):
        with pytest.raises(ValidationError, match="title"):
            actions.add_article(by=researcher, title=" ", text="Text.")
        with pytest.raises(ValidationError, match="no text"):
            actions.add_article(by=researcher, title="T", text="  \n ")

    def test_the_page_adds_through_the_action(self, login, researcher):
        response = login(researcher).post(
            reverse("articles:create"), {"title": "Jobs", "text": "Some text."}
        )
        article = Article.objects.get()
        assert response["Location"] == article.get_absolute_url()
        assert latest_record(article).history_user == researcher

    def test_the_same_form_sent_twice_adds_one_article(self, login, researcher):
        client = login(researcher)
        data = {"title": "Jobs", "text": "Some text.", "url": "https://paper.example/jobs"}
        assert client.post(reverse("articles:create"), data).status_code == 302
        again = client.post(reverse("articles:create"), data)
        assert again.status_code == 200 and "already here" in again.content.decode()
        assert Article.objects.count() == 1


class TestImporting:
    @pytest.fixture
    def requested(self, researcher):
        return ArticleFetch.objects.create(url="https://paper.example/j", requested_by=researcher)

    def test_requesting_queues_the_task(self, researcher):
        # A private address is refused before anything is sent, so the test stays offline.
        fetch = actions.request_import(by=researcher, url="http://10.0.0.8/story")
        fetch.refresh_from_db()
        assert fetch.requested_by == researcher
        assert fetch.status == "failed" and "private or local address" in fetch.error

    def test_a_url_already_here_is_refused_before_anything_is_queued(self, researcher):
        ArticleFactory(url="https://paper.example/jobs")
        with pytest.raises(actions.DuplicateArticle):
            actions.request_import(by=researcher, url="https://paper.example/jobs")
        assert not ArticleFetch.objects.exists()

    def test_only_those_who_add_articles_may_import(self, source_admin):
        with pytest.raises(PermissionDenied):
            actions.request_import(by=source_admin, url="https://paper.example/jobs")

    def test_the_import_is_added_like_any_article_as_the_person_who_asked(
        self, requested, researcher
    ):
        fetch = actions.record_import(
            requested, fetched_url="https://paper.example/j?x=1", extracted=PAGE
        )
        article = Article.objects.get()
        assert (fetch.status, fetch.article) == ("done", article)
        assert (article.url, article.authors, article.added_by) == (
            "https://paper.example/jobs",
            "Ana Writer",
            researcher,
        )
        assert article.content_hash == text_hash(PAGE.text) and article.html == PAGE.html
        record = latest_record(article)
        assert record.history_user == researcher
        assert record.history_change_reason == "Imported from https://paper.example/j"

    def test_an_import_already_here_fails_with_the_reason(self, requested):
        ArticleFactory(title="Jobs, first", url="https://paper.example/jobs")
        fetch = actions.record_import(requested, fetched_url=PAGE.url, extracted=PAGE)
        assert fetch.status == "failed"
        assert fetch.error == "This article is already here: Jobs, first."
        assert Article.objects.count() == 1

    def test_a_second_run_of_the_task_adds_nothing_more(self, requested):
        for _ in range(2):
            actions.record_import(requested, fetched_url=PAGE.url, extracted=PAGE)
        assert Article.objects.count() == 1
        assert ArticleFetch.objects.get().status == "done"

    def test_a_failure_stores_only_the_reason(self, requested):
        fetch = actions.record_import_failure(requested, "The server answered 404 Not Found.")
        assert (fetch.status, fetch.error) == ("failed", "The server answered 404 Not Found.")
        assert not Article.objects.exists()


TEXT = "The minister said jobs rose.\nCritics disagreed."


class TestRevisingTheText:
    def test_the_old_text_is_kept_and_the_version_raised(self, researcher):
        article = ArticleFactory(text=TEXT)
        old_hash = article.content_hash
        article = actions.revise_text(
            article, "New opening.\n" + TEXT, by=researcher, seen_version=1
        )
        article.refresh_from_db()
        assert (article.text, article.version) == ("New opening.\n" + TEXT, 2)
        assert article.content_hash == text_hash(article.text)
        assert article.search_document == f"{article.title}\n{article.text}"
        revision = ArticleRevision.objects.get()
        assert (revision.text, revision.content_hash, revision.replaced_by) == (
            TEXT,
            old_hash,
            researcher,
        )

    def test_the_history_says_who_and_why_but_keeps_no_text(self, researcher):
        article = ArticleFactory(text=TEXT)
        actions.revise_text(article, "Shorter.", by=researcher, seen_version=1)
        record = latest_record(article)
        assert (record.version, record.history_user) == (2, researcher)
        assert record.history_change_reason == "Edited the text"
        tracked = {field.name for field in Article.history.model._meta.get_fields()}
        assert not tracked & {"text", "html", "search_document"}

    def test_a_stale_revision_is_refused_saying_who_changed_it(self, researcher, reviewer):
        article = ArticleFactory(text=TEXT)
        actions.revise_text(article, "Victor's.", by=reviewer, seen_version=1)
        with pytest.raises(StaleEdit) as refusal:
            actions.revise_text(article, "Rosa's.", by=researcher, seen_version=1)
        assert "victor: Edited the text." in refusal.value.messages
        article.refresh_from_db()
        assert (article.text, article.version) == ("Victor's.", 2)
        assert ArticleRevision.objects.count() == 1

    def test_a_text_that_is_the_same_writes_nothing(self, researcher):
        article = ArticleFactory(text=TEXT)
        actions.revise_text(article, TEXT + "\n\n", by=researcher, seen_version=1)
        article.refresh_from_db()
        assert article.version == 1 and not ArticleRevision.objects.exists()

    def test_an_empty_text_and_roles_without_the_right_are_refused(self, researcher, outsider):
        article = ArticleFactory(text=TEXT)
        with pytest.raises(ValidationError):
            actions.revise_text(article, " \n", by=researcher, seen_version=1)
        with pytest.raises(PermissionDenied):
            actions.revise_text(article, "Vandalised.", by=outsider, seen_version=1)
        article.refresh_from_db()
        assert article.text == TEXT


class TestEditingDetails:
    def test_details_are_edited_with_the_version_check(self, researcher, reviewer):
        article = ArticleFactory(title="Old")
        actions.edit_article(article, by=reviewer, seen_version=1, changes={"title": "New"})
        article.refresh_from_db()
        assert (article.title, article.version) == ("New", 2)
        assert article.search_document.startswith("New\n")
        assert latest_record(article).history_change_reason == "Edited: title"
        with pytest.raises(StaleEdit) as refusal:
            actions.edit_article(article, by=researcher, seen_version=1, changes={"title": "X"})
        assert "victor changed title: “Old” → “New”." in refusal.value.messages

    def test_the_text_is_not_a_detail(self, researcher):
        article = ArticleFactory()
        with pytest.raises(ValueError, match="text"):
            actions.edit_article(article, by=researcher, seen_version=1, changes={"text": "X"})

    def test_another_articles_url_is_refused_not_an_error(self, researcher):
        other = ArticleFactory(url="https://paper.example/taken")
        article = ArticleFactory()
        with pytest.raises(actions.DuplicateArticle) as refusal:
            actions.edit_article(
                article,
                by=researcher,
                seen_version=1,
                changes={"url": "https://paper.example/taken"},
            )
        assert refusal.value.existing == other


@pytest.fixture
def superuser_client(login):
    return login(make_user("ada", is_superuser=True, is_staff=True))


class TestTheAdminWritesThroughActions:
    def test_an_admin_edit_raises_the_version_and_records_the_reason(self, superuser_client):
        article = ArticleFactory(title="Before")
        url = reverse("admin:articles_article_change", args=[article.pk])
        page = superuser_client.get(url).content.decode()
        assert 'name="text"' not in page, "the text is revised in the reader, which moves mentions"
        data = {
            "title": "After",
            "url": article.url,
            "outlet": article.outlet_id,
            "language": "en",
            "seen_version": 1,
        }
        assert superuser_client.post(url, data).status_code == 302
        article.refresh_from_db()
        assert (article.title, article.version) == ("After", 2)
        record = latest_record(article)
        assert (record.history_user.username, record.history_change_reason) == (
            "ada",
            "Edited in the admin: title",
        )

    def test_a_stale_admin_save_is_refused(self, superuser_client, researcher):
        article = ArticleFactory(title="Before")
        actions.edit_article(article, by=researcher, seen_version=1, changes={"title": "Rosa"})
        url = reverse("admin:articles_article_change", args=[article.pk])
        data = {"title": "Ada", "url": article.url, "language": "en", "seen_version": 1}
        html = superuser_client.post(url, data).content.decode()
        assert "Someone else changed this after you opened it" in html
        article.refresh_from_db()
        assert (article.title, article.version) == ("Rosa", 2)

    def test_an_admin_add_goes_through_add_article(self, superuser_client):
        data = {"title": "Jobs", "text": "Some text.\r\n", "language": "en"}
        response = superuser_client.post(reverse("admin:articles_article_add"), data)
        assert response.status_code == 302
        article = Article.objects.get()
        assert (article.text, article.added_by.username) == ("Some text.", "ada")
        assert article.content_hash == text_hash("Some text.")
        assert latest_record(article).history_change_reason == "Added in the admin"


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("postgres-only")  # SQLite serialises writers: there is no race to test


@pytest.mark.usefixtures("postgresql", "migration_rows")
@pytest.mark.django_db(transaction=True)
def test_two_people_add_the_same_url_at_once_and_one_is_told(monkeypatch):
    users = [make_user("rosa", "Researcher"), make_user("raul", "Researcher")]
    barrier = threading.Barrier(2, timeout=10)
    save_first_version = actions.save_first_version

    def held(instance, **kwargs):
        barrier.wait()  # both have looked for a copy and found none
        save_first_version(instance, **kwargs)

    monkeypatch.setattr(actions, "save_first_version", held)
    outcomes = [None, None]

    def add(index, user):
        try:
            actions.add_article(by=user, title=f"By {user}", text=f"Text {index}.", url=PAGE.url)
            outcomes[index] = "won"
        except actions.DuplicateArticle:
            outcomes[index] = "told"
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=pair) for pair in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["told", "won"]
    assert Article.objects.count() == 1
