"""Claim pages: the list, a claim with its mentions and evidence, and editing both."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Min, Prefetch
from django.db.models.functions import TruncWeek
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from articles.models import Article
from lib import keyset, pagecache
from lib.search import search as text_search
from sources import actions as source_actions
from sources.balance import EvidenceBalance
from sources.forms import EvidenceEditForm, EvidenceForm
from sources.models import Evidence, Source

from . import actions
from .claimreview import Appearance, Verdict, as_script_text, claim_review, data_feed
from .forms import ClaimFilterForm, ClaimForm, MentionSpanForm, StepForm, VerdictForm
from .history import claim_history
from .models import Claim, Claimant, Mention, Rating

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
    context = claim_page_context(request, claim, form)
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


# The public, machine-readable output: published claims only, no login.


def _verdict(request, claim: Claim, scale: dict) -> Verdict:
    mentions = sorted(claim.mentions.all(), key=lambda m: (m.article.published_on is None, m.pk))
    articles = list({m.article_id: m.article for m in mentions}.values())
    return Verdict(
        url=request.build_absolute_uri(reverse("public_claim", args=[claim.pk])),
        claim=claim.text,
        label=claim.rating.label,
        value=claim.rating.value,
        best=scale["best"],
        worst=scale["worst"],
        published_on=claim.verdict_as_of or claim.published_at.date(),
        organisation=settings.ORGANISATION_NAME,
        organisation_url=settings.ORGANISATION_URL,
        claimant=claim.claimant.name if claim.claimant else "",
        claimant_is_person=bool(claim.claimant and claim.claimant.kind == "person"),
        claimed_on=claim.claimed_on,
        appearances=[
            Appearance(
                url=article.url,
                headline=article.title,
                published_on=article.published_on,
                publisher=article.outlet.name if article.outlet else "",
            )
            for article in articles
        ],
    )


def _published_claims():
    return (
        Claim.objects.published()
        .select_related("claimant", "rating")
        .prefetch_related(Prefetch("mentions", Mention.objects.select_related("article__outlet")))
    )


@login_not_required
def public_claim(request, pk: int):
    claim = get_object_or_404(_published_claims(), pk=pk)
    evidence = evidence_context(claim)
    review = claim_review(_verdict(request, claim, Rating.objects.scale()))
    context = {
        **evidence,
        "mentions": claim.mentions.all(),
        "claim_review": as_script_text(review),
        "organisation": settings.ORGANISATION_NAME,
    }
    return render(request, "claims/public_claim.html", context)


FEED_PAGE_SIZE = 100


@login_not_required
def claimreview_feed(request):
    """All published ClaimReviews as a schema.org DataFeed, newest first; pages via Link."""
    claims = _published_claims().order_by("-published_at", "-pk")
    page = Paginator(claims, FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    scale = Rating.objects.scale()
    reviews = [claim_review(_verdict(request, c, scale), with_context=False) for c in page]
    newest = page[0].published_at if page.object_list else timezone.now()
    response = JsonResponse(data_feed(reviews, modified=newest), json_dumps_params={"indent": 2})
    links = []
    if page.has_next():
        links.append(
            f'<{request.build_absolute_uri(f"?page={page.next_page_number()}")}>; rel="next"'
        )
    if page.has_previous():
        links.append(
            f'<{request.build_absolute_uri(f"?page={page.previous_page_number()}")}>; rel="prev"'
        )
    if links:
        response["Link"] = ", ".join(links)
    response["Content-Type"] = "application/ld+json"
    return response


SEARCH_LIMIT = 20


@permission_required(
    ["claims.view_claim", "articles.view_article", "sources.view_source"], raise_exception=True
)
def search(request):
    """One box over claims, articles and sources, best matches first, with the words marked."""
    words = request.GET.get("q", "").strip()[:500]

    def build_context():
        results = []
        if words:
            # Only what a result shows: an article's text alone would be most of the page's cost.
            kinds = [
                ("Claims", "claims", Claim.objects.only("text")),
                ("Articles", "articles", Article.objects.only("title")),
                ("Sources", "sources", Source.objects.only("title")),
            ]
            results = [
                (heading, kind, text_search(queryset, words, limit=SEARCH_LIMIT))
                for heading, kind, queryset in kinds
            ]
        return {"words": words, "results": results}

    return pagecache.render_kept(request, "search.html", build_context, htmx_partial="results")


DASHBOARD_WEEKS = 12


# The dashboard's counts read every claim; at a million that is most of a second, so they are
# computed at most once a minute (Django's cache: per process by default, shared if configured).
DASHBOARD_CACHE_SECONDS = 60


def dashboard_counts() -> dict:
    since = timezone.now() - datetime.timedelta(weeks=DASHBOARD_WEEKS)
    queue = Claim.objects.filter(status=Claim.Status.SUBMITTED).aggregate(
        size=Count("pk"), oldest=Min("submitted_at")
    )
    return {
        "by_status": dict(Claim.objects.values_list("status").annotate(n=Count("pk")).order_by()),
        "by_rating": dict(
            Claim.objects.published().values_list("rating").annotate(n=Count("pk")).order_by()
        ),
        "queue_size": queue["size"],
        "queue_oldest": queue["oldest"],
        "weekly": dict(
            Claim.objects.filter(created_at__gte=since)
            .annotate(week=TruncWeek("created_at"))
            .values_list("week")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        "as_of": timezone.now(),
    }


@permission_required("claims.view_claim", raise_exception=True)
def dashboard(request):
    """The desk at a glance: where claims stand, what waits for review, what is contested."""
    counts = cache.get_or_set("dashboard-counts", dashboard_counts, DASHBOARD_CACHE_SECONDS)
    by_status, by_rating = counts["by_status"], counts["by_rating"]
    context = {
        "statuses": [(status.label, by_status.get(status, 0)) for status in Claim.Status],
        "verdicts": [(rating, by_rating.get(rating.pk, 0)) for rating in Rating.objects.all()],
        "queue_size": counts["queue_size"],
        "queue_oldest": counts["queue_oldest"],
        "counted_at": counts["as_of"],
        "contested": Claim.objects.filter(supports_count__gt=0, contradicts_count__gt=0)
        .select_related("claimant")
        .order_by("-created_at", "-pk")[:10],
        "recent": Claim.history.select_related("history_user").order_by("-history_date")[:10],
        "chart": weekly_chart(counts["weekly"], weeks=DASHBOARD_WEEKS),
    }
    return render(request, "dashboard.html", context)


def weekly_chart(counts: dict, *, weeks: int) -> dict:
    """Bars for an inline SVG: one per week, newest last, scaled to the busiest week."""
    this_week = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    starts = [this_week - datetime.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    values = [
        next((n for week, n in counts.items() if week.date() == start), 0) for start in starts
    ]
    top = max(values) or 1
    width, height, gap = 32, 120, 6
    bars = [
        {
            "x": i * (width + gap),
            "height": round(height * value / top),
            "y": height - round(height * value / top),
            "value": value,
            "label": start.strftime("%-d %b"),
        }
        for i, (start, value) in enumerate(zip(starts, values, strict=True))
    ]
    return {"bars": bars, "width": weeks * (width + gap), "height": height, "bar_width": width}
