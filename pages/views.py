"""Site-wide pages above the domain apps: the dashboard, search, and the public output."""

import datetime
import itertools
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Subquery
from django.db.models.functions import TruncWeek
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article
from claims.claimreview import Appearance, Verdict, as_script_text, claim_review, data_feed
from claims.models import Claim, Notification, Publication, Rating
from lib import keyset
from lib.conditional import answers_conditional_get
from lib.search import search as text_search
from sources.models import Source

# The public, machine-readable output: published verdicts only, no login. Everything here is
# read from the claim's publications, so a reopened claim keeps its last published verdict.


# What every public page shows besides its publications: the organisation and the rating scale
# (a handful of rows, editable in the admin: a renamed verdict changes every page).
def _public_settings() -> tuple:
    ratings = Rating.objects.values_list("pk", "label", "position", "value", "colour")
    return settings.ORGANISATION_NAME, settings.ORGANISATION_URL, tuple(ratings)


def public_claim_version(request, pk: int) -> tuple | None:
    """The claim's state and its newest publication: publications are never changed or deleted,
    only added, so a new verdict, a reopening and a republication each change it."""
    state = (
        Claim.objects.filter(pk=pk)
        .annotate(latest=Max("publications__pk"))
        .values_list("status", "reopened_at", "latest", "merged_into")
        .first()
    )
    if state is None or state[2] is None:
        return None  # not found, or never published: the view says so
    return state, _public_settings()


def public_list_version(request) -> tuple:
    """The newest publication: the index and the feed show only current publications, and a
    publication is only ever added (a republished claim's old one stops being current then).
    With it, in the same query, the latest merge: a merged claim leaves the index and the feed.
    """
    last_merge = (
        Claim.objects.filter(merged_into__isnull=False).order_by("-merged_at").values("merged_at")
    )
    latest = (
        Publication.objects.order_by("-pk")
        .annotate(last_merge=Subquery(last_merge[:1]))
        .values_list("pk", "last_merge")
        .first()
    )
    return latest, _public_settings()


def _verdict(request, publication: Publication, scale: dict) -> Verdict:
    updated = publication.number > 1
    return Verdict(
        url=request.build_absolute_uri(reverse("public_claim", args=[publication.claim_id])),
        claim=publication.claim_text,
        label=publication.rating.label,
        value=publication.rating.value,
        best=scale["best"],
        worst=scale["worst"],
        published_on=publication.first_published_on,
        modified_on=timezone.localdate(publication.published_at) if updated else None,
        organisation=settings.ORGANISATION_NAME,
        organisation_url=settings.ORGANISATION_URL,
        claimant=publication.claimant,
        claimant_is_person=publication.claimant_is_person,
        claimed_on=publication.claimed_on,
        appearances=[
            Appearance(
                url=appearance["url"],
                headline=appearance["headline"],
                published_on=appearance["published_on"],
                publisher=appearance["publisher"],
            )
            for appearance in publication.appearance_list()
        ],
    )


@login_not_required
@answers_conditional_get(public_claim_version)
def public_claim(request, pk: int):
    """The published verdict; while the claim is reopened, the last one published, marked so."""
    claim = get_object_or_404(Claim.objects.only("status", "reopened_at", "merged_into"), pk=pk)
    if claim.is_merged:
        # For good: a merge is never undone, and the survivor carries a published verdict.
        return HttpResponsePermanentRedirect(reverse("public_claim", args=[claim.merged_into_id]))
    publications = list(
        Publication.objects.filter(claim=claim).select_related("rating").order_by("number")
    )
    if not publications:
        raise Http404("This claim has no published verdict.")
    latest = publications[-1]
    review = claim_review(_verdict(request, latest, Rating.objects.scale()))
    lede = first_paragraph(latest.rationale)
    context = {
        "publication": latest,
        "first": publications[0],
        "lede": lede,
        # A one-paragraph rationale is said once, up top; a longer one is given whole below.
        "rationale_has_more": latest.rationale.strip() != lede,
        # Newest first, each with the verdict it replaced: "Updated on …: was Misleading".
        "updates": [
            (publication, previous)
            for previous, publication in reversed(list(itertools.pairwise(publications)))
        ],
        "canonical_url": request.build_absolute_uri(reverse("public_claim", args=[pk])),
        "share_description": f"{latest.rating.label}: {lede}",
        "under_review": not claim.is_published,
        "under_review_since": claim.reopened_at,
        "claim_review": as_script_text(review),
        "organisation": settings.ORGANISATION_NAME,
    }
    return render(request, "pages/public_claim.html", context)


def first_paragraph(text: str) -> str:
    """The rationale's opening paragraph: what a reader sees first and a shared link shows."""
    return next((part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()), "")


PUBLIC_INDEX_SIZE = 20


@login_not_required
@answers_conditional_get(public_list_version)
def public_index(request):
    """Every published fact-check, the most recently published first, by verdict if asked."""
    ratings = list(Rating.objects.all())
    by_slug = {slugify(rating.label): rating for rating in ratings}
    wanted = request.GET.get("verdict", "")
    chosen = by_slug.get(wanted)
    publications = Publication.objects.listed().select_related("rating")
    if chosen is not None:
        publications = publications.filter(rating=chosen)
    elif wanted:
        messages.error(request, "There is no verdict by that name; showing every fact-check.")
    page = keyset.page_for(
        request, publications, field="published_at", descending=True, size=PUBLIC_INDEX_SIZE
    )
    context = {
        "page": page,
        "verdicts": list(by_slug.items()),
        "chosen": chosen,
        "canonical_url": request.build_absolute_uri(reverse("public_index")),
        "organisation": settings.ORGANISATION_NAME,
    }
    return render(request, "pages/public_index.html", context)


FEED_PAGE_SIZE = 100


@login_not_required
@answers_conditional_get(public_list_version, same_for_everyone=True)
def claimreview_feed(request):
    """All published ClaimReviews as a schema.org DataFeed, newest first; pages via Link."""
    publications = (
        Publication.objects.listed().select_related("rating").order_by("-published_at", "-pk")
    )
    page = Paginator(publications, FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    scale = Rating.objects.scale()
    reviews = [claim_review(_verdict(request, p, scale), with_context=False) for p in page]
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


# Claims are what the desk searches for; articles and sources follow, fewer of each: a long
# article's snippet is the costliest part of a search.
SEARCH_LIMITS = {"claims": 20, "articles": 10, "sources": 10}


@permission_required(
    ["claims.view_claim", "articles.view_article", "sources.view_source"], raise_exception=True
)
def search(request):
    """One box over claims, articles and sources, best matches first, with the words marked."""
    words = request.GET.get("q", "").strip()[:500]
    results = []
    if words:
        # Only what a result shows: an article's text alone would be most of the page's cost.
        kinds = [
            (
                "Claims",
                "claims",
                # The status and the verdict are shown beside each claim.
                Claim.objects.unmerged().select_related("rating").only("text", "status", "rating"),
            ),
            ("Articles", "articles", Article.objects.only("title")),
            ("Sources", "sources", Source.objects.only("title")),
        ]
        results = [
            (heading, kind, text_search(queryset, words, limit=SEARCH_LIMITS[kind]))
            for heading, kind, queryset in kinds
        ]
    template = "search.html#results" if request.htmx else "search.html"
    return render(request, template, {"words": words, "results": results})


DASHBOARD_WEEKS = 12
# Unread notifications shown on the dashboard; the inbox has the rest.
DASHBOARD_UNREAD = 5


# The dashboard's counts read every claim; at a million that is most of a second, so they are
# computed at most once a minute (Django's cache: per process by default, shared if configured).
DASHBOARD_CACHE_SECONDS = 60


def dashboard_counts() -> dict:
    since = timezone.now() - datetime.timedelta(weeks=DASHBOARD_WEEKS)
    # A merged claim counts once, as its survivor.
    claims = Claim.objects.unmerged()
    queue = claims.filter(status=Claim.Status.SUBMITTED).aggregate(
        size=Count("pk"), oldest=Min("submitted_at")
    )
    return {
        "by_status": dict(claims.values_list("status").annotate(n=Count("pk")).order_by()),
        "by_rating": dict(
            claims.published().values_list("rating").annotate(n=Count("pk")).order_by()
        ),
        "queue_size": queue["size"],
        "queue_oldest": queue["oldest"],
        "weekly": dict(
            claims.filter(created_at__gte=since)
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
        "contested": Claim.objects.unmerged()
        .filter(supports_count__gt=0, contradicts_count__gt=0)
        .select_related("claimant")
        .order_by("-created_at", "-pk")[:10],
        "recent": Claim.history.select_related("history_user").order_by("-history_date")[:10],
        "chart": weekly_chart(counts["weekly"], weeks=DASHBOARD_WEEKS),
        # The desk's own next things: what was handed to this person and not yet opened.
        "handed_to_you": Notification.objects.for_inbox(request.user).unread()[:DASHBOARD_UNREAD],
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
            "centre": i * (width + gap) + width // 2,
            # Every other week, ending with this one: twelve dates side by side do not fit a phone.
            "labelled": (weeks - 1 - i) % 2 == 0,
        }
        for i, (start, value) in enumerate(zip(starts, values, strict=True))
    ]
    return {"bars": bars, "width": weeks * (width + gap), "height": height, "bar_width": width}
