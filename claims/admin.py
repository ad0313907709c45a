"""The claims admin: reads everything, writes only through claims.actions.

Claims, claimants and tags are saved and deleted by the actions, so the admin gets the same
rights, state checks (published means frozen), version checks and history as the pages.
Mentions and evidence are read-only here: they are made and changed on the claim page and in
the reader, where their anchors and duplicates are checked.
"""

from django.contrib import admin

from lib.admin import BigTableAdmin, FullTextSearchAdmin, WritesThroughActions
from lib.versioning import StaleEdit, VersionedModelForm

from . import actions
from .models import Claim, Claimant, Evidence, Mention, Publication, Rating, Tag


class ReadOnlyInline:
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MentionInline(ReadOnlyInline, admin.TabularInline):
    model = Mention
    fields = ["article", "start", "end", "quote", "created_by"]
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline, admin.TabularInline):
    model = Evidence
    fields = ["source", "stance", "excerpt", "note", "added_by"]
    readonly_fields = fields


class PublicationInline(ReadOnlyInline, admin.TabularInline):
    model = Publication
    fields = ["number", "published_at", "published_by", "rating", "changes"]
    readonly_fields = fields


class ClaimAdminForm(VersionedModelForm):
    class Meta:
        model = Claim
        fields = ["text", "claimant", "claimed_on", "tags"]


@admin.register(Claim)
class ClaimAdmin(WritesThroughActions, FullTextSearchAdmin, admin.ModelAdmin):
    refusals = (StaleEdit, actions.Refused)
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
        "reopened_at",
        "version",
        "created_by",
        "created_at",
        "updated_at",
        # Set only by merge_claims, from the claim page's "Merge into another claim…".
        "merged_into",
        "merged_at",
    ]
    inlines = [MentionInline, EvidenceInline, PublicationInline]
    form = ClaimAdminForm

    def has_change_permission(self, request, obj=None):
        # A published claim is shown, not edited: it is reopened on the claim page first.
        # A merged one is a redirect: the work goes on on the claim it was merged into.
        if obj is not None and (obj.is_published or obj.is_merged):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_published or obj.publications.exists()):
            return False
        return super().has_delete_permission(request, obj)

    @staticmethod
    def _fields(request, form) -> dict:
        data = form.cleaned_data
        return {
            "text": data["text"],
            "claimant_name": data["claimant"].name if data["claimant"] else "",
            "claimed_on": data["claimed_on"],
            "tags": [tag.name for tag in data["tags"]],
            "by": request.user,
        }

    def add_object(self, request, form):
        return actions.create_claim(**self._fields(request, form))

    def edit_object(self, request, obj, form):
        seen = form.cleaned_data["seen_version"]
        return actions.edit_claim(obj, seen_version=seen, **self._fields(request, form))

    def delete_object(self, request, obj):
        actions.delete_claim(obj, by=request.user)


@admin.register(Claimant)
class ClaimantAdmin(WritesThroughActions, admin.ModelAdmin):
    refusals = (actions.Refused,)
    list_display = ["name", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]

    def add_object(self, request, form):
        return self.edit_object(request, None, form)

    def edit_object(self, request, obj, form):
        data = form.cleaned_data
        return actions.save_claimant(
            obj,
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            by=request.user,
        )

    def delete_object(self, request, obj):
        actions.delete_claimant(obj, by=request.user)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["label", "position", "value", "colour"]
    ordering = ["position"]


@admin.register(Tag)
class TagAdmin(WritesThroughActions, admin.ModelAdmin):
    refusals = (actions.Refused,)
    search_fields = ["name"]

    def add_object(self, request, form):
        return actions.save_tag(None, name=form.cleaned_data["name"], by=request.user)

    def edit_object(self, request, obj, form):
        return actions.save_tag(obj, name=form.cleaned_data["name"], by=request.user)

    def delete_object(self, request, obj):
        actions.delete_tag(obj, by=request.user)


class ReadOnlyAdmin:
    """Shown for reading and searching; changed only on the claim page and in the reader."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mention)
class MentionAdmin(ReadOnlyAdmin, BigTableAdmin, admin.ModelAdmin):
    list_display = ["quote", "claim", "article", "start", "end"]
    list_select_related = ["claim", "article"]
    search_fields = ["quote", "claim__text", "article__title"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin, BigTableAdmin, admin.ModelAdmin):
    list_display = ["source", "stance", "claim", "added_by", "created_at"]
    list_filter = ["stance", "source__outlet__reliability"]
    list_select_related = ["source", "claim", "added_by"]
    search_fields = ["source__title", "claim__text", "excerpt"]
