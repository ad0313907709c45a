"""Articles: the list, one with its text, adding one from its text or importing it from a URL."""

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Status

from articles import actions
from articles.forms import ArticleFilterForm, ArticleForm
from articles.models import Article, ArticleFetch

from .errors import form_errors, responses
from .paging import filtered, filters_from, origin_of, page_of, require
from .register import Paging, outlet_ref
from .schemas import ArticleDetail, ArticleIn, ArticlePage, Id, ImportOut, Text

router = Router(tags=["Articles"])


class ArticleData(ArticleForm):
    """The page's form, checks and all, except that a duplicate is left to add_article, which
    names the article already here: the API answers 409 with it rather than a form error."""

    def refuse_duplicates(self, cleaned):
        pass


class ArticleFilters(Paging):
    outlet: Text(253) | None = Field(None, description="An outlet's name or domain.")
    published_from: str | None = Field(None, description="YYYY-MM-DD", max_length=10)
    published_to: str | None = Field(None, description="YYYY-MM-DD", max_length=10)


def article_out(article: Article, origin: str, *, text: bool = False) -> dict:
    out = {
        "id": article.pk,
        "title": article.title,
        "url": article.url,
        "outlet": outlet_ref(article.outlet),
        "authors": article.authors,
        "published_on": article.published_on,
        "language": article.language,
        "created_at": article.created_at,
        "version": article.version,
        "web_url": origin + article.get_absolute_url(),
    }
    if text:
        out["text"] = article.text
    return out


def import_out(request, fetch: ArticleFetch) -> dict:
    return {
        "id": fetch.pk,
        "url": fetch.url,
        "status": fetch.status,
        "error": fetch.error,
        "article_id": fetch.article_id,
        "status_url": request.build_absolute_uri(f"/api/articles/imports/{fetch.pk}/"),
    }


@router.get(
    "/articles/", response=responses({200: ArticlePage}), summary="Articles, newest added first"
)
def list_articles(request, query: Query[ArticleFilters]):
    require(request, "articles.view_article")
    form = ArticleFilterForm(filters_from(query.model_copy(update={"cursor": None, "limit": None})))
    articles = filtered(
        form, Article.objects.select_related("outlet").defer("text", "html", "search_document")
    )
    page = page_of(
        request,
        articles,
        field="created_at",
        descending=True,
        cursor=query.cursor,
        limit=query.limit,
    )
    page["items"] = [article_out(article, origin_of(request)) for article in page["items"]]
    return page


@router.get(
    "/articles/{id}/",
    response=responses({200: ArticleDetail}, not_found=True),
    summary="An article with its text",
)
def get_article(request, id: Id):
    require(request, "articles.view_article")
    article = get_object_or_404(Article.objects.select_related("outlet").defer("html"), pk=id)
    return article_out(article, origin_of(request), text=True)


@router.post(
    "/articles/",
    response=responses({201: ArticleDetail, 202: ImportOut}, duplicate=True),
    summary="Add an article from its text, or import it from a URL (202)",
    description="With `text`, the article is stored at once (201). With only `url`, the page is "
    "fetched in the background, safely, as the import page does (202): poll `status_url`.",
)
def create_article(request, payload: ArticleIn):
    require(request, "articles.add_article")
    data = payload.dict()
    data = {name: ("" if value is None else value) for name, value in data.items()}
    only_url = data["url"] and not data["text"].strip()
    if only_url and (existing := Article.objects.copy_of(url=data["url"].strip(), text="")):
        raise actions.DuplicateArticle(existing)
    form = ArticleData(data)
    if not form.is_valid():
        raise form_errors(form)
    if form.fetch_url:
        fetch = actions.request_import(
            by=request.user,
            url=form.fetch_url,
            outlet=form.cleaned_data["outlet"],
            new_outlet=form.cleaned_data["new_outlet"],
        )
        fetch.refresh_from_db()  # the task may already have run (inline in tests)
        return Status(202, import_out(request, fetch))
    article = actions.add_article(by=request.user, **form.article_fields())
    return Status(201, article_out(article, origin_of(request), text=True))


@router.get(
    "/articles/imports/{id}/",
    response=responses({200: ImportOut}, not_found=True),
    summary="Where a URL import stands",
)
def get_import(request, id: Id):
    require(request, "articles.add_article")
    return import_out(request, get_object_or_404(ArticleFetch, pk=id))
