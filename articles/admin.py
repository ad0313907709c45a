"""The articles admin: saves go through articles.actions; mentions are edited in claims."""

from django.contrib import admin

from lib.admin import FullTextSearchAdmin, WritesThroughActions
from lib.versioning import StaleEdit, VersionedModelForm

from . import actions
from .models import Article


@admin.register(Article)
class ArticleAdmin(WritesThroughActions, FullTextSearchAdmin, admin.ModelAdmin):
    list_display = ["title", "outlet", "published_on", "language", "added_by", "created_at"]
    list_filter = ["language", "published_on", "outlet__reliability"]
    search_fields = ["title", "url", "authors"]
    autocomplete_fields = ["outlet"]
    # Sanitised HTML comes only from extraction; none is typed in.
    readonly_fields = ["html", "content_hash", "added_by", "created_at", "updated_at"]
    date_hierarchy = "published_on"
    form = VersionedModelForm
    refusals = (StaleEdit, actions.DuplicateArticle)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # The text changes only in the reader, which keeps the old one and moves the mentions.
        return [*self.readonly_fields, "text"]

    def add_object(self, request, form):
        return actions.add_article(
            by=request.user, reason="Added in the admin", **form.edited_fields()
        )

    def edit_object(self, request, obj, form):
        return actions.edit_article(
            obj,
            by=request.user,
            seen_version=form.cleaned_data["seen_version"],
            changes=form.edited_fields(),
            reason="Edited in the admin",
        )

    def delete_object(self, request, obj):
        actions.delete_article(obj, by=request.user, reason="Deleted in the admin")
