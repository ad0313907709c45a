from django.contrib import admin

from lib.admin import FullTextSearchAdmin
from lib.versioning import VersionedModelForm

from .models import Outlet, Source, SourceSnapshot


class SourceInline(admin.TabularInline):
    model = Source
    fields = ["title", "url", "type", "published_on"]
    show_change_link = True
    extra = 0


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "reliability"]
    list_filter = ["reliability"]
    search_fields = ["name", "domain"]
    form = VersionedModelForm  # the admin, too, refuses to save over a newer change
    inlines = [SourceInline]


class SnapshotInline(admin.TabularInline):
    model = SourceSnapshot
    fields = ["fetched_at", "url", "sha256"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False


@admin.register(SourceSnapshot)
class SourceSnapshotAdmin(admin.ModelAdmin):
    list_display = ["source", "fetched_at", "sha256"]
    list_select_related = ["source"]
    readonly_fields = ["source", "url", "title", "text", "sha256", "fetched_at"]

    def has_add_permission(self, request):
        return False  # snapshots come only from fetching, so their text is what was served

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(FullTextSearchAdmin, admin.ModelAdmin):
    list_display = ["title", "outlet", "type", "published_on", "url"]
    list_filter = ["type", "outlet__reliability", "published_on"]
    list_select_related = ["outlet"]
    search_fields = ["title", "url", "outlet__name", "author"]
    autocomplete_fields = ["outlet"]
    readonly_fields = ["url_key", "added_by", "created_at"]
    form = VersionedModelForm
    inlines = [SnapshotInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
