"""The articles admin; mentions are edited from the claims admin, the layer above."""

from django.contrib import admin

from lib.admin import FullTextSearchAdmin

from .models import Article


@admin.register(Article)
class ArticleAdmin(FullTextSearchAdmin, admin.ModelAdmin):
    list_display = ["title", "outlet", "published_on", "language", "added_by", "created_at"]
    list_filter = ["language", "published_on", "outlet__reliability"]
    search_fields = ["title", "url", "authors"]
    autocomplete_fields = ["outlet"]
    readonly_fields = ["content_hash", "added_by", "created_at", "updated_at"]
    date_hierarchy = "published_on"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
