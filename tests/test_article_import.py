"""Adding an article by pasting text or uploading a file; bad input stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests.factories.articles import ArticleFactory

pytestmark = pytest.mark.django_db

NEW = reverse("articles:create")
PAGE = """<html><head><title>Minister on jobs</title>
<meta name="author" content="Ana Writer">
<meta property="article:published_time" content="2024-10-14">
</head><body><script>alert('x')</script>
<article><h1>Minister on jobs</h1>
<p onclick="steal()">The minister said unemployment fell to four per cent last year, a record.</p>
<p>Critics said the figure leaves out part-time workers who want more hours.</p>
</article></body></html>"""


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_researcher_adds_an_article_by_pasting_text(login, researcher):
    response = login(researcher).post(
        NEW, {"title": "Jobs", "text": "Line one.\r\nLine two.  \r\n", "url": ""}
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert article.text == "Line one.\nLine two."
    assert article.added_by == researcher


def test_pasted_text_without_a_title_is_titled_by_its_first_line(login, researcher):
    login(researcher).post(NEW, {"text": "Ferry fares to rise\n\nFares rise in April.", "url": ""})
    article = Article.objects.get()
    assert article.title == "Ferry fares to rise"
    assert article.text.startswith("Ferry fares to rise")


def test_pasted_text_opening_with_a_paragraph_still_asks_for_a_title(login, researcher):
    paragraph = "The minister said " + "fares rose " * 30
    response = login(researcher).post(NEW, {"text": paragraph, "url": ""})
    assert "Give the article a title." in response.content.decode()
    assert not Article.objects.exists()


def test_an_html_upload_is_extracted_and_sanitised(login, researcher):
    login(researcher).post(NEW, {"file": upload("jobs.html", PAGE.encode())})
    article = Article.objects.get()
    assert article.title == "Minister on jobs"
    assert article.authors == "Ana Writer"
    assert str(article.published_on) == "2024-10-14"
    assert "unemployment fell to four per cent" in article.text
    assert "alert" not in article.text
    assert "<script" not in article.html and "onclick" not in article.html
    assert "unemployment fell" in article.html


def test_a_text_upload_becomes_the_text(login, researcher):
    login(researcher).post(
        NEW, {"title": "Notes", "file": upload("notes.txt", "Première ligne.\n".encode())}
    )
    assert Article.objects.get().text == "Première ligne."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Empty", "text": "   \n  "}, "The article has no text."),
        ({"title": "Both", "text": "Some text.", "file": ("a.txt", b"Other")}, "not both"),
        ({"file": ("big.txt", b"a" * (20 * 1024 * 1024))}, "the limit is 5 MB"),
        ({"file": ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00")}, "binary file"),
        ({"file": ("latin.txt", "caf\u00e9".encode("latin-1"))}, "not valid UTF-8"),
        ({"file": ("report.pdf", b"%PDF-1.7")}, "Upload an .html or .txt file."),
        ({"file": ("empty.html", b"<html><script>x()</script></html>")}, "No readable"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(data, message, login, researcher):
    if "file" in data:
        data = {**data, "file": upload(*data["file"])}
    response = login(researcher).post(NEW, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_a_failed_form_keeps_what_was_typed(login, researcher):
    response = login(researcher).post(
        NEW, {"title": "My careful title", "text": "My pasted text.", "url": "not a url"}
    )
    html = response.content.decode()
    assert "Enter a valid URL." in html
    assert 'value="My careful title"' in html
    assert "My pasted text.</textarea>" in html
    assert not Article.objects.exists()


def test_the_same_url_twice_is_refused_with_a_link_to_the_first(login, researcher):
    first = ArticleFactory(url="https://paper.example/story")
    response = login(researcher).post(
        NEW, {"title": "Again", "text": "Different text.", "url": "https://paper.example/story"}
    )
    assert f'<a href="{first.get_absolute_url()}">' in response.content.decode()
    assert Article.objects.count() == 1


def test_the_same_text_twice_is_refused_with_a_link_to_the_first(login, researcher):
    first = ArticleFactory(text="Exactly this text.", url="")
    response = login(researcher).post(NEW, {"title": "Copy", "text": "Exactly this text.\n"})
    assert "already here" in response.content.decode()
    assert f'<a href="{first.get_absolute_url()}">' in response.content.decode()
    assert Article.objects.count() == 1


def test_the_form_page_has_labelled_fields(login, researcher):
    html = login(researcher).get(NEW).content.decode()
    for label in ["Title", "URL", "Outlet", "Published", "Text", "File"]:
        assert f">{label}</label>" in html


@pytest.mark.parametrize("role", ["source_admin", "outsider"])
def test_roles_that_do_not_add_articles_are_refused(role, login, request):
    client = login(request.getfixturevalue(role))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"title": "X", "text": "Y"}).status_code == 403
    assert not Article.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.post(NEW, {"title": "X", "text": "Y"}).status_code == 302
    assert not Article.objects.exists()


def test_a_post_without_a_csrf_token_is_refused(researcher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)
    assert client.post(NEW, {"title": "X", "text": "Y"}).status_code == 403
