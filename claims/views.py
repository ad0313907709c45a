"""Claim pages: the list, a claim with its mentions and evidence, and editing both."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from sources import actions as source_actions
from sources.balance import EvidenceBalance
from sources.forms import EvidenceEditForm, EvidenceForm
from sources.models import Evidence, Source

from .forms import MentionSpanForm
from .models import Claim, Mention

PAGE_SIZE = 50


def _get_claim_for_user(user, pk: int) -> Claim:
    # Every signed-in role may read every claim; the permission decorator refuses the rest.
    return get_object_or_404(
        Claim.objects.select_related("claimant", "rating", "reviewer", "created_by"), pk=pk
    )


def _get_evidence_for_user(user, pk: int) -> Evidence:
    # Evidence is read and edited by the whole desk; the permission decorators refuse the rest.
    return get_object_or_404(Evidence.objects.select_related("claim", "source"), pk=pk)


@permission_required("claims.view_claim", raise_exception=True)
def claim_list(request):
    claims = Claim.objects.with_list_details().order_by("-created_at", "-pk")
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    balances = Evidence.objects.filter(claim__in=[claim.pk for claim in page]).balances()
    for claim in page:
        claim.balance = balances.get(claim.pk, EvidenceBalance())
    template = "claims/claim_list.html"
    if request.htmx:
        template += "#claim-list"
    return render(request, template, {"page": page})


EVIDENCE_HEADINGS = [
    (Evidence.Stance.SUPPORTS, "Supporting evidence"),
    (Evidence.Stance.CONTRADICTS, "Contradicting evidence"),
    (Evidence.Stance.CONTEXT, "Context"),
]


def evidence_context(claim: Claim, form: EvidenceForm | None = None) -> dict:
    """The claim's evidence grouped by stance, its balance, and the form to add more."""
    evidence = list(
        Evidence.objects.filter(claim=claim)
        .select_related("source__outlet", "added_by")
        .order_by("source__published_on", "pk")
    )
    by_stance = {stance: [] for stance in Evidence.Stance}
    for item in evidence:
        item.claim = claim  # already loaded; saves a query per item in the template
        by_stance[Evidence.Stance(item.stance)].append(item)
    return {
        "claim": claim,
        "evidence_groups": [
            (stance, heading, by_stance[stance]) for stance, heading in EVIDENCE_HEADINGS
        ],
        "balance": EvidenceBalance.of(
            (item.stance, item.source.outlet and item.source.outlet.reliability)
            for item in evidence
        ),
        "evidence_form": form or EvidenceForm(claim=claim),
    }


def _render_evidence_section(request, claim: Claim, form: EvidenceForm | None = None):
    response = render(request, "claims/claim_detail.html#evidence", evidence_context(claim, form))
    return reswap(retarget(response, "#evidence"), "outerHTML")


@permission_required("claims.view_claim", raise_exception=True)
def claim_detail(request, pk: int):
    claim = _get_claim_for_user(request.user, pk)
    mentions = Mention.objects.filter(claim=claim).select_related("article__outlet")
    context = {"tags": claim.tags.all(), "mentions": mentions, **evidence_context(claim)}
    return render(request, "claims/claim_detail.html", context)


@require_POST
@permission_required("sources.add_evidence", raise_exception=True)
def evidence_add(request, pk: int):
    """Attach a source to the claim; a pasted URL that is new to the register adds the source."""
    claim = _get_claim_for_user(request.user, pk)
    form = EvidenceForm(request.POST, claim=claim)
    if form.is_valid():
        source = form.cleaned_data["source"]
        if not isinstance(source, Source) and not request.user.has_perm("sources.add_source"):
            raise PermissionDenied("Adding a source to the register needs the add-source right.")
        evidence = source_actions.add_evidence(
            claim,
            source=source,
            stance=form.cleaned_data["stance"],
            excerpt=form.cleaned_data["excerpt"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
        if not request.htmx:
            messages.success(request, f"Evidence added: {evidence.source.title}.")
            return redirect(f"{claim.get_absolute_url()}#evidence-{evidence.pk}")
        return _render_evidence_section(request, claim)
    if request.htmx:
        return _render_evidence_section(request, claim, form)
    # Without JavaScript the whole page comes back, with the form as it was typed.
    mentions = Mention.objects.filter(claim=claim).select_related("article__outlet")
    context = {"tags": claim.tags.all(), "mentions": mentions, **evidence_context(claim, form)}
    return render(request, "claims/claim_detail.html", context, status=400)


@permission_required("sources.change_evidence", raise_exception=True)
def evidence_edit(request, pk: int):
    """Change an item's stance, excerpt or note, in place on the claim page."""
    evidence = _get_evidence_for_user(request.user, pk)
    form = EvidenceEditForm(request.POST or None, instance=evidence)
    if request.method == "POST" and form.is_valid() and form.save_or_report_stale():
        if request.htmx:
            return _render_evidence_section(request, evidence.claim)
        messages.success(request, "Evidence saved.")
        return redirect(f"{evidence.claim.get_absolute_url()}#evidence-{evidence.pk}")
    template = "claims/evidence_form.html"
    if request.htmx:
        template += "#evidence-edit"
    # htmx swaps only successful responses; a plain form that failed says so in its status.
    status = 400 if request.method == "POST" and not request.htmx else 200
    return render(request, template, {"evidence": evidence, "form": form}, status=status)


@require_POST
@permission_required("sources.delete_evidence", raise_exception=True)
def evidence_delete(request, pk: int):
    evidence = _get_evidence_for_user(request.user, pk)
    evidence.delete()
    if request.htmx:
        return _render_evidence_section(request, evidence.claim)
    messages.success(request, f"Removed “{evidence.source.title}” from the evidence.")
    return redirect(evidence.claim)


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
