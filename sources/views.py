"""The register of sources and outlets: lists, pages, editing, and fetching a source's details."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from lib import keyset
from lib.versioning import StaleEdit

from . import actions
from .factchecks import FileRefused
from .forms import (
    FactCheckFilterForm,
    FactCheckImportForm,
    OutletForm,
    SourceFilterForm,
    SourceForm,
)
from .models import ExternalFactCheck, FactCheckImport, Outlet, Source, SourceFetch, SourceSnapshot

PAGE_SIZE = 50


def _get_source_for_user(user, pk: int) -> Source:
    # Every signed-in role may read the register; the permission decorator refuses the rest.
    return get_object_or_404(Source.objects.select_related("outlet", "added_by"), pk=pk)


def _get_source_for_editing(user, pk: int) -> Source:
    source = _get_source_for_user(user, pk)
    if not source.editable_by(user):
        raise PermissionDenied("Only source admins and the researcher who added it may edit it.")
    return source


def _get_outlet_for_user(user, pk: int) -> Outlet:
    return get_object_or_404(Outlet, pk=pk)


@permission_required("sources.view_source", raise_exception=True)
def source_list(request):
    """Sources by title, filtered from the URL, a keyset page at a time; nothing is counted."""
    filters = SourceFilterForm(request.GET or None)
    sources = filters.filter(Source.objects.select_related("outlet"))
    page = keyset.page_for(request, sources, field="title", descending=False, size=PAGE_SIZE)
    # How often each is cited: evidence belongs to claims, a higher layer, so it is reached
    # through the relation claims declares rather than imported.
    citations = Source._meta.get_field("evidence").related_model
    keyset.attach_counts(page, citations, "source", "evidence_count")
    template = "sources/source_list.html"
    if request.htmx:
        template += "#source-list"
    return render(request, template, {"page": page, "filters": filters})


@permission_required("sources.view_source", raise_exception=True)
def source_detail(request, pk: int):
    source = _get_source_for_user(request.user, pk)
    evidence = source.evidence.select_related("claim__claimant", "claim__rating").order_by(
        "stance", "claim_id"
    )
    context = {
        "source": source,
        "evidence": evidence,
        "snapshots": source.snapshots.defer("text"),
        "last_fetch": source.fetches.first(),
        "can_edit": source.editable_by(request.user),
    }
    return render(request, "sources/source_detail.html", context)


@permission_required("sources.add_source", raise_exception=True)
def source_create(request):
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = actions.add_source(by=request.user, **form.edited_fields())
        except actions.DuplicateSource as duplicate:
            form.add_error("url", str(duplicate))
        else:
            messages.success(request, "Source added. “Fetch details” fills in its title and date.")
            return redirect(source)
    return render(request, "sources/source_form.html", {"form": form})


@permission_required("sources.add_source", raise_exception=True)
def source_edit(request, pk: int):
    source = _get_source_for_editing(request.user, pk)
    form = SourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        try:
            source = actions.edit_source(
                source,
                by=request.user,
                seen_version=form.cleaned_data["seen_version"],
                changes=form.edited_fields(),
                reason="Edited on the source page",
            )
        except StaleEdit as stale:
            form.add_error(None, stale.messages)
        except actions.DuplicateSource as duplicate:
            form.add_error("url", str(duplicate))
        else:
            messages.success(request, "Source saved.")
            return redirect(source)
    return render(request, "sources/source_form.html", {"form": form, "source": source})


@require_POST
@permission_required("sources.add_source", raise_exception=True)
def source_fetch_request(request, pk: int):
    """Fetch the source's details and a snapshot of its text in the background."""
    source = _get_source_for_editing(request.user, pk)
    fetch = actions.request_fetch(source, by=request.user)
    return redirect(fetch)


@permission_required("sources.add_source", raise_exception=True)
def source_fetch(request, pk: int):
    """Where a details fetch stands; htmx polls this until the task has finished."""
    fetch = get_object_or_404(SourceFetch.objects.select_related("source"), pk=pk)
    if fetch.status != SourceFetch.Status.QUEUED and request.htmx:
        return HttpResponseClientRefresh()
    template = "sources/source_fetch.html"
    if request.htmx:
        template += "#fetch-status"
    return render(request, template, {"fetch": fetch})


@permission_required("sources.view_source", raise_exception=True)
def snapshot_detail(request, pk: int):
    snapshot = get_object_or_404(SourceSnapshot.objects.select_related("source"), pk=pk)
    return render(request, "sources/snapshot_detail.html", {"snapshot": snapshot})


@permission_required("sources.view_outlet", raise_exception=True)
def outlet_list(request):
    outlets = Outlet.objects.annotate(source_count=Count("sources")).order_by("name", "pk")
    page = Paginator(outlets, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "sources/outlet_list.html"
    if request.htmx:
        template += "#outlet-list"
    return render(request, template, {"page": page})


@permission_required("sources.view_outlet", raise_exception=True)
def outlet_detail(request, pk: int):
    outlet = _get_outlet_for_user(request.user, pk)
    sources = outlet.sources.annotate(evidence_count=Count("evidence"))
    return render(request, "sources/outlet_detail.html", {"outlet": outlet, "sources": sources})


def outlet_adders_only(view):
    """Source admins, researchers and reviewers add outlets (sources.actions.may_add_outlets)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not actions.may_add_outlets(request.user):
            raise PermissionDenied("Only researchers, reviewers and source admins add outlets.")
        return view(request, *args, **kwargs)

    return checked


@outlet_adders_only
def outlet_create(request):
    """A new outlet; only a source admin sees its rating, others add it unrated."""
    form = OutletForm(request.POST or None, may_rate=actions.may_rate_outlets(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            outlet = actions.add_outlet(by=request.user, **form.edited_fields())
        except actions.DuplicateOutlet as duplicate:
            form.add_error("domain", str(duplicate))
        else:
            messages.success(request, "Outlet added.")
            return redirect(outlet)
    return render(request, "sources/outlet_form.html", {"form": form})


@permission_required("sources.change_outlet", raise_exception=True)
def outlet_edit(request, pk: int):
    outlet = _get_outlet_for_user(request.user, pk)
    form = OutletForm(request.POST or None, instance=outlet)
    if request.method == "POST" and form.is_valid():
        try:
            outlet = actions.edit_outlet(
                outlet,
                by=request.user,
                seen_version=form.cleaned_data["seen_version"],
                changes=form.edited_fields(),
                reason="Edited on the outlet page",
            )
        except StaleEdit as stale:
            form.add_error(None, stale.messages)
        except actions.DuplicateOutlet as duplicate:
            form.add_error("domain", str(duplicate))
        else:
            messages.success(request, "Outlet saved.")
            return redirect(outlet)
    return render(request, "sources/outlet_form.html", {"form": form, "outlet": outlet})


# External fact-checks: other organisations' published reviews.


def _get_fact_check_for_user(user, pk: int) -> ExternalFactCheck:
    # Every signed-in role reads them; the permission decorator refuses the rest.
    return get_object_or_404(ExternalFactCheck.objects.select_related("reviewer_outlet"), pk=pk)


def _get_fact_check_import_for_user(user, pk: int) -> FactCheckImport:
    # Source admins see every import: they share the work of keeping the register.
    return get_object_or_404(FactCheckImport.objects.defer("payload"), pk=pk)


@permission_required("sources.view_externalfactcheck", raise_exception=True)
def factcheck_list(request):
    """External fact-checks, newest imported first, filtered from the URL, a page at a time."""
    filters = FactCheckFilterForm(request.GET or None)
    checks = filters.filter(
        ExternalFactCheck.objects.select_related("reviewer_outlet").defer(
            "raw", "summary", "search_document"
        )
    )
    page = keyset.page_for(request, checks, field="created_at", descending=True, size=PAGE_SIZE)
    template = "sources/factcheck_list.html"
    if request.htmx:
        template += "#factcheck-list"
    context = {
        "page": page,
        "filters": filters,
        "may_import": actions.may_import_fact_checks(request.user),
    }
    return render(request, template, context)


@permission_required("sources.view_externalfactcheck", raise_exception=True)
def factcheck_detail(request, pk: int):
    check = _get_fact_check_for_user(request.user, pk)
    # Links belong to claims, a higher layer: reached through the relation claims declares.
    links = check.claim_links.select_related("claim").order_by("claim_id")
    return render(request, "sources/factcheck_detail.html", {"check": check, "links": links})


def _import_form(request):
    return FactCheckImportForm(
        request.POST or None,
        request.FILES or None,
        max_bytes=actions.fact_check_import_max_bytes(),
    )


@permission_required("sources.add_externalfactcheck", raise_exception=True)
def factcheck_import(request):
    """Upload a file of fact-checks: a small one is imported at once and its report shown, a
    large one is imported in the background, with its progress on its own page."""
    form = _import_form(request)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload, format = form.cleaned_data["file"], form.cleaned_data["format"]
        data = upload.read()
        try:
            if len(data) <= settings.FACT_CHECK_IMPORT_INLINE_MAX_BYTES:
                report = actions.import_fact_check_file(
                    data, by=request.user, format=format, file_name=upload.name
                )
            else:
                parsed = actions.read_fact_check_file(data, format=format)
                run = actions.queue_fact_check_import(
                    data.decode("utf-8-sig"),
                    by=request.user,
                    format=parsed.format,
                    file_name=upload.name,
                    parsed=parsed,
                )
                return redirect(run)
        except FileRefused as refused:
            form.add_error("file", str(refused))
    if request.method == "POST" and not form.is_valid():
        status = 400
    recent = FactCheckImport.objects.defer("payload", "report")[:5]
    context = {"form": form, "report": report, "recent": recent}
    return render(request, "sources/factcheck_import.html", context, status=status)


@permission_required("sources.add_externalfactcheck", raise_exception=True)
def factcheck_import_status(request, pk: int):
    """Where a background import stands; htmx polls this until it has finished."""
    run = _get_fact_check_import_for_user(request.user, pk)
    template = "sources/factcheck_import_status.html"
    if request.htmx:
        template += "#import-status"
    report = actions.ImportReport.from_dict(run.report) if run.report else None
    return render(request, template, {"run": run, "report": report})
