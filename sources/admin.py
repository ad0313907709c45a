"""The register's admin: saves and deletes go through sources.actions; snapshots are read-only."""

from django.contrib import admin

from lib.admin import FullTextSearchAdmin, WritesThroughActions
from lib.versioning import StaleEdit, VersionedModelForm

from . import actions
from .forms import ExternalFactCheckForm, OutletForm
from .models import ExternalFactCheck, FactCheckImport, Outlet, Source, SourceSnapshot

ADMIN_EDIT = "Edited in the admin"


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page; each is changed on its own page, through its action."""

    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SourceInline(ReadOnlyInline):
    model = Source
    fields = ["title", "url", "type", "published_on"]


@admin.register(Outlet)
class OutletAdmin(WritesThroughActions, admin.ModelAdmin):
    list_display = ["name", "domain", "reliability"]
    list_filter = ["reliability"]
    search_fields = ["name", "domain"]
    form = OutletForm  # the admin, too, refuses to save over a newer change
    inlines = [SourceInline]
    refusals = (StaleEdit, actions.DuplicateOutlet)

    def add_object(self, request, form):
        return actions.add_outlet(
            by=request.user, reason="Added in the admin", **form.edited_fields()
        )

    def edit_object(self, request, obj, form):
        return actions.edit_outlet(
            obj,
            by=request.user,
            seen_version=form.cleaned_data["seen_version"],
            changes=form.edited_fields(),
            reason=ADMIN_EDIT,
        )

    def delete_object(self, request, obj):
        actions.delete_outlet(obj, by=request.user, reason="Deleted in the admin")


class SnapshotInline(ReadOnlyInline):
    model = SourceSnapshot
    fields = ["fetched_at", "url", "sha256"]


@admin.register(SourceSnapshot)
class SourceSnapshotAdmin(admin.ModelAdmin):
    """Snapshots come only from fetching, so their text is what was served: nothing edits them."""

    list_display = ["source", "fetched_at", "sha256"]
    list_select_related = ["source"]
    readonly_fields = ["source", "url", "title", "text", "sha256", "fetched_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(WritesThroughActions, FullTextSearchAdmin, admin.ModelAdmin):
    list_display = ["title", "outlet", "type", "published_on", "url"]
    list_filter = ["type", "outlet__reliability", "published_on"]
    list_select_related = ["outlet"]
    search_fields = ["title", "url", "outlet__name", "author"]
    autocomplete_fields = ["outlet"]
    readonly_fields = ["url_key", "added_by", "created_at"]
    form = VersionedModelForm  # the admin, too, refuses to save over a newer change
    inlines = [SnapshotInline]
    refusals = (StaleEdit, actions.DuplicateSource)

    def add_object(self, request, form):
        return actions.add_source(
            by=request.user, reason="Added in the admin", **form.edited_fields()
        )

    def edit_object(self, request, obj, form):
        return actions.edit_source(
            obj,
            by=request.user,
            seen_version=form.cleaned_data["seen_version"],
            changes=form.edited_fields(),
            reason=ADMIN_EDIT,
        )

    def delete_object(self, request, obj):
        actions.delete_source(obj, by=request.user, reason="Deleted in the admin")


@admin.register(ExternalFactCheck)
class ExternalFactCheckAdmin(WritesThroughActions, FullTextSearchAdmin, admin.ModelAdmin):
    """Imported by the import page or command only; corrected and removed through actions."""

    list_display = ["__str__", "reviewer_name", "rating_label", "review_date", "origin"]
    list_filter = ["rating_family", "origin"]
    list_select_related = ["reviewer_outlet"]
    search_fields = ["claim_reviewed", "claimant", "reviewer_name", "review_url"]
    autocomplete_fields = ["reviewer_outlet"]
    readonly_fields = ["origin", "rating_family", "archive_url", "raw", "imported_by", "created_at"]
    form = ExternalFactCheckForm  # the admin, too, refuses to save over a newer change
    refusals = (StaleEdit,)

    def has_add_permission(self, request):
        return False  # added by importing a file (Sources → External fact-checks → Import)

    def edit_object(self, request, obj, form):
        return actions.edit_external_fact_check(
            obj,
            by=request.user,
            seen_version=form.cleaned_data["seen_version"],
            changes=form.edited_fields(),
            reason=ADMIN_EDIT,
        )

    def delete_object(self, request, obj):
        actions.delete_external_fact_check(obj, by=request.user, reason="Deleted in the admin")


@admin.register(FactCheckImport)
class FactCheckImportAdmin(admin.ModelAdmin):
    """The record of background imports: what the task wrote, read here, changed by nobody."""

    list_display = ["file_name", "status", "processed", "total", "created_at", "requested_by"]
    readonly_fields = [
        "file_name",
        "format",
        "size",
        "status",
        "total",
        "processed",
        "report",
        "message",
        "requested_by",
        "created_at",
        "finished_at",
    ]
    exclude = ["payload"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
