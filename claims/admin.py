from django.contrib import admin

from lib.admin import BigTableAdmin, FullTextSearchAdmin
from lib.versioning import VersionedModelForm

from .models import Claim, Claimant, Evidence, Mention, Rating, Tag


class MentionInline(admin.TabularInline):
    model = Mention
    fields = ["article", "start", "end", "quote"]
    autocomplete_fields = ["article"]
    extra = 0


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["source", "stance", "excerpt", "note"]
    autocomplete_fields = ["source"]
    extra = 0


@admin.register(Claim)
class ClaimAdmin(FullTextSearchAdmin, admin.ModelAdmin):
    list_display = ["__str__", "claimant", "status", "rating", "claimed_on", "created_at"]
    list_filter = ["status", "rating", "tags", "claimed_on"]
    list_select_related = ["claimant", "rating"]
    search_fields = ["text", "claimant__name", "tags__name"]
    autocomplete_fields = ["claimant", "tags"]
    # The verdict and the status change only through the review workflow on the claim page.
    readonly_fields = [
        "status",
        "rating",
        "rationale",
        "verdict_as_of",
        "reviewer",
        "submitted_at",
        "published_at",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [MentionInline, EvidenceInline]
    form = VersionedModelForm

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Claimant)
class ClaimantAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["label", "position", "value", "colour"]
    ordering = ["position"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Mention)
class MentionAdmin(BigTableAdmin, admin.ModelAdmin):
    list_display = ["quote", "claim", "article", "start", "end"]
    list_select_related = ["claim", "article"]
    search_fields = ["quote", "claim__text", "article__title"]
    autocomplete_fields = ["claim", "article"]
    readonly_fields = ["prefix", "suffix", "created_by", "created_at"]


@admin.register(Evidence)
class EvidenceAdmin(BigTableAdmin, admin.ModelAdmin):
    list_display = ["source", "stance", "claim", "added_by", "created_at"]
    list_filter = ["stance", "source__outlet__reliability"]
    list_select_related = ["source", "claim", "added_by"]
    search_fields = ["source__title", "claim__text", "excerpt"]
    autocomplete_fields = ["claim", "source"]
    readonly_fields = ["added_by", "created_at"]
    form = VersionedModelForm

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
