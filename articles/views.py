"""Article pages: the list and the reader."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from claims.models import Mention

from .highlighting import split_into_runs
from .models import Article

PAGE_SIZE = 50


def _get_article_for_user(user, pk: int) -> Article:
    # Every signed-in role may read every article; the permission decorator refuses the rest.
    return get_object_or_404(Article.objects.select_related("outlet"), pk=pk)


@permission_required("articles.view_article", raise_exception=True)
def article_list(request):
    articles = (
        Article.objects.select_related("outlet")
        .annotate(mention_count=Count("mentions"))
        .order_by("-published_on", "-pk")
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "articles/article_list.html"
    if request.htmx:
        template += "#article-list"
    return render(request, template, {"page": page})


@permission_required("articles.view_article", raise_exception=True)
def article_detail(request, pk: int):
    article = _get_article_for_user(request.user, pk)
    mentions = list(
        Mention.objects.filter(article=article)
        .select_related("claim__claimant", "claim__rating")
        .order_by("start", "-end")
    )
    by_pk = {mention.pk: mention for mention in mentions}
    runs = [
        (run.text, [by_pk[key] for key in run.spans])
        for run in split_into_runs(article.text, ((m.pk, m.start, m.end) for m in mentions))
    ]
    claims = list({mention.claim_id: mention.claim for mention in mentions}.values())
    return render(
        request,
        "articles/article_detail.html",
        {"article": article, "runs": runs, "mentions": mentions, "claims": claims},
    )
