"""What the admin needs at a million rows: full-text search, and no counting every row."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .search import matching_pks

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
