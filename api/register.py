"""The register's read endpoints: sources, outlets with their reliability, external fact-checks."""

from ninja import Field, Query, Router, Schema

from sources.forms import FactCheckFilterForm, SourceFilterForm
from sources.models import ExternalFactCheck, Outlet, Source

from .errors import responses
from .paging import DEFAULT_LIMIT, MAX_LIMIT, filtered, filters_from, page_of, require
from .schemas import FactCheckPage, OutletPage, SourcePage, Text

router = Router(tags=["Register"])


class Paging(Schema):
    cursor: Text(2000) | None = Field(None, description="From the previous page's `next`.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class SourceFilters(Paging):
    q: Text(500) | None = Field(None, description="Words of the title, outlet or URL.")
    outlet: Text(253) | None = Field(None, description="An outlet's name or domain.")
    type: Text(20) | None = None
    reliability: Text(20) | None = None


class FactCheckFilters(Paging):
    q: Text(500) | None = None
    reviewer: Text(300) | None = Field(None, description="Who checked it: name or domain.")
    rating: Text(20) | None = Field(None, description="A rating family: false, mixed, true …")
    origin: Text(20) | None = None


def outlet_ref(outlet: Outlet | None) -> dict | None:
    if outlet is None:
        return None
    return {"id": outlet.pk, "name": outlet.name, "reliability": outlet.reliability}


def outlet_out(outlet: Outlet) -> dict:
    return {
        **outlet_ref(outlet),
        "domain": outlet.domain,
        "reliability_label": outlet.get_reliability_display(),
        "notes": outlet.notes,
        "version": outlet.version,
    }


def source_out(source: Source) -> dict:
    return {
        "id": source.pk,
        "title": source.title,
        "url": source.url,
        "outlet": outlet_ref(source.outlet),
        "author": source.author,
        "published_on": source.published_on,
        "type": source.type,
        "archive_url": source.archive_url,
        "version": source.version,
    }


FACT_CHECK_FIELDS = [
    "claim_reviewed",
    "claimant",
    "claim_date",
    "rating_label",
    "rating_family",
    "reviewer_name",
    "reviewer_domain",
    "review_url",
    "archive_url",
    "review_date",
    "language",
    "title",
    "summary",
    "origin",
]


@router.get(
    "/sources/",
    response=responses({200: SourcePage}),
    summary="Sources of the register, by title",
)
def list_sources(request, query: Query[SourceFilters]):
    require(request, "sources.view_source")
    form = SourceFilterForm(filters_from(query.model_copy(update={"cursor": None, "limit": None})))
    sources = filtered(form, Source.objects.select_related("outlet"))
    page = page_of(
        request, sources, field="title", descending=False, cursor=query.cursor, limit=query.limit
    )
    page["items"] = [source_out(source) for source in page["items"]]
    return page


@router.get(
    "/outlets/",
    response=responses({200: OutletPage}),
    summary="Outlets with their reliability, by id",
)
def list_outlets(request, query: Query[Paging]):
    require(request, "sources.view_outlet")
    page = page_of(
        request,
        Outlet.objects.all(),
        field="id",
        descending=False,
        cursor=query.cursor,
        limit=query.limit,
    )
    page["items"] = [outlet_out(outlet) for outlet in page["items"]]
    return page


@router.get(
    "/fact-checks/",
    response=responses({200: FactCheckPage}),
    summary="Other organisations' fact-checks, newest imported first",
)
def list_fact_checks(request, query: Query[FactCheckFilters]):
    require(request, "sources.view_externalfactcheck")
    form = FactCheckFilterForm(
        filters_from(query.model_copy(update={"cursor": None, "limit": None}))
    )
    checks = filtered(form, ExternalFactCheck.objects.defer("raw", "search_document"))
    page = page_of(
        request, checks, field="created_at", descending=True, cursor=query.cursor, limit=query.limit
    )
    page["items"] = [
        {"id": check.pk, **{name: getattr(check, name) for name in FACT_CHECK_FIELDS}}
        for check in page["items"]
    ]
    return page
