"""The register of sources: the list, a source with the claims it bears on, and an outlet."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from .models import Evidence, Outlet, Source

PAGE_SIZE = 50


def _get_source_for_user(user, pk: int) -> Source:
    # Every signed-in role may read the register; the permission decorator refuses the rest.
    return get_object_or_404(Source.objects.select_related("outlet", "added_by"), pk=pk)


def _get_outlet_for_user(user, pk: int) -> Outlet:
    return get_object_or_404(Outlet, pk=pk)


@permission_required("sources.view_source", raise_exception=True)
def source_list(request):
    sources = (
        Source.objects.select_related("outlet")
        .annotate(evidence_count=Count("evidence"))
        .order_by("title", "pk")
    )
    page = Paginator(sources, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "sources/source_list.html"
    if request.htmx:
        template += "#source-list"
    return render(request, template, {"page": page})


@permission_required("sources.view_source", raise_exception=True)
def source_detail(request, pk: int):
    source = _get_source_for_user(request.user, pk)
    evidence = (
        Evidence.objects.filter(source=source)
        .select_related("claim__claimant", "claim__rating")
        .order_by("stance", "claim_id")
    )
    return render(request, "sources/source_detail.html", {"source": source, "evidence": evidence})


@permission_required("sources.view_outlet", raise_exception=True)
def outlet_detail(request, pk: int):
    outlet = _get_outlet_for_user(request.user, pk)
    sources = outlet.sources.annotate(evidence_count=Count("evidence"))
    return render(request, "sources/outlet_detail.html", {"outlet": outlet, "sources": sources})
