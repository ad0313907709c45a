"""Claim pages: the list and the claim with its mentions and evidence."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from sources.models import Evidence

from .models import Claim, Mention

PAGE_SIZE = 50


def _get_claim_for_user(user, pk: int) -> Claim:
    # Every signed-in role may read every claim; the permission decorator refuses the rest.
    return get_object_or_404(
        Claim.objects.select_related("claimant", "rating", "reviewer", "created_by"), pk=pk
    )


@permission_required("claims.view_claim", raise_exception=True)
def claim_list(request):
    claims = Claim.objects.with_list_details().order_by("-created_at", "-pk")
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "claims/claim_list.html"
    if request.htmx:
        template += "#claim-list"
    return render(request, template, {"page": page})


@permission_required("claims.view_claim", raise_exception=True)
def claim_detail(request, pk: int):
    claim = _get_claim_for_user(request.user, pk)
    mentions = Mention.objects.filter(claim=claim).select_related("article__outlet")
    evidence = (
        Evidence.objects.filter(claim=claim)
        .select_related("source__outlet", "added_by")
        .order_by("source__published_on", "pk")
    )
    by_stance = {stance: [] for stance in Evidence.Stance}
    for item in evidence:
        by_stance[Evidence.Stance(item.stance)].append(item)
    return render(
        request,
        "claims/claim_detail.html",
        {
            "claim": claim,
            "tags": claim.tags.all(),
            "mentions": mentions,
            "evidence_groups": [
                (stance, heading, by_stance[stance])
                for stance, heading in [
                    (Evidence.Stance.SUPPORTS, "Supporting evidence"),
                    (Evidence.Stance.CONTRADICTS, "Contradicting evidence"),
                    (Evidence.Stance.CONTEXT, "Context"),
                ]
            ],
        },
    )
