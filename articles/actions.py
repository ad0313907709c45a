"""Every write to articles: adding, importing from a URL, editing, revising the text, deleting.

Each action checks the right, locks the row and the version the user saw (lib.versioning),
writes, computes the derived data here (the text's hash and the search text), and says who and
why in the history. Pages, the admin, commands and tasks call these.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lib.search import indexable
from lib.text import shorten
from lib.versioning import (
    changed_fields,
    editable_values,
    lock_for_edit,
    save_first_version,
    save_new_version,
    set_fields,
)
from sources import actions as register
from sources.extraction import Extracted, normalise_text
from sources.models import Outlet

from . import tasks
from .models import Article, ArticleFetch, ArticleRevision, text_hash

# The text is changed only by revise_text, which keeps the old one.
ARTICLE_FIELDS = frozenset({"title", "url", "outlet", "authors", "published_on", "language"})


class DuplicateArticle(Exception):
    """The article is already here, under its URL or with the same text; `existing` is it."""

    def __init__(self, existing: Article):
        self.existing = existing
        super().__init__(f"This article is already here: {existing.title}.")


# Derived data: computed here, once per write, never by Model.save().


def fill_derived_fields(article: Article) -> None:
    """The text's hash (duplicates are found by it) and what search reads."""
    article.content_hash = text_hash(article.text)
    article.search_document = indexable(f"{article.title}\n{article.text}")


def _outlet_by_name(by, name: str) -> Outlet:
    """The outlet a person named instead of choosing one: found, or added unrated."""
    return register.outlet_named(by=by, name=name, reason="Named for an article")


def _require(user, permission: str, refusal: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(refusal)


def _reason(reason: str, changed: list[str]) -> str:
    names = ", ".join(str(Article._meta.get_field(name).verbose_name) for name in changed)
    return f"{reason}: {names}" if names else reason


TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length
URL_MAX_LENGTH = Article._meta.get_field("url").max_length


@transaction.atomic
def add_article(
    *,
    by,
    title: str,
    text: str,
    url: str = "",
    outlet: Outlet | None = None,
    new_outlet: str = "",
    authors: str = "",
    published_on: datetime.date | None = None,
    language: str = "",
    html: str = "",
    reason: str = "Added",
) -> Article:
    """A new article; one already here (same URL or same text) raises DuplicateArticle.

    `new_outlet` names an outlet not chosen from the list: it is added unrated if it is new,
    in the same transaction, so a refused article leaves no outlet behind.
    """
    _require(by, "articles.add_article", "Only researchers and reviewers add articles.")
    # Titles and bylines may come from a fetched or uploaded page: shortened, not refused (a
    # typed title is limited by its form). An address is never shortened.
    if len(url) > URL_MAX_LENGTH:
        raise ValidationError({"url": f"The address is longer than {URL_MAX_LENGTH:,} characters."})
    article = Article(
        title=shorten(title.strip(), TITLE_MAX_LENGTH),
        text=normalise_text(text),
        url=url,
        outlet=outlet,
        authors=shorten(authors.strip(), TITLE_MAX_LENGTH),
        published_on=published_on,
        language=language or "en",
        html=html,
        added_by=by,
    )
    if not article.title:
        raise ValidationError({"title": "Give the article a title."})
    if not article.text.strip():
        raise ValidationError({"text": "The article has no text."})
    fill_derived_fields(article)
    if existing := Article.objects.copy_of(url=article.url, text=article.text):
        raise DuplicateArticle(existing)
    if new_outlet.strip():
        article.outlet = _outlet_by_name(by, new_outlet)
    try:
        with transaction.atomic():
            save_first_version(article, by=by, reason=reason)
    except IntegrityError:
        # The same URL was added a moment ago, by a second click or someone else.
        if existing := Article.objects.copy_of(url=article.url, text=article.text):
            raise DuplicateArticle(existing) from None
        raise
    return article


@transaction.atomic
def edit_article(
    article: Article,
    *,
    by,
    seen_version: int | None,
    changes: dict,
    new_outlet: str = "",
    reason: str = "Edited",
) -> Article:
    """Save an edit of the article's details (not its text) made to the version the user saw.

    `new_outlet` names an outlet instead of choosing one, as for add_article.
    """
    _require(by, "articles.change_article", "You may not edit articles.")
    article = lock_for_edit(Article, article.pk, seen_version)
    if new_outlet.strip():
        changes = {**changes, "outlet": _outlet_by_name(by, new_outlet)}
    before = editable_values(article)
    set_fields(article, changes, allowed=ARTICLE_FIELDS)
    changed = changed_fields(article, before)
    if not changed:
        return article
    fill_derived_fields(article)
    try:
        with transaction.atomic():
            save_new_version(article, by=by, reason=_reason(reason, changed))
    except IntegrityError:
        if existing := Article.objects.exclude(pk=article.pk).copy_of(url=article.url, text=""):
            raise DuplicateArticle(existing) from None
        raise
    return article


@transaction.atomic
def revise_text(
    article: Article, new_text: str, *, by, seen_version: int | None, reason="Edited the text"
) -> Article:
    """Keep the old text as a revision and save the new one; the article comes back locked.

    Mentions point into the text: claims.actions.revise_article_text calls this and then moves
    them, in the same transaction.
    """
    _require(by, "articles.change_article", "You may not edit articles.")
    article = lock_for_edit(Article, article.pk, seen_version)
    new_text = normalise_text(new_text)
    if not new_text.strip():
        raise ValidationError({"text": "The article has no text."})
    if new_text == article.text:
        return article
    ArticleRevision.objects.create(
        article=article, text=article.text, content_hash=article.content_hash, replaced_by=by
    )
    article.text = new_text
    fill_derived_fields(article)
    save_new_version(
        article,
        by=by,
        reason=reason,
        update_fields=["text", "content_hash", "search_document", "updated_at"],
    )
    return article


@transaction.atomic
def delete_article(article: Article, *, by, reason: str = "Deleted") -> None:
    """Remove an article; its mentions go with it."""
    _require(by, "articles.delete_article", "You may not delete articles.")
    article = lock_for_edit(Article, article.pk, None)
    article._history_user, article._change_reason = by, reason
    article.delete()


# Importing from a URL: requested by a person, recorded by a background task.


@transaction.atomic
def request_import(
    *, by, url: str, outlet: Outlet | None = None, new_outlet: str = ""
) -> ArticleFetch:
    """Queue the import of the article at this URL; one already here raises DuplicateArticle.

    The outlet chosen or named now is the imported article's.
    """
    _require(by, "articles.add_article", "Only researchers and reviewers add articles.")
    if existing := Article.objects.copy_of(url=url, text=""):
        raise DuplicateArticle(existing)
    if new_outlet.strip():
        outlet = _outlet_by_name(by, new_outlet)
    fetch = ArticleFetch.objects.create(url=url, outlet=outlet, requested_by=by)
    # With the database task backend the task row commits with the request, or neither does.
    tasks.fetch_article.enqueue(fetch.pk)
    return fetch


def _begin_import(fetch: ArticleFetch) -> ArticleFetch | None:
    """The import request, locked, if it still waits for its outcome (a task may run twice)."""
    fetch = ArticleFetch.objects.select_for_update().get(pk=fetch.pk)
    return fetch if fetch.status == ArticleFetch.Status.QUEUED else None


def _finish_import(fetch: ArticleFetch, status: str, *, article=None, error="") -> ArticleFetch:
    fetch.status, fetch.article, fetch.error = status, article, error
    fetch.finished_at = timezone.now()
    fetch.save(update_fields=["status", "article", "error", "finished_at"])
    return fetch


@transaction.atomic
def record_import(fetch: ArticleFetch, *, fetched_url: str, extracted: Extracted) -> ArticleFetch:
    """Store the fetched article through add_article, as the person who asked for it."""
    if (locked := _begin_import(fetch)) is None:
        return ArticleFetch.objects.get(pk=fetch.pk)  # finished by an earlier run
    url = extracted.url or fetched_url
    try:
        article = add_article(
            by=locked.requested_by,
            title=extracted.title or url,
            url=url,
            outlet=locked.outlet,
            authors=extracted.authors,
            published_on=extracted.published_on,
            text=extracted.text,
            html=extracted.html,
            reason=f"Imported from {locked.url}",
        )
    except (DuplicateArticle, PermissionDenied, ValidationError) as refusal:
        return _finish_import(locked, ArticleFetch.Status.FAILED, error=_refusal_text(refusal))
    return _finish_import(locked, ArticleFetch.Status.DONE, article=article)


@transaction.atomic
def record_import_failure(fetch: ArticleFetch, reason: str) -> ArticleFetch:
    """The page could not be fetched or read: no article, only the reason."""
    if (locked := _begin_import(fetch)) is None:
        return ArticleFetch.objects.get(pk=fetch.pk)  # finished by an earlier run
    return _finish_import(locked, ArticleFetch.Status.FAILED, error=reason)


def _refusal_text(refusal: Exception) -> str:
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    if isinstance(refusal, PermissionDenied):
        return "The person who asked for this import may no longer add articles."
    return str(refusal)
