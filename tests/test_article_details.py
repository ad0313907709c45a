"""An article's details page, outlets named inline, the upload limit, and spacing-blind copies."""

import datetime
import hashlib
import importlib

import pytest
from django.apps import apps as installed_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles import actions
from articles.models import Article, ArticleFetch, text_hash
from sources.extraction import Extracted
from sources.models import Outlet
from tests.factories.articles import ArticleFactory
from tests.factories.sources import OutletFactory

pytestmark = pytest.mark.django_db

NEW = reverse("articles:create")


def details_url(article: Article) -> str:
    return reverse("articles:edit", args=[article.pk])


def details(article: Article, **changes) -> dict:
    """The details form as the page offers it, with some fields changed."""
    data = {
        "title": article.title,
        "url": article.url,
        "outlet": article.outlet_id or "",
        "new_outlet": "",
        "authors": article.authors,
        "published_on": article.published_on.isoformat() if article.published_on else "",
        "seen_version": article.version,
    }
    return {**data, **changes}


def latest_record(row):
    return row.history.order_by("-history_id").first()


@pytest.fixture
def user_for(request):
    def user(role: str):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return user


class TestTheDetailsPage:
    @pytest.mark.parametrize(
        ("role", "status"),
        [("researcher", 200), ("reviewer", 200), ("source_admin", 403), ("outsider", 403)],
    )
    def test_the_desk_opens_it_and_others_are_refused(self, role, status, login, user_for):
        article = ArticleFactory()
        assert login(user_for(role)).get(details_url(article)).status_code == status

    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        response = client.get(details_url(ArticleFactory()))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("role", ["researcher", "reviewer"])
    def test_the_desk_saves_the_details_and_the_history_says_who_and_why(
        self, role, login, user_for
    ):
        user = user_for(role)
        article = ArticleFactory(authors="", published_on=None)
        data = details(
            article,
            title="A better title",
            url="https://paper.example/better",
            authors="Ann Lee, Bo Kim",
            published_on="2024-10-14",
        )
        response = login(user).post(details_url(article), data)
        assert response["Location"] == article.get_absolute_url()
        article.refresh_from_db()
        assert (article.title, article.url, article.authors, article.published_on) == (
            "A better title",
            "https://paper.example/better",
            "Ann Lee, Bo Kim",
            datetime.date(2024, 10, 14),
        )
        record = latest_record(article)
        assert (article.version, record.history_user) == (2, user)
        assert record.history_change_reason.startswith("Edited on the article's details page: ")

    @pytest.mark.parametrize("role", ["source_admin", "outsider"])
    def test_a_refused_post_changes_nothing(self, role, login, user_for):
        article = ArticleFactory(title="As it was")
        response = login(user_for(role)).post(details_url(article), details(article, title="X"))
        assert response.status_code == 403
        article.refresh_from_db()
        assert (article.title, article.version) == ("As it was", 1)

    def test_a_stale_copy_is_refused_with_the_reason_and_keeps_what_was_typed(
        self, login, researcher, reviewer
    ):
        article = ArticleFactory(title="First title")
        opened = details(article, title="My title")
        actions.edit_article(article, by=reviewer, seen_version=1, changes={"title": "Their title"})
        response = login(researcher).post(details_url(article), opened)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Someone else changed this" in html and "victor changed title" in html
        assert 'value="My title"' in html
        article.refresh_from_db()
        assert article.title == "Their title"

    def test_another_articles_url_is_refused_with_a_link_to_it(self, login, researcher):
        first = ArticleFactory(url="https://paper.example/first")
        article = ArticleFactory(title="Second")
        data = details(article, url=first.url, title="Second, retitled")
        html = login(researcher).post(details_url(article), data).content.decode()
        assert f'<a href="{first.get_absolute_url()}">' in html
        assert 'value="Second, retitled"' in html
        article.refresh_from_db()
        assert (article.title, article.version) == ("Second", 1)

    def test_a_new_outlet_is_named_on_the_page_and_added_unrated(self, login, researcher):
        article = ArticleFactory(outlet=None)
        data = details(article, new_outlet="  The   Kyiv Independent ")
        login(researcher).post(details_url(article), data)
        article.refresh_from_db()
        outlet = Outlet.objects.get(name="The Kyiv Independent")
        assert (article.outlet, outlet.reliability) == (outlet, Outlet.Reliability.UNRATED)
        assert latest_record(outlet).history_user == researcher

    def test_the_page_has_a_labelled_field_for_each_detail(self, login, researcher):
        html = login(researcher).get(details_url(ArticleFactory())).content.decode()
        for label in ["Title", "URL", "Outlet", "Or a new outlet", "Author(s)", "Published"]:
            assert f">{label}</label>" in html
        assert 'name="seen_version"' in html

    def test_opening_it_costs_the_same_few_queries_for_few_outlets_or_many(
        self, login, researcher, django_assert_max_num_queries
    ):
        article = ArticleFactory()
        client = login(researcher)
        client.get(details_url(article))
        # The data version, session, the user with their rights, the inbox count, the article,
        # the outlets.
        with django_assert_max_num_queries(6):
            assert client.get(details_url(article)).status_code == 200
        OutletFactory.create_batch(50)
        with django_assert_max_num_queries(8):
            html = client.get(details_url(article)).content.decode()
        assert html.count("<option") == Outlet.objects.count() + 1  # and "---------"


class TestTheReaderByline:
    def test_it_links_to_the_details_page_for_the_desk(self, login, researcher):
        article = ArticleFactory()
        html = login(researcher).get(article.get_absolute_url()).content.decode()
        assert f'href="{details_url(article)}">Edit details</a>' in html

    def test_it_offers_no_edit_to_a_source_admin(self, login, source_admin):
        article = ArticleFactory()
        html = login(source_admin).get(article.get_absolute_url()).content.decode()
        assert details_url(article) not in html

    @pytest.mark.parametrize("role", ["researcher", "source_admin"])
    def test_without_an_outlet_it_does_not_start_with_a_separator(self, role, login, user_for):
        article = ArticleFactory(outlet=None, authors="", published_on=None)
        html = login(user_for(role)).get(article.get_absolute_url()).content.decode()
        byline = html.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
        assert not byline.strip().startswith("·")
        assert "Original" in byline

    def test_parts_are_separated_once(self, login, researcher):
        article = ArticleFactory(authors="Ann Lee", published_on=datetime.date(2024, 10, 14))
        html = login(researcher).get(article.get_absolute_url()).content.decode()
        byline = html.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
        # outlet · authors · date · Original · Edit text · Edit details
        assert byline.count("·") == 5


class TestNamingAnOutletWhileAddingAnArticle:
    def test_a_researcher_adds_an_article_with_a_new_outlet_added_unrated(self, login, researcher):
        data = {"title": "Jobs", "text": "The minister said so.", "new_outlet": "Paper Daily"}
        response = login(researcher).post(NEW, data)
        article = Article.objects.get()
        assert response["Location"] == article.get_absolute_url()
        outlet = Outlet.objects.get()
        assert (article.outlet, outlet.name, outlet.reliability) == (
            outlet,
            "Paper Daily",
            Outlet.Reliability.UNRATED,
        )
        record = latest_record(outlet)
        assert (record.history_user, record.history_change_reason) == (
            researcher,
            "Named for an article",
        )

    def test_a_name_already_listed_means_that_outlet(self, login, reviewer):
        listed = OutletFactory(name="Paper Daily", reliability="reliable")
        data = {"title": "Jobs", "text": "The minister said so.", "new_outlet": "paper daily"}
        login(reviewer).post(NEW, data)
        assert Article.objects.get().outlet == listed
        assert Outlet.objects.count() == 1
        listed.refresh_from_db()
        assert listed.reliability == "reliable", "naming an outlet never rates it"

    def test_choosing_one_and_naming_another_is_refused_keeping_what_was_typed(
        self, login, researcher
    ):
        listed = OutletFactory(name="Listed")
        data = {"title": "Jobs", "text": "My text.", "outlet": listed.pk, "new_outlet": "Other"}
        html = login(researcher).post(NEW, data).content.decode()
        assert "Choose an outlet from the list or type a new one, not both." in html
        assert 'value="Other"' in html and "My text.</textarea>" in html
        assert not Article.objects.exists() and Outlet.objects.count() == 1

    def test_a_refused_duplicate_leaves_no_new_outlet_behind(self, researcher):
        ArticleFactory(text="The same words.", url="")
        with pytest.raises(actions.DuplicateArticle):
            actions.add_article(
                by=researcher, title="Copy", text="The same words.", new_outlet="Fresh outlet"
            )
        assert not Outlet.objects.filter(name="Fresh outlet").exists()

    def test_a_url_import_keeps_the_named_outlet_for_the_article(self, login, researcher):
        # A private address fails at once and offline; the request still carries the outlet.
        data = {"url": "http://10.0.0.8/story", "new_outlet": "Paper Daily"}
        login(researcher).post(NEW, data)
        fetch = ArticleFetch.objects.get()
        assert fetch.outlet == Outlet.objects.get(name="Paper Daily")
        # As if the page had been fetched instead.
        ArticleFetch.objects.filter(pk=fetch.pk).update(status=ArticleFetch.Status.QUEUED)
        page = Extracted(text="Fetched words.", title="Fetched", url="https://paper.example/f")
        actions.record_import(fetch, fetched_url=page.url, extracted=page)
        assert Article.objects.get().outlet == fetch.outlet

    def test_the_form_page_offers_the_list_and_a_new_name(self, login, researcher):
        OutletFactory(name="Listed")
        html = login(researcher).get(NEW).content.decode()
        assert ">Listed</option>" in html and ">Or a new outlet</label>" in html


class TestTheOutletPageForTheDesk:
    @pytest.mark.parametrize(
        ("role", "status"),
        [("researcher", 200), ("reviewer", 200), ("source_admin", 200), ("outsider", 403)],
    )
    def test_who_may_open_it(self, role, status, login, user_for):
        response = login(user_for(role)).get(reverse("sources:outlet_create"))
        assert response.status_code == status

    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        response = client.get(reverse("sources:outlet_create"))
        assert response["Location"].startswith(reverse("login"))

    def test_a_researcher_sees_no_rating_and_cannot_send_one(self, login, researcher):
        client = login(researcher)
        html = client.get(reverse("sources:outlet_create")).content.decode()
        assert 'name="reliability"' not in html and "a source admin rates it" in html
        data = {"name": "Meduza", "domain": "meduza.io", "reliability": "reliable", "notes": "x"}
        response = client.post(reverse("sources:outlet_create"), data)
        outlet = Outlet.objects.get()
        assert response["Location"] == outlet.get_absolute_url()
        assert (outlet.reliability, outlet.notes) == (Outlet.Reliability.UNRATED, "")

    def test_a_source_admin_still_rates_on_it(self, login, source_admin):
        data = {"name": "Meduza", "domain": "meduza.io", "reliability": "reliable", "notes": "x"}
        login(source_admin).post(reverse("sources:outlet_create"), data)
        assert Outlet.objects.get().reliability == "reliable"

    def test_a_researcher_cannot_rate_an_outlet_they_added(self, login, researcher):
        outlet = OutletFactory(reliability="unrated")
        data = {"name": outlet.name, "domain": outlet.domain, "reliability": "reliable"}
        data["seen_version"] = 1
        url = reverse("sources:outlet_edit", args=[outlet.pk])
        assert login(researcher).post(url, data).status_code == 403
        outlet.refresh_from_db()
        assert outlet.reliability == "unrated"


class TestTheSizeLimit:
    @pytest.fixture
    def small_limit(self, settings):
        """A 1 KB limit, so the tests send little; the request limit a little above it."""
        settings.DOCUMENT_MAX_BYTES = 1024
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048

    def test_the_form_carries_the_limit_for_its_script(self, login, researcher, small_limit):
        html = login(researcher).get(NEW).content.decode()
        assert 'data-max-bytes="1024"' in html
        assert "js/article_form.js" in html
        assert "Up to 1 KB." in html

    def test_the_script_is_loaded_only_on_the_article_form(self, login, researcher):
        html = login(researcher).get(details_url(ArticleFactory())).content.decode()
        assert "js/article_form.js" not in html

    def test_a_text_just_over_the_limit_is_refused_on_the_form_and_kept(
        self, login, researcher, small_limit
    ):
        text = "word " * 300  # 1.5 KB: past the limit, within what a request may carry
        html = login(researcher).post(NEW, {"title": "Long", "text": text}).content.decode()
        assert "The text is 1.5 KB; the limit is 1 KB." in html
        assert 'value="Long"' in html and "word word" in html
        assert not Article.objects.exists()

    def test_a_file_over_the_limit_is_refused_and_the_title_kept(
        self, login, researcher, small_limit
    ):
        upload = SimpleUploadedFile("big.txt", b"a" * 4096)
        html = login(researcher).post(NEW, {"title": "Big", "file": upload}).content.decode()
        assert "The file is 4 KB; the limit is 1 KB." in html and 'value="Big"' in html
        assert not Article.objects.exists()

    def test_a_post_too_large_to_read_gets_the_form_and_the_limit(
        self, login, researcher, small_limit
    ):
        response = login(researcher).post(NEW, {"title": "Huge", "text": "word " * 2000})
        html = response.content.decode()
        assert response.status_code == 413
        assert "the limit is 1 KB" in html and "Nothing was saved" in html
        assert "could not be kept" in html
        assert '<form method="post" enctype="multipart/form-data"' in html
        assert not Article.objects.exists()

    @pytest.mark.parametrize(("role", "status"), [("source_admin", 403), ("outsider", 403)])
    def test_a_post_too_large_is_refused_to_those_who_add_no_articles(
        self, role, status, login, user_for, small_limit
    ):
        response = login(user_for(role)).post(NEW, {"text": "word " * 2000})
        assert response.status_code == status

    def test_a_post_too_large_from_a_visitor_is_sent_to_log_in(self, client, small_limit):
        response = client.post(NEW, {"text": "word " * 2000})
        assert response["Location"].startswith(reverse("login"))

    def test_other_pages_keep_djangos_answer(self, login, researcher, small_limit):
        article = ArticleFactory()
        data = {"text": "word " * 2000, "seen_version": 1}
        response = login(researcher).post(reverse("reader:edit_text", args=[article.pk]), data)
        assert response.status_code == 400


class TestSpacingDoesNotMakeANewArticle:
    def test_the_same_words_spaced_differently_are_refused_with_a_link(self, login, researcher):
        first = ArticleFactory(text="A.\n\nB.", url="")
        response = login(researcher).post(NEW, {"title": "Copy", "text": "A. B."})
        html = response.content.decode()
        assert "already here" in html and f'<a href="{first.get_absolute_url()}">' in html
        assert Article.objects.count() == 1

    def test_the_action_refuses_them_too(self, researcher):
        first = actions.add_article(by=researcher, title="One", text="A. B.")
        with pytest.raises(actions.DuplicateArticle) as refusal:
            actions.add_article(by=researcher, title="Two", text="  A.\n\n\tB.  ")
        assert refusal.value.existing == first

    def test_different_words_are_different_articles(self):
        assert text_hash("A.\n\nB.") == text_hash("A. B.") != text_hash("A.B.")

    def test_the_migration_rehashes_stored_articles(self):
        article = ArticleFactory(text="A.\n\nB.")
        exact = hashlib.sha256(article.text.encode()).hexdigest()
        Article.objects.filter(pk=article.pk).update(content_hash=exact)
        migration = importlib.import_module("articles.migrations.0008_article_hash_ignores_spacing")
        migration.forwards(installed_apps, None)
        article.refresh_from_db()
        assert article.content_hash == text_hash("A. B.")
        migration.backwards(installed_apps, None)
        article.refresh_from_db()
        assert article.content_hash == exact
