"""Article pages: the list, adding one, its details, an import's progress (the reader: claims)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django_htmx.http import HttpResponseClientRedirect

from lib import keyset
from lib.oversize import answers_post_too_large
from lib.versioning import StaleEdit
from sources.extraction import in_megabytes, max_bytes

from . import actions
from .forms import ArticleDetailsForm, ArticleFilterForm, ArticleForm, already_here
from .models import Article, ArticleFetch

PAGE_SIZE = 50


def get_article_for_user(user, pk: int) -> Article:
    # Every signed-in role may read every article; the permission decorator refuses the rest.
    return get_object_or_404(Article.objects.select_related("outlet"), pk=pk)


@permission_required("articles.view_article", raise_exception=True)
def article_list(request):
    """Articles, newest added first, filtered from the URL, a keyset page at a time."""
    filters = ArticleFilterForm(request.GET or None)
    articles = filters.filter(
        Article.objects.select_related("outlet").defer("text", "html", "search_document")
    )
    page = keyset.page_for(request, articles, field="created_at", descending=True, size=PAGE_SIZE)
    # Mentions belong to claims, the layer above: reached by the relation claims declares.
    mentions = Article._meta.get_field("mentions").related_model
    keyset.attach_counts(page, mentions, "article", "mention_count")
    template = "articles/article_list.html"
    if request.htmx:
        template += "#article-list"
    return render(request, template, {"page": page, "filters": filters})


def render_article_form(request, form, *, too_large: str = "", status: int = 200):
    context = {"form": form, "max_bytes": max_bytes(), "too_large": too_large}
    return render(request, "articles/article_form.html", context, status=status)


def article_post_too_large(request):
    """A post past the upload limit: the empty form, the limit, and what could not be kept.

    Runs instead of article_create, without its decorators (lib/oversize.py), and writes nothing.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("articles.add_article"):
        raise PermissionDenied("Only researchers and reviewers add articles.")
    sent = int(request.META.get("CONTENT_LENGTH") or 0)
    what = f"What you sent is {in_megabytes(sent)}" if sent else "What you sent is too large"
    message = (
        f"{what}; the limit is {in_megabytes(max_bytes())}. Nothing was saved, and the form could "
        "not be kept: add a shorter article, or upload it as a file of at most that size."
    )
    return render_article_form(request, ArticleForm(), too_large=message, status=413)


@answers_post_too_large(article_post_too_large)
@permission_required("articles.add_article", raise_exception=True)
def article_create(request):
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.fetch_url:
                fetch = actions.request_import(
                    by=request.user,
                    url=form.fetch_url,
                    outlet=form.cleaned_data["outlet"],
                    new_outlet=form.cleaned_data["new_outlet"],
                )
                return redirect(fetch)
            article = actions.add_article(by=request.user, **form.article_fields())
        except actions.DuplicateArticle as duplicate:
            form.add_error(None, already_here(duplicate.existing))
        else:
            messages.success(request, "Article added. Select a passage to tag a claim.")
            return redirect(article)
    return render_article_form(request, form)


@permission_required("articles.change_article", raise_exception=True)
def article_edit(request, pk: int):
    """Edit an article's title, URL, outlet, authors and date, refusing a stale copy."""
    article = get_article_for_user(request.user, pk)
    form = ArticleDetailsForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        try:
            article = actions.edit_article(
                article,
                by=request.user,
                seen_version=form.cleaned_data["seen_version"],
                changes=form.article_changes(),
                new_outlet=form.cleaned_data["new_outlet"],
                reason="Edited on the article's details page",
            )
        except StaleEdit as stale:
            form.add_error(None, stale.messages)
        except actions.DuplicateArticle as duplicate:
            form.add_error("url", already_here(duplicate.existing))
        else:
            messages.success(request, "Details saved.")
            return redirect(article)
    return render(request, "articles/article_details_form.html", {"form": form, "article": article})


@permission_required("articles.add_article", raise_exception=True)
def article_fetch(request, pk: int):
    """Where a URL import stands; htmx polls this until the task has finished."""
    fetch = get_object_or_404(ArticleFetch.objects.select_related("article"), pk=pk)
    if fetch.status == ArticleFetch.Status.DONE and fetch.article:
        if request.htmx:
            return HttpResponseClientRedirect(fetch.article.get_absolute_url())
        return redirect(fetch.article)
    template = "articles/article_fetch.html"
    if request.htmx:
        template += "#fetch-status"
    return render(request, template, {"fetch": fetch})
