"""Claim pages: the list, a claim with its mentions and evidence, the reader, the review."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from articles.forms import ArticleTextForm
from articles.highlighting import split_into_runs
from articles.models import Article
from articles.views import get_article_for_user
from lib import keyset, pagecache
from lib.versioning import StaleEdit
from sources.models import Source

from . import actions
from .balance import EvidenceBalance
from .forms import (
    ClaimFilterForm,
    ClaimForm,
    EvidenceEditForm,
    EvidenceForm,
    MentionSpanForm,
    StepForm,
    TagClaimForm,
    VerdictForm,
)
from .history import claim_history
from .models import Claim, Claimant, Evidence, Mention, Rating

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
    """Claims, filtered and sorted from the URL, a keyset page at a time; nothing is counted."""

    def build_context():
        filters = ClaimFilterForm(request.GET or None, user=request.user)
        field, descending = filters.ordering()
        claims = filters.filter(Claim.objects.with_list_details())
        page = keyset.page_for(request, claims, field=field, descending=descending, size=PAGE_SIZE)
        balances = Evidence.objects.filter(claim__in=[claim.pk for claim in page]).balances()
        for claim in page:
            claim.balance = balances.get(claim.pk, EvidenceBalance())
        return {"page": page, "filters": filters}

    return pagecache.render_kept(
        request, "claims/claim_list.html", build_context, htmx_partial="claim-list"
    )


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


def claim_page_context(request, claim: Claim, evidence_form: EvidenceForm | None = None) -> dict:
    """Everything the claim page shows: mentions, evidence, the workflow and the history."""
    steps = actions.allowed_steps(claim, request.user)
    verdict_form = None
    if "publish" in steps:
        verdict_form = VerdictForm(
            initial={
                "rating": claim.rating_id,
                "rationale": claim.rationale,
                "as_of": timezone.localdate(),
                "seen_version": claim.version,
            }
        )
    return {
        "tags": claim.tags.all(),
        "mentions": Mention.objects.filter(claim=claim).select_related("article__outlet"),
        **evidence_context(claim, evidence_form),
        "steps": steps,
        "step_names": actions.STEP_NAMES,
        "reviewers": actions.reviewers() if "start_review" in steps else [],
        "verdict_form": verdict_form,
        "history": claim_history(claim),
    }


@permission_required("claims.view_claim", raise_exception=True)
def claim_detail(request, pk: int):
    def build_context():
        return claim_page_context(request, _get_claim_for_user(request.user, pk))

    return pagecache.render_kept(request, "claims/claim_detail.html", build_context)


@require_POST
@permission_required("claims.add_evidence", raise_exception=True)
def evidence_add(request, pk: int):
    """Attach a source to the claim; a pasted URL that is new to the register adds the source."""
    claim = _get_claim_for_user(request.user, pk)
    form = EvidenceForm(request.POST, claim=claim)
    if form.is_valid():
        source = form.cleaned_data["source"]
        if not isinstance(source, Source) and not request.user.has_perm("sources.add_source"):
            raise PermissionDenied("Adding a source to the register needs the add-source right.")
        evidence = actions.add_evidence(
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
    context = claim_page_context(request, claim, form)
    return render(request, "claims/claim_detail.html", context, status=400)


@permission_required("claims.change_evidence", raise_exception=True)
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
@permission_required("claims.delete_evidence", raise_exception=True)
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


# The reader: an article's text with its mentions marked, tagging, and editing the text.


def reader_context(article: Article) -> dict:
    """The article's text cut into runs with the mentions covering each, and its claims."""
    everything = (
        Mention.objects.filter(article=article)
        .select_related("claim__claimant", "claim__rating")
        .order_by("start", "-end")
    )
    mentions = [mention for mention in everything if not mention.orphaned]
    orphans = [mention for mention in everything if mention.orphaned]
    by_pk = {mention.pk: mention for mention in mentions}
    runs = [
        (run.text, by_pk.get(run.innermost), run.depth)
        for run in split_into_runs(article.text, ((m.pk, m.start, m.end) for m in mentions))
    ]
    claims = list({mention.claim_id: mention.claim for mention in mentions}.values())
    balances = Evidence.objects.filter(claim__in=[claim.pk for claim in claims]).balances()
    for claim in claims:
        claim.balance = balances.get(claim.pk, EvidenceBalance())
    return {
        "article": article,
        "ratings": Rating.objects.all(),
        "runs": runs,
        "mentions": mentions,
        "orphans": orphans,
        "claims": claims,
    }


@permission_required("articles.view_article", raise_exception=True)
def article_detail(request, pk: int):
    def build_context():
        return reader_context(get_article_for_user(request.user, pk))

    return pagecache.render_kept(request, "claims/article_reader.html", build_context)


@permission_required(["claims.add_claim", "claims.add_mention"], raise_exception=True)
def tag_claim(request, pk: int):
    """Tag a passage as a claim: in place on the reader with htmx, or on a plain page."""
    article = get_article_for_user(request.user, pk)
    data = request.POST if request.method == "POST" else None
    initial = {"text": request.GET.get("passage", "")}
    form = TagClaimForm(data, initial={**request.GET.dict(), **initial}, article=article)
    if request.method == "POST" and form.is_valid():
        anchor = form.cleaned_data["anchor"]
        if existing := form.cleaned_data["existing_claim"]:
            actions.add_mention(
                existing, article, start=anchor.start, end=anchor.end, by=request.user
            )
        else:
            actions.tag_claim(
                article,
                start=anchor.start,
                end=anchor.end,
                text=form.cleaned_data["text"],
                claimant_name=form.cleaned_data["claimant"],
                claimed_on=form.cleaned_data["claimed_on"],
                by=request.user,
            )
        if request.htmx:
            response = render(request, "claims/article_reader.html#reader", reader_context(article))
            return reswap(retarget(response, "#reader"), "outerHTML")
        messages.success(request, "Claim tagged.")
        return redirect(article)
    template = "claims/tag_claim.html"
    if request.htmx:
        template += "#tag-form"
    context = {
        "article": article,
        "form": form,
        "from_selection": form["start"].value() not in (None, ""),
        "claimant_names": Claimant.objects.values_list("name", flat=True)[:1000],
    }
    return render(request, template, context)


@permission_required("articles.change_article", raise_exception=True)
def article_edit_text(request, pk: int):
    """Replace the text; the old one becomes a revision and every mention is re-anchored."""
    article = get_article_for_user(request.user, pk)
    form = ArticleTextForm(
        request.POST or None, initial={"text": article.text, "seen_version": article.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = actions.revise_article_text(
                article,
                form.cleaned_data["text"],
                seen_version=form.cleaned_data["seen_version"],
                by=request.user,
            )
        except StaleEdit as stale:
            form.add_error(None, stale.messages)
        else:
            messages.success(
                request,
                f"Text saved. Mentions re-anchored: {outcome.placed}; "
                f"orphaned (listed beside the text): {outcome.orphaned}.",
            )
            return redirect(article)
    return render(request, "claims/article_text_form.html", {"article": article, "form": form})


# The review workflow: the steps, the verdict, the queue.


def _step_refused(request, claim: Claim, error: Exception, form=None, status=409):
    """Show why a step failed on the claim page, keeping whatever the user typed."""
    context = {**claim_page_context(request, claim), "step_error": str(error)}
    if form is not None:
        context["verdict_form"] = form
    return render(request, "claims/claim_detail.html", context, status=status)


@require_POST
@permission_required("claims.view_claim", raise_exception=True)
def claim_step(request, pk: int, step: str):
    """Submit, start review, return to the researcher, or reopen."""
    if step not in actions.STEPS or step == "publish":
        raise Http404("No such step.")
    if not actions.may_take(request.user, step):
        raise PermissionDenied(f"You may not “{actions.STEP_NAMES[step]}”.")
    claim = _get_claim_for_user(request.user, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        return _step_refused(request, claim, "The form was incomplete; reload and try again.")
    seen, note = form.cleaned_data["seen_version"], form.cleaned_data["note"]
    try:
        match step:
            case "submit":
                actions.submit_for_review(claim, by=request.user, seen_version=seen)
            case "start_review":
                assignee = None
                if request.POST.get("reviewer"):
                    assignee = actions.reviewers().filter(pk=request.POST["reviewer"]).first()
                    if assignee is None:
                        raise actions.WorkflowError("Choose a reviewer from the list.")
                actions.start_review(claim, by=request.user, reviewer=assignee, seen_version=seen)
            case "return_to_researcher":
                actions.return_to_researcher(claim, by=request.user, note=note, seen_version=seen)
            case "reopen":
                actions.reopen(claim, by=request.user, note=note, seen_version=seen)
    except actions.WorkflowError as error:
        return _step_refused(request, claim, error)
    messages.success(request, f"{actions.STEP_NAMES[step]}: done.")
    return redirect(claim)


@require_POST
@permission_required("claims.review_claim", raise_exception=True)
def claim_publish(request, pk: int):
    claim = _get_claim_for_user(request.user, pk)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        return _step_refused(request, claim, "The verdict is incomplete.", form, status=400)
    if refusal := actions.four_eyes_refusal(claim, request.user, "publish"):
        raise PermissionDenied(refusal)
    try:
        actions.publish_verdict(
            claim,
            by=request.user,
            rating=form.cleaned_data["rating"],
            rationale=form.cleaned_data["rationale"],
            as_of=form.cleaned_data["as_of"],
            seen_version=form.cleaned_data["seen_version"],
        )
    except actions.WorkflowError as error:
        return _step_refused(request, claim, error, form)
    messages.success(request, "Verdict published.")
    return redirect(claim)


@permission_required("claims.change_claim", raise_exception=True)
def claim_edit(request, pk: int):
    """Edit the claim's wording, claimant and date; a published claim must be reopened first."""
    claim = _get_claim_for_user(request.user, pk)
    if claim.status == Claim.Status.PUBLISHED:
        messages.error(request, "A published claim is not edited: reopen it first.")
        return redirect(claim)
    form = ClaimForm(request.POST or None, instance=claim)
    if request.method == "POST" and form.is_valid():
        claim._history_user = request.user
        if form.save_or_report_stale():
            messages.success(request, "Claim saved.")
            return redirect(claim)
    context = {
        "claim": claim,
        "form": form,
        "claimant_names": Claimant.objects.values_list("name", flat=True)[:1000],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "claims/claim_form.html", context, status=status)


@permission_required("claims.review_claim", raise_exception=True)
def review_queue(request):
    """Submitted claims, the longest-waiting first, and claims in review, by reviewer."""
    waiting = list(Claim.objects.awaiting_review().select_related("claimant", "created_by"))
    in_review = list(Claim.objects.in_review().select_related("claimant", "reviewer"))
    by_reviewer = {}
    for claim in in_review:
        by_reviewer.setdefault(claim.reviewer, []).append(claim)
    context = {"waiting": waiting, "in_review": in_review, "by_reviewer": by_reviewer.items()}
    return render(request, "claims/review_queue.html", context)


@permission_required("claims.add_claim", raise_exception=True)
def my_claims(request):
    claims = Claim.objects.filter(created_by=request.user).select_related("claimant", "rating")
    by_status = {status: [] for status in Claim.Status}
    for claim in claims.order_by("-updated_at", "-pk"):
        by_status[Claim.Status(claim.status)].append(claim)
    groups = [(status.label, by_status[status]) for status in Claim.Status]
    return render(request, "claims/my_claims.html", {"groups": groups})
