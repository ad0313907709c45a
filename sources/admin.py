from django.contrib import admin

from .models import Evidence, Outlet, Source


class SourceInline(admin.TabularInline):
    model = Source
    fields = ["title", "url", "type", "published_on"]
    show_change_link = True
    extra = 0


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "reliability"]
    list_filter = ["reliability"]
    list_editable = ["reliability"]
    search_fields = ["name", "domain"]
    inlines = [SourceInline]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "type", "published_on", "url"]
    list_filter = ["type", "outlet__reliability", "published_on"]
    list_select_related = ["outlet"]
    search_fields = ["title", "url", "outlet__name", "author"]
    autocomplete_fields = ["outlet"]
    readonly_fields = ["added_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["source", "stance", "claim", "added_by", "created_at"]
    list_filter = ["stance", "source__outlet__reliability"]
    list_select_related = ["source", "claim", "added_by"]
    search_fields = ["source__title", "claim__text", "excerpt"]
    autocomplete_fields = ["claim", "source"]
    readonly_fields = ["added_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
