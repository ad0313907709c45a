"""The claims admin: reads everything, writes only through claims.actions.

Claims, claimants and tags are saved and deleted by the actions, so the admin gets the same
rights, state checks (published means frozen), version checks and history as the pages.
Mentions and evidence are read-only here: they are made and changed on the claim page and in
the reader, where their anchors and duplicates are checked.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from lib.admin import BigTableAdmin, FullTextSearchAdmin
from lib.versioning import StaleEdit, VersionedModelForm

from . import actions
from .models import Claim, Claimant, Evidence, Mention, Publication, Rating, Tag


class ThroughActions:
    """A ModelAdmin mixin: an action's refusal comes back as a message, never an error page.

    The usual refusals never get that far (a published claim is shown read-only); this catches
    the rest, such as a claimant still making claims, or a change saved over a newer one.
    """

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except (actions.Refused, StaleEdit) as error:
            return self._refused(request, error)

    def delete_view(self, request, *args, **kwargs):
        try:
            return super().delete_view(request, *args, **kwargs)
        except (actions.Refused, StaleEdit) as error:
            return self._refused(request, error)

    def changelist_view(self, request, *args, **kwargs):
        try:
            return super().changelist_view(request, *args, **kwargs)
        except (actions.Refused, StaleEdit) as error:
            return self._refused(request, error)

    def _refused(self, request, error):
        reasons = error.messages if isinstance(error, StaleEdit) else [str(error)]
        for reason in reasons:
            messages.error(request, reason)
        return HttpResponseRedirect(request.get_full_path())

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


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
class ClaimAdmin(ThroughActions, FullTextSearchAdmin, admin.ModelAdmin):
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
    ]
    inlines = [MentionInline, EvidenceInline, PublicationInline]
    form = ClaimAdminForm

    def has_change_permission(self, request, obj=None):
        # A published claim is shown, not edited: it is reopened on the claim page first.
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_published or obj.publications.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            "text": data["text"],
            "claimant_name": data["claimant"].name if data["claimant"] else "",
            "claimed_on": data["claimed_on"],
            "tags": [tag.name for tag in data["tags"]],
            "by": request.user,
        }
        if change:
            saved = actions.edit_claim(obj, seen_version=data["seen_version"], **fields)
        else:
            saved = actions.create_claim(**fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """The tags were saved by the action; the inlines are read-only and save nothing."""
        for formset in formsets:
            formset.save()  # no form can change: this only tells the change message so

    def delete_model(self, request, obj):
        actions.delete_claim(obj, by=request.user)


@admin.register(Claimant)
class ClaimantAdmin(ThroughActions, admin.ModelAdmin):
    list_display = ["name", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]

    def save_model(self, request, obj, form, change):
        saved = actions.save_claimant(
            obj if change else None,
            name=obj.name,
            kind=obj.kind,
            description=obj.description,
            by=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        actions.delete_claimant(obj, by=request.user)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["label", "position", "value", "colour"]
    ordering = ["position"]


@admin.register(Tag)
class TagAdmin(ThroughActions, admin.ModelAdmin):
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        obj.pk = actions.save_tag(obj if change else None, name=obj.name, by=request.user).pk

    def delete_model(self, request, obj):
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
