"""Claim pages: the list, a claim with its mentions and evidence, and mention removal."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from sources.models import Evidence

from .forms import MentionSpanForm
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


CLAIM_CHOICES_LIMIT = 20


@permission_required("claims.view_claim", raise_exception=True)
def claim_choices(request):
    """Options for the "Link to existing claim" type-ahead: claims whose text has these words."""
    query = request.GET.get("existing_claim", "").strip()
    claims = Claim.objects.none()
    if len(query) >= 2:
        claims = Claim.objects.filter(text__icontains=query).order_by("-created_at", "-pk")
    return render(request, "claims/claim_choices.html", {"claims": claims[:CLAIM_CHOICES_LIMIT]})


@require_POST
@permission_required("claims.delete_mention", raise_exception=True)
def mention_delete(request, pk: int):
    """Remove one place where an article states a claim; the claim itself stays."""
    mention = get_object_or_404(Mention.objects.select_related("article"), pk=pk)
    mention.delete()
    messages.success(request, f"Removed the mention “{mention.quote[:80]}”.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = mention.article.get_absolute_url()
    return redirect(next_url)


@permission_required("claims.change_mention", raise_exception=True)
def mention_adjust(request, pk: int):
    mention = get_object_or_404(Mention.objects.select_related("article", "claim"), pk=pk)
    form = MentionSpanForm(
        request.POST or None, initial={"passage": mention.quote}, mention=mention
    )
    if request.method == "POST" and form.is_valid():
        anchor = form.cleaned_data["passage"]
        mention.start, mention.end, mention.quote = anchor.start, anchor.end, anchor.quote
        mention.orphaned = False
        mention.save()
        messages.success(request, "Mention adjusted.")
        return redirect(mention.claim)
    return render(request, "claims/mention_form.html", {"mention": mention, "form": form})
