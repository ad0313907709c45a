"""Claims: the list with its filters, a claim with its mentions as W3C selectors, evidence and
verdict; tagging, evidence and the review steps, through claims.actions as the pages do."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from articles.models import Article
from claims import actions, matching
from claims.anchoring import (
    AnchorError,
    anchor_at,
    certain_anchor_from_selectors,
    selectors_for,
    utf16_to_codepoints,
)
from claims.forms import ClaimFilterForm, EvidenceForm
from claims.models import Claim, Evidence, Mention, Rating
from lib.links import url_for_pk
from lib.versioning import StaleEdit

from .errors import Stale, Unprocessable, form_errors, responses
from .paging import filtered, filters_from, origin_of, page_of, require
from .register import Paging, source_out
from .schemas import (
    ClaimDetail,
    ClaimOut,
    ClaimPage,
    EvidenceIn,
    EvidenceOut,
    Id,
    MentionIn,
    MentionOut,
    PublishIn,
    ReturnIn,
    SimilarOut,
    StepIn,
    Text,
)

router = Router(tags=["Claims"])

SIMILAR_LIMIT = 10


class ClaimFilters(Paging):
    status: Text(20) | None = Field(None, description="draft, submitted, in_review, published")
    rating: Id | None = Field(None, description="A verdict of the rating scale, by id.")
    tag: Text(100) | None = None
    claimant: Text(200) | None = None
    outlet: Text(253) | None = Field(None, description="Where it appeared: name or domain.")
    claimed_from: str | None = Field(None, description="YYYY-MM-DD", max_length=10)
    claimed_to: str | None = Field(None, description="YYYY-MM-DD", max_length=10)
    contradicted: bool | None = Field(None, description="Has contradicting evidence.")
    contested: bool | None = Field(None, description="Evidence both ways.")
    mine: bool | None = None
    assigned_to_me: bool | None = None
    sort: Text(20) | None = Field(None, description="newest (default), oldest, most_evidence")


class Tagged(Schema):
    claim: ClaimOut
    mention: MentionOut


def claim_out(claim: Claim, origin: str) -> dict:
    return {
        "id": claim.pk,
        "text": claim.text,
        "status": claim.status,
        "claimant": claim.claimant.name if claim.claimant else None,
        "claimed_on": claim.claimed_on,
        "verdict": claim.rating.label if claim.rating else None,
        "verdict_as_of": claim.verdict_as_of,
        "mention_count": claim.mention_count,
        "evidence_count": claim.evidence_count,
        "supports_count": claim.supports_count,
        "contradicts_count": claim.contradicts_count,
        "context_count": claim.context_count,
        "created_at": claim.created_at,
        "updated_at": claim.updated_at,
        "version": claim.version,
        "web_url": origin + claim.get_absolute_url(),
    }


def mention_out(mention: Mention, origin: str) -> dict:
    article = mention.article
    web_url = origin + article.get_absolute_url()
    return {
        "id": mention.pk,
        "article": {
            "id": article.pk,
            "title": article.title,
            "url": article.url,
            "web_url": web_url,
        },
        "target": {"source": article.url or web_url, "selector": selectors_for(mention.anchor)},
        "orphaned": mention.orphaned,
        "placement": mention.placement,
        "version": mention.version,
    }


def evidence_out(item: Evidence) -> dict:
    return {
        "id": item.pk,
        "source": source_out(item.source),
        "stance": item.stance,
        "excerpt": item.excerpt,
        "note": item.note,
        "added_by": item.added_by.get_username() if item.added_by else None,
        "created_at": item.created_at,
        "version": item.version,
    }


def _claim(pk: int) -> Claim:
    return get_object_or_404(Claim.objects.select_related("claimant", "rating", "reviewer"), pk=pk)


def _stale(claim_pk: int, error: StaleEdit, seen: int) -> Stale:
    current = Claim.objects.filter(pk=claim_pk).values_list("version", flat=True).first()
    return Stale(error, seen_version=seen, current_version=current)


@router.get(
    "/claims/",
    response=responses({200: ClaimPage}),
    summary="Claims, with the claims list's filters and sorts",
)
def list_claims(request, query: Query[ClaimFilters]):
    require(request, "claims.view_claim")
    data = filters_from(query.model_copy(update={"cursor": None, "limit": None}))
    form = ClaimFilterForm(data or None, user=request.user)
    claims = filtered(form, Claim.objects.unmerged().with_list_details())
    field, descending = form.ordering()
    page = page_of(
        request, claims, field=field, descending=descending, cursor=query.cursor, limit=query.limit
    )
    page["items"] = [claim_out(claim, origin_of(request)) for claim in page["items"]]
    return page


@router.get(
    "/claims/similar/",
    response=responses({200: list[SimilarOut]}),
    summary="Claims and external fact-checks closest to a text",
)
def similar_claims(request, text: Text(2000, min_length=1)):
    require(request, "claims.view_claim")
    return [
        {
            "kind": s.kind,
            "id": s.id,
            "text": s.text,
            "status": s.status,
            "verdict": s.verdict,
            "date": s.date,
            "checked_by": s.checked_by,
            "score": s.score,
            "confident": s.confident,
            "web_url": origin_of(request) + s.url,
            "external_url": s.external_url,
        }
        for s in matching.suggest(text, limit=SIMILAR_LIMIT)
    ]


@router.get(
    "/claims/{id}/",
    response=responses({200: ClaimDetail}, not_found=True),
    summary="A claim with its mentions, evidence and verdict",
)
def get_claim(request, id: Id):
    require(request, "claims.view_claim")
    claim = get_object_or_404(
        Claim.objects.select_related("claimant", "rating", "reviewer").prefetch_related(
            "tags",
            Prefetch(
                "mentions",
                Mention.objects.select_related("article").defer(
                    "article__text", "article__html", "article__search_document"
                ),
            ),
            Prefetch(
                "evidence",
                Evidence.objects.select_related("source__outlet", "added_by").order_by(
                    "source__published_on", "pk"
                ),
            ),
        ),
        pk=id,
    )
    verdict = None
    if claim.is_published:
        verdict = {
            "rating": claim.rating.label,
            "rationale": claim.rationale,
            "as_of": claim.verdict_as_of,
            "published_at": claim.published_at,
            "public_url": request.build_absolute_uri(url_for_pk("public_claim", claim.pk)),
        }
    claimant, origin = claim.claimant, origin_of(request)
    return {
        **claim_out(claim, origin),
        "claimant_detail": claimant
        and {
            "id": claimant.pk,
            "name": claimant.name,
            "kind": claimant.kind,
            "description": claimant.description,
        },
        "tags": [tag.name for tag in claim.tags.all()],
        "reviewer": claim.reviewer.get_username() if claim.reviewer else None,
        "submitted_at": claim.submitted_at,
        "published_at": claim.published_at,
        "merged_into": claim.merged_into_id,
        "mentions": [mention_out(mention, origin) for mention in claim.mentions.all()],
        "evidence": [evidence_out(item) for item in claim.evidence.all()],
        "verdict": verdict,
    }


# Tagging: where in the text, from offsets or from W3C selectors.


def _place(text: str, payload: MentionIn):
    try:
        if payload.selector:
            selectors = [selector.dict() for selector in payload.selector]
            if not any(s["type"] == "TextQuoteSelector" for s in selectors):
                positions = [s for s in selectors if s["type"] == "TextPositionSelector"]
                return anchor_at(text, positions[0]["start"], positions[0]["end"])
            # Placed only where the quote certainly is, by the rules annotation imports follow.
            return certain_anchor_from_selectors(text, selectors)
        if payload.start is None or payload.end is None:
            raise AnchorError("Give start and end, or a selector.")
        start, end = payload.start, payload.end
        if payload.unit == "utf16":
            start, end = utf16_to_codepoints(text, start), utf16_to_codepoints(text, end)
        return anchor_at(text, start, end)
    except AnchorError as error:
        field = "selector" if payload.selector else "start"
        raise Unprocessable(str(error), {field: [str(error)]}) from error


@router.post(
    "/articles/{id}/claims/",
    response=responses({201: Tagged}, not_found=True, conflict=True),
    summary="Tag a claim in an article, by offsets or by a quote",
    tags=["Claims"],
)
def tag_claim(request, id: Id, payload: MentionIn):
    require(request, "claims.add_claim", "claims.add_mention")
    article = get_object_or_404(Article, pk=id)
    anchor = _place(article.text, payload)
    if payload.existing_claim is not None:
        claim = Claim.objects.filter(pk=payload.existing_claim).first()
        if claim is None:
            message = f"There is no claim #{payload.existing_claim}."
            raise Unprocessable(message, {"existing_claim": [message]})
        mention = actions.add_mention(
            claim, article, start=anchor.start, end=anchor.end, by=request.user
        )
    else:
        mention = actions.tag_claim(
            article,
            start=anchor.start,
            end=anchor.end,
            text=payload.text,
            claimant_name=payload.claimant,
            claimant_kind=payload.claimant_kind,
            claimant_role=payload.claimant_role,
            claimed_on=payload.claimed_on or article.published_on,
            tags=actions.parse_tags(",".join(payload.tags)),
            by=request.user,
        )
    mention.article = article
    origin = origin_of(request)
    return Status(
        201,
        {
            "claim": claim_out(_claim(mention.claim_id), origin),
            "mention": mention_out(mention, origin),
        },
    )


@router.post(
    "/claims/{id}/evidence/",
    response=responses({201: EvidenceOut}, not_found=True, conflict=True),
    summary="Add evidence: a source of the register ('#<id>') or a URL",
)
def add_evidence(request, id: Id, payload: EvidenceIn):
    require(request, "claims.add_evidence")
    claim = _claim(id)
    form = EvidenceForm(payload.dict(), claim=claim)
    if not form.is_valid():
        raise form_errors(form)
    evidence = actions.add_evidence(
        claim,
        source=form.cleaned_data["source"],
        stance=form.cleaned_data["stance"],
        excerpt=form.cleaned_data["excerpt"],
        note=form.cleaned_data["note"],
        by=request.user,
        title=form.cleaned_data["title"],
        type=form.cleaned_data["type"],
    )
    item = Evidence.objects.select_related("source__outlet", "added_by").get(pk=evidence.pk)
    return Status(201, evidence_out(item))


STEP_RESPONSES = responses({200: ClaimOut}, not_found=True, stale=True)


def _step(request, id: int, version: int, do) -> dict:
    claim = _claim(id)
    try:
        do(claim)
    except StaleEdit as error:
        raise _stale(claim.pk, error, version) from error
    return claim_out(_claim(id), origin_of(request))


@router.post("/claims/{id}/submit/", response=STEP_RESPONSES, summary="Submit for review")
def submit(request, id: Id, payload: StepIn):
    return _step(
        request,
        id,
        payload.version,
        lambda claim: actions.submit_for_review(
            claim, by=request.user, seen_version=payload.version
        ),
    )


@router.post(
    "/claims/{id}/return/", response=STEP_RESPONSES, summary="Return to the researcher, with a note"
)
def return_to_researcher(request, id: Id, payload: ReturnIn):
    return _step(
        request,
        id,
        payload.version,
        lambda claim: actions.return_to_researcher(
            claim, by=request.user, note=payload.note, seen_version=payload.version
        ),
    )


@router.post(
    "/claims/{id}/publish/", response=STEP_RESPONSES, summary="Publish the verdict (reviewers)"
)
def publish(request, id: Id, payload: PublishIn):
    require(request, "claims.review_claim")
    rating = Rating.objects.filter(label__iexact=payload.rating.strip()).first()
    if rating is None:
        labels = ", ".join(Rating.objects.values_list("label", flat=True))
        message = f"“{payload.rating}” is not on the rating scale: {labels}."
        raise Unprocessable(message, {"rating": [message]})
    return _step(
        request,
        id,
        payload.version,
        lambda claim: actions.publish_verdict(
            claim,
            by=request.user,
            rating=rating,
            rationale=payload.rationale,
            as_of=payload.as_of,
            seen_version=payload.version,
            without_evidence=payload.without_evidence,
        ),
    )
