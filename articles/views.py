"""Article pages: the list and the reader."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from claims import actions
from claims.forms import TagClaimForm
from claims.models import Claimant, Mention, Rating
from lib import keyset, pagecache
from sources.balance import EvidenceBalance
from sources.models import Evidence

from . import actions as article_actions
from . import tasks
from .forms import ArticleFilterForm, ArticleForm, ArticleTextForm
from .highlighting import split_into_runs
from .models import Article, ArticleFetch

PAGE_SIZE = 50


def _get_article_for_user(user, pk: int) -> Article:
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
        keyset.attach_counts(page, Mention, "article", "mention_count")
        return {"page": page, "filters": filters}

    return pagecache.render_kept(
        request, "articles/article_list.html", build_context, htmx_partial="article-list"
    )


def reader_context(article: Article) -> dict:
    """The article's text cut into runs with the mentions covering each, and its claims."""
    everything = (
        Mention.objects.filter(article=article)
        .select_related("claim__claimant", "claim__rating")
        .order_by("start", "-end")
    )
    mentions = [mention for mention in everything if not mention.orphaned]
    orphans = [mention for mention in everything if mention.orphaned]
    by_pk = {mention.pk: mention for mention in mentions}
    runs = [
        (run.text, [by_pk[key] for key in run.spans])
        for run in split_into_runs(article.text, ((m.pk, m.start, m.end) for m in mentions))
    ]
    claims = list({mention.claim_id: mention.claim for mention in mentions}.values())
    balances = Evidence.objects.filter(claim__in=[claim.pk for claim in claims]).balances()
    for claim in claims:
        claim.balance = balances.get(claim.pk, EvidenceBalance())
    return {
        "article": article,
        "ratings": Rating.objects.all(),
        "runs": runs,
        "mentions": mentions,
        "orphans": orphans,
        "claims": claims,
    }


@permission_required("articles.view_article", raise_exception=True)
def article_detail(request, pk: int):
    def build_context():
        return reader_context(_get_article_for_user(request.user, pk))

    return pagecache.render_kept(request, "articles/article_detail.html", build_context)


@permission_required(["claims.add_claim", "claims.add_mention"], raise_exception=True)
def tag_claim(request, pk: int):
    """Tag a passage as a claim: in place on the reader with htmx, or on a plain page."""
    article = _get_article_for_user(request.user, pk)
    data = request.POST if request.method == "POST" else None
    initial = {"text": request.GET.get("passage", "")}
    form = TagClaimForm(data, initial={**request.GET.dict(), **initial}, article=article)
    if request.method == "POST" and form.is_valid():
        anchor = form.cleaned_data["anchor"]
        if existing := form.cleaned_data["existing_claim"]:
            actions.add_mention(
                existing, article, start=anchor.start, end=anchor.end, by=request.user
            )
        else:
            actions.tag_claim(
                article,
                start=anchor.start,
                end=anchor.end,
                text=form.cleaned_data["text"],
                claimant_name=form.cleaned_data["claimant"],
                claimed_on=form.cleaned_data["claimed_on"],
                by=request.user,
            )
        if request.htmx:
            response = render(
                request, "articles/article_detail.html#reader", reader_context(article)
            )
            return reswap(retarget(response, "#reader"), "outerHTML")
        messages.success(request, "Claim tagged.")
        return redirect(article)
    template = "articles/tag_claim.html"
    if request.htmx:
        template += "#tag-form"
    context = {
        "article": article,
        "form": form,
        "from_selection": form["start"].value() not in (None, ""),
        "claimant_names": Claimant.objects.values_list("name", flat=True)[:1000],
    }
    return render(request, template, context)


@permission_required("articles.add_article", raise_exception=True)
def article_create(request):
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and form.fetch_url:
        fetch = ArticleFetch.objects.create(url=form.fetch_url, requested_by=request.user)
        tasks.fetch_article.enqueue(fetch.pk)
        return redirect(fetch)
    if request.method == "POST" and form.is_valid():
        article = form.save(commit=False)
        article.added_by = request.user
        article.save()
        messages.success(request, "Article added. Select a passage to tag a claim.")
        return redirect(article)
    return render(request, "articles/article_form.html", {"form": form})


@permission_required("articles.change_article", raise_exception=True)
def article_edit_text(request, pk: int):
    """Replace the text; the old one becomes a revision and every mention is re-anchored."""
    article = _get_article_for_user(request.user, pk)
    form = ArticleTextForm(
        request.POST or None, initial={"text": article.text, "base_hash": article.content_hash}
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = article_actions.revise_text(
                article,
                form.cleaned_data["text"],
                base_hash=form.cleaned_data["base_hash"],
                by=request.user,
            )
        except article_actions.StaleEdit:
            form.add_error(
                None,
                "Someone else changed this text after you opened it. Your version is below; "
                "copy what you need, then reload the article to edit the current text.",
            )
        else:
            messages.success(
                request,
                f"Text saved. Mentions re-anchored: {outcome.placed}; "
                f"orphaned (listed beside the text): {outcome.orphaned}.",
            )
            return redirect(article)
    return render(request, "articles/article_text_form.html", {"article": article, "form": form})


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
