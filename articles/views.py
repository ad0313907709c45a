"""Article pages: the list, adding one, and a URL import's progress (the reader is in claims)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django_htmx.http import HttpResponseClientRedirect

from lib import keyset, pagecache

from . import actions
from .forms import ArticleFilterForm, ArticleForm, already_here
from .models import Article, ArticleFetch

PAGE_SIZE = 50


def get_article_for_user(user, pk: int) -> Article:
    # Every signed-in role may read every article; the permission decorator refuses the rest.
    return get_object_or_404(Article.objects.select_related("outlet"), pk=pk)


@permission_required("articles.view_article", raise_exception=True)
def article_list(request):
    """Articles, newest added first, filtered from the URL, a keyset page at a time."""

    def build_context():
        filters = ArticleFilterForm(request.GET or None)
        articles = filters.filter(
            Article.objects.select_related("outlet").defer("text", "html", "search_document")
        )
        page = keyset.page_for(
            request, articles, field="created_at", descending=True, size=PAGE_SIZE
        )
        # Mentions belong to claims, the layer above: reached by the relation claims declares.
        mentions = Article._meta.get_field("mentions").related_model
        keyset.attach_counts(page, mentions, "article", "mention_count")
        return {"page": page, "filters": filters}

    return pagecache.render_kept(
        request, "articles/article_list.html", build_context, htmx_partial="article-list"
    )


@permission_required("articles.add_article", raise_exception=True)
def article_create(request):
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.fetch_url:
                return redirect(actions.request_import(by=request.user, url=form.fetch_url))
            article = actions.add_article(by=request.user, **form.article_fields())
        except actions.DuplicateArticle as duplicate:
            form.add_error(None, already_here(duplicate.existing))
        else:
            messages.success(request, "Article added. Select a passage to tag a claim.")
            return redirect(article)
    return render(request, "articles/article_form.html", {"form": form})


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
