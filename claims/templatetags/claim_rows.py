"""The claims list's rows, drawn in Python: fifty rows of about twenty values each.

Through the template language each value is looked up and escaped by a node of its own, about
8 ms for a page of fifty; here a row is one f-string with every value escaped. Each row is a
dict (ClaimQuerySet.as_list_rows); the view has already added its balance and its "only claims
like this" links.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from lib.links import pk_urls

from ..models import ClaimStatus, Rating

register = template.Library()

STATUS_LABELS = dict(ClaimStatus.choices)


def _claimant(row: dict) -> str:
    if row["claimant_name"] is None:
        return "—"
    name = escape(row["claimant_name"])
    return f'<a href="{escape(row["claimant_link"])}" title="Only claims by {name}">{name}</a>'


class _Drawing:
    """What the rows of one page share, worked out once: their link prefix, statuses, verdicts."""

    def __init__(self):
        self.claim_url = pk_urls("claims:detail")
        self.statuses: dict[str, tuple[str, str]] = {}
        self.verdicts: dict[int, tuple[str, str]] = {}

    def status(self, status: str) -> tuple[str, str]:
        """The status's escaped value and label; the label as get_status_display gives it."""
        if status not in self.statuses:
            self.statuses[status] = (escape(status), escape(str(STATUS_LABELS.get(status, status))))
        return self.statuses[status]

    def verdict(self, row: dict) -> str:
        rating_id = row["rating_id"]
        if not rating_id:
            return "—"
        if rating_id not in self.verdicts:  # a verdict's tone and label, once per page
            rating = Rating(pk=rating_id, label=row["rating_label"], value=row["rating_value"])
            self.verdicts[rating_id] = (escape(rating.tone), escape(rating.label))
        tone, label = self.verdicts[rating_id]
        return (
            f'<a class="verdict verdict-{tone}" href="{escape(row["rating_link"])}"'
            f' title="Only claims rated {label}">{label}</a>'
        )


def _row(row: dict, drawing: _Drawing) -> str:
    status, label = drawing.status(row["status"])
    balance = row["balance"]
    return f"""
<tr>
  <td><a href="{escape(drawing.claim_url(row["pk"]))}">{escape(row["text"])}</a></td>
  <td data-label="Claimant">{_claimant(row)}</td>
  <td data-label="Status"><a class="badge status-{status}"\
 href="{escape(row["status_link"])}" title="Only {label.lower()} claims">{label}</a></td>
  <td data-label="Verdict">{drawing.verdict(row)}</td>
  <td data-label="Mentions">{row["mention_count"]}</td>
  <td data-label="Evidence">{row["evidence_count"]}</td>
  <td data-label="Balance"><span class="balance {escape(balance.css_class)}"\
 title="{escape(balance.counts)}">{escape(str(balance.label))}</span></td>
</tr>"""


@register.simple_tag
def claim_rows(rows) -> SafeString:
    """The table rows of a page of claims, as claims/claim_list.html shows them."""
    drawing = _Drawing()
    return mark_safe("".join(_row(row, drawing) for row in rows))  # noqa: S308 - escaped in _row
