"""What the admin needs: full-text search, no full counts at a million rows, writes by actions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.utils.functional import cached_property

from .search import matching_pks
from .versioning import StaleEdit

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows, so the last page link stops there on a big table."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()


class BigTableAdmin:
    """A ModelAdmin mixin for tables of millions of rows: no full count, a capped one."""

    show_full_result_count = False
    paginator = CappedCountPaginator


class FullTextSearchAdmin(BigTableAdmin):
    """A ModelAdmin mixin: the search box uses the full-text index instead of ILIKE scans."""

    search_help_text = 'Words, "a phrase", a OR b, -excluded; the first 1,000 matches.'

    def get_search_results(self, request, queryset, search_term):
        if request.path.endswith("/autocomplete/"):
            # Type-ahead needs word prefixes, which the full-text index does not match.
            return super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return queryset, False
        return queryset.filter(pk__in=matching_pks(queryset.model, search_term)), False


class WritesThroughActions:
    """A ModelAdmin mixin for models that only their app's actions write.

    The admin's form validates and carries the version it was opened at; adding, saving and
    deleting call add_object, edit_object and delete_object, which a subclass points at its
    actions. A refusal the form could not foresee (someone saved in between; the same row was
    added a moment ago) comes back as a message on the page instead of an error page.
    """

    refusals: tuple[type[Exception], ...] = (StaleEdit,)

    def add_object(self, request, form):
        raise NotImplementedError

    def edit_object(self, request, obj, form):
        raise NotImplementedError

    def delete_object(self, request, obj) -> None:
        raise NotImplementedError

    def save_form(self, request, form, change):
        return form.instance  # validated, not saved: the action writes

    def save_model(self, request, obj, form, change):
        saved = self.edit_object(request, obj, form) if change else self.add_object(request, form)
        # The admin goes on with its own copy (for its log and the redirect): make it the saved row.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """Nothing else is saved: inlines on these pages are read-only."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        self.delete_object(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_object(request, obj)

    def changeform_view(self, request, *args, **kwargs):
        return self._or_refusal(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._or_refusal(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._or_refusal(request, super().changelist_view, *args, **kwargs)

    def _or_refusal(self, request, view, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except self.refusals as refusal:
            # The admin's transaction has rolled back; the page is shown again with the reason.
            reasons = getattr(refusal, "messages", None) or [str(refusal)]
            self.message_user(request, " ".join(reasons), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
