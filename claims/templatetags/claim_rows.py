"""The claims list's rows, drawn in Python: fifty rows of about twenty values each.

Through the template language each value is looked up and escaped by a node of its own, about
8 ms for a page of fifty; here a row is one f-string with every value escaped. The view has
already put each row's balance and its "only claims like this" links on the claim.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from lib.links import pk_urls

from ..models import ClaimStatus

register = template.Library()

STATUS_LABELS = dict(ClaimStatus.choices)


def _claimant(claim) -> str:
    if not claim.claimant:
        return "—"
    name = escape(str(claim.claimant))
    return f'<a href="{escape(claim.claimant_link)}" title="Only claims by {name}">{name}</a>'


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

    def verdict(self, claim) -> str:
        rating = claim.rating
        if not rating:
            return "—"
        if rating.pk not in self.verdicts:  # a verdict's tone and label, once per page
            self.verdicts[rating.pk] = (escape(rating.tone), escape(str(rating)))
        tone, label = self.verdicts[rating.pk]
        return (
            f'<a class="verdict verdict-{tone}" href="{escape(claim.rating_link)}"'
            f' title="Only claims rated {label}">{label}</a>'
        )


def _row(claim, drawing: _Drawing) -> str:
    status, label = drawing.status(claim.status)
    balance = claim.balance
    return f"""
<tr>
  <td><a href="{escape(drawing.claim_url(claim.pk))}">{escape(claim.text)}</a></td>
  <td data-label="Claimant">{_claimant(claim)}</td>
  <td data-label="Status"><a class="badge status-{status}"\
 href="{escape(claim.status_link)}" title="Only {label.lower()} claims">{label}</a></td>
  <td data-label="Verdict">{drawing.verdict(claim)}</td>
  <td data-label="Mentions">{claim.mention_count}</td>
  <td data-label="Evidence">{claim.evidence_count}</td>
  <td data-label="Balance"><span class="balance {escape(balance.css_class)}"\
 title="{escape(balance.counts)}">{escape(str(balance.label))}</span></td>
</tr>"""


@register.simple_tag
def claim_rows(claims) -> SafeString:
    """The table rows of a page of claims, as claims/claim_list.html shows them."""
    drawing = _Drawing()
    return mark_safe("".join(_row(claim, drawing) for claim in claims))  # noqa: S308 - escaped in _row
