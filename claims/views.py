"""Claim pages: the list, a claim with its mentions and evidence, the reader, the review."""

import csv
import datetime
import json
import re
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max, OuterRef, Subquery
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from articles.forms import ArticleTextForm
from articles.highlighting import split_into_runs
from articles.models import Article
from articles.views import get_article_for_user
from lib import keyset
from lib.links import NarrowingLinks, url_for, url_for_pk
from lib.versioning import StaleEdit
from sources.models import Source

from . import actions, annotations, matching, notifications
from .balance import EvidenceBalance
from .forms import (
    AnnotationImportForm,
    ClaimFilterForm,
    ClaimForm,
    CommentForm,
    EvidenceEditForm,
    EvidenceForm,
    ExternalCheckLinkForm,
    MentionSpanForm,
    MergeForm,
    StepForm,
    TagClaimForm,
    VerdictForm,
    VersionForm,
)
from .history import claim_history, return_notes
from .models import (
    EVIDENCE_HEADINGS,
    Claim,
    Claimant,
    Comment,
    Evidence,
    ExternalCheckLink,
    Mention,
    MentionPlacement,
    Notification,
)

PAGE_SIZE = 50


def _get_claim_for_user(user, pk: int) -> Claim:
    # Every signed-in role may read every claim; the permission decorator refuses the rest.
    return get_object_or_404(Claim.objects.select_related("claimant", "rating", "reviewer"), pk=pk)


def _get_evidence_for_user(user, pk: int) -> Evidence:
    # Evidence is read and edited by the whole desk; the permission decorators refuse the rest.
    return get_object_or_404(Evidence.objects.select_related("claim", "source"), pk=pk)


def _get_mention_for_user(user, pk: int) -> Mention:
    # Mentions, like claims, are read by every signed-in role; decorators refuse the rest.
    return get_object_or_404(Mention.objects.select_related("article", "claim"), pk=pk)


def _to_survivor(request, claim: Claim, page: str = "claims:detail"):
    """A merged claim's page sends the reader to the same page of the claim it was merged into."""
    messages.info(
        request,
        f"Claim #{claim.pk} (“{notifications.short(claim.text)}”) was merged into this one on "
        f"{date_format(timezone.localtime(claim.merged_at), 'j F Y')}; its history is below.",
    )
    return HttpResponseRedirect(url_for_pk(page, claim.merged_into_id))


def _reasons(error: Exception) -> list[str]:
    return error.messages if isinstance(error, StaleEdit) else [str(error)]


def _status(error: Exception) -> int:
    return getattr(error, "status", 409)


def _refused(request, claim: Claim, error: Exception, *, verdict_form=None):
    """The claim page, saying why an action was refused (403 or 409); nothing was changed.

    An htmx request is sent to that page, where the message waits: htmx does not swap error
    responses, and a refusal must never pass in silence.
    """
    if request.htmx:
        for reason in _reasons(error):
            messages.error(request, reason)
        response = HttpResponse(status=_status(error))
        response["HX-Redirect"] = claim.get_absolute_url()
        return response
    # Read again: a form may have changed the object in memory before the action refused it.
    claim = _get_claim_for_user(request.user, claim.pk)
    context = {**claim_page_context(request, claim), "refusal": _reasons(error)}
    if verdict_form is not None:
        context["verdict_form"] = verdict_form
    return render(request, "claims/claim_detail.html", context, status=_status(error))


def _add_error(form, error: actions.Refused) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


@permission_required("claims.view_claim", raise_exception=True)
def claim_list(request):
    """Claims, filtered and sorted from the URL, a keyset page at a time; nothing is counted."""
    filters = ClaimFilterForm(request.GET or None, user=request.user)
    field, descending = filters.ordering()
    claims = filters.filter(Claim.objects.unmerged().as_list_rows())
    page = keyset.page_for(request, claims, field=field, descending=descending, size=PAGE_SIZE)
    balances = Evidence.objects.filter(claim__in=[row["pk"] for row in page]).balances()
    # Each row links to "only claims like this one"; built here, a query string per value.
    links = NarrowingLinks(request.GET)
    for row in page:
        row["balance"] = balances.get(row["pk"], EvidenceBalance())
        row["status_link"] = links.narrowed("status", row["status"])
        if row["claimant_name"] is not None:
            row["claimant_link"] = links.narrowed("claimant", row["claimant_name"])
        if row["rating_id"]:
            row["rating_link"] = links.narrowed("rating", row["rating_id"])
    # The download links carry the filters shown (not the page): built once, not per row.
    query = request.GET.copy()
    query.pop("cursor", None)
    query = f"?{query.urlencode()}" if query else ""
    exports = {
        "csv": url_for("claims:export_csv") + query,
        "json": url_for("claims:export_json") + query,
    }
    template = "claims/claim_list.html"
    if request.htmx:
        template += "#claim-list"
    return render(request, template, {"page": page, "filters": filters, "exports": exports})


# What an export gives for each claim: (column, the row value it is read from). Read with
# values_list, so no model is built; verdict and public URL come from a join and the status.
EXPORT_COLUMNS = [
    ("id", "pk"),
    ("text", "text"),
    ("claimant", "claimant__name"),
    ("claimed_on", "claimed_on"),
    ("status", "status"),
    ("verdict", "rating__label"),
    ("verdict_as_of", "verdict_as_of"),
    ("mention_count", "mention_count"),
    ("evidence_count", "evidence_count"),
    ("supports_count", "supports_count"),
    ("contradicts_count", "contradicts_count"),
    ("context_count", "context_count"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
]
EXPORT_FIELDNAMES = [name for name, _ in EXPORT_COLUMNS] + ["public_url"]
# Rows read from the database at a time: memory stays flat however many claims match.
EXPORT_CHUNK = 2000
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() returns what it was given: csv.writer yields lines."""

    def write(self, value):
        return value


def _export_rows(request, claims):
    """Each matching claim as a dict of EXPORT_FIELDNAMES, read a chunk at a time."""
    origin = f"{request.scheme}://{request.get_host()}"
    published = Claim.Status.PUBLISHED
    lookups = [lookup for _, lookup in EXPORT_COLUMNS]
    for values in claims.values_list(*lookups).iterator(chunk_size=EXPORT_CHUNK):
        row = dict(zip(EXPORT_FIELDNAMES, values, strict=False))
        row["public_url"] = (
            origin + url_for_pk("public_claim", row["id"]) if row["status"] == published else ""
        )
        yield row


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value.isoformat() if hasattr(value, "isoformat") else value


def _csv_lines(rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_FIELDNAMES)
    for row in rows:
        yield writer.writerow([_csv_cell(row[name]) for name in EXPORT_FIELDNAMES])


def _json_array(rows):
    """A JSON array written an object at a time, so it never sits whole in memory."""
    yield "["
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


@require_GET
@permission_required("claims.view_claim", raise_exception=True)
def claim_export(request, fmt: str):
    """The claims list, with its filters and order, as a streamed CSV or JSON download."""
    filters = ClaimFilterForm(request.GET or None, user=request.user)
    if filters.is_bound and not filters.is_valid():
        return HttpResponseBadRequest(
            "The filters are not valid:\n" + filters.errors.as_text(),
            content_type="text/plain; charset=utf-8",
        )
    field, descending = filters.ordering()
    order = ["-" + field, "-pk"] if descending else [field, "pk"]
    claims = filters.filter(Claim.objects.unmerged()).order_by(*order)
    rows = _export_rows(request, claims)
    if fmt == "csv":
        content, content_type = _csv_lines(rows), "text/csv; charset=utf-8"
    else:
        content, content_type = _json_array(rows), "application/json"
    response = StreamingHttpResponse(content, content_type=content_type)
    name = f"claims-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def evidence_context(claim: Claim, form: EvidenceForm | None = None) -> dict:
    """The claim's evidence grouped by stance, its balance, and the form to add more."""
    evidence = list(Evidence.objects.filter(claim=claim).drawn())
    by_stance = {stance: [] for stance in Evidence.Stance}
    for item in evidence:
        by_stance[item["stance"]].append(item)
    return {
        "claim": claim,
        "evidence_groups": [
            (stance, heading, by_stance[stance]) for stance, heading in EVIDENCE_HEADINGS
        ],
        "balance": EvidenceBalance.of(
            (item["stance"], item["source__outlet__reliability"]) for item in evidence
        ),
        "evidence_form": form or EvidenceForm(claim=claim),
    }


def _render_evidence_section(request, claim: Claim, form: EvidenceForm | None = None):
    response = render(request, "claims/claim_detail.html#evidence", evidence_context(claim, form))
    return reswap(retarget(response, "#evidence"), "outerHTML")


# The steps that move a claim forward, shown first on its page; the others (assign, return)
# send it sideways or back and wait one click further down.
PRIMARY_STEPS = ("submit", "start_review", "publish", "reopen")


def review_context(claim: Claim, user) -> dict:
    """The review section: the steps this user may take, and why not where they may not."""
    reviewing = user.has_perm("claims.review_claim") and claim.status in (
        Claim.Status.SUBMITTED,
        Claim.Status.IN_REVIEW,
    )
    contributors = actions.contributions(claim) if reviewing else {}
    steps = actions.allowed_steps(claim, user, contributors)
    context = {
        "steps": steps,
        "primary_steps": [step for step in steps if step in PRIMARY_STEPS],
        "other_steps": [step for step in steps if step not in PRIMARY_STEPS],
        "step_names": actions.STEP_NAMES,
        "verdict_form": None,
        # Merging is offered on claims that may be merged; a published one is reopened first.
        "may_merge": actions.may_merge(user) and not claim.is_published,
    }
    if "publish" in steps:
        context["verdict_form"] = VerdictForm(
            initial={
                "rating": claim.rating_id,
                "rationale": claim.rationale,
                "as_of": timezone.localdate(),
                "seen_version": claim.version,
            }
        )
    if reviewing and claim.status == Claim.Status.IN_REVIEW and "publish" not in steps:
        context["cannot_publish"] = actions.four_eyes_refusal(claim, user, contributors)
    if reviewing and claim.status == Claim.Status.SUBMITTED and "start_review" not in steps:
        context["cannot_review"] = actions.review_refusal(claim, user, contributors)
    if "assign" in steps:
        context["other_reviewers"] = [
            reviewer
            for reviewer in actions.reviewers()
            if reviewer != user
            and reviewer.pk != claim.reviewer_id
            and (reviewer.is_superuser or reviewer.pk not in contributors)
        ]
    return context


def _rows(claim: Claim, present: str, queryset) -> list:
    """The queryset's rows, or none without asking when the claim's query found it empty.

    Only a claim read with_page_details() says what is empty; for any other, ask.
    """
    return list(queryset) if getattr(claim, present, True) else []


def _public_since(claim: Claim):
    """When the verdict the public reads of this claim was published; None if never published."""
    if hasattr(claim, "public_since"):  # read with_page_details()
        return claim.public_since
    # A claim never published has no publication: no query for most drafts.
    if not claim.published_at:
        return None
    return claim.publications.current().values_list("published_at", flat=True).first()


def claim_page_context(request, claim: Claim, evidence_form: EvidenceForm | None = None) -> dict:
    """Everything the claim page shows: mentions, evidence, the workflow and the discussion.

    Not the history: few readers open it, and it costs as much as the evidence to draw.
    """
    # The articles' texts are for their own pages: a mention shows its title and outlet.
    mentions = _rows(
        claim,
        "has_mentions",
        Mention.objects.filter(claim=claim)
        .select_related("article__outlet")
        .defer("article__text", "article__html", "article__search_document"),
    )
    return {
        "tags": _rows(claim, "has_tags", claim.tags.all()),
        "mentions": mentions,
        "undecided_mentions": sum(1 for mention in mentions if mention.placement),
        **evidence_context(claim, evidence_form),
        **review_context(claim, request.user),
        **external_checks_context(claim),
        "public_since": _public_since(claim),
        "return_note": return_notes([claim]).get(claim.pk),
        **discussion_context(claim),
    }


def external_checks_context(claim: Claim, form: ExternalCheckLinkForm | None = None) -> dict:
    links = claim.external_check_links.select_related("external_check__reviewer_outlet")
    return {
        "external_links": _rows(claim, "has_external_links", links),
        "external_check_form": form or ExternalCheckLinkForm(),
    }


@permission_required("claims.view_claim", raise_exception=True)
def claim_detail(request, pk: int):
    claim = get_object_or_404(Claim.objects.with_page_details(), pk=pk)
    if claim.is_merged:
        return _to_survivor(request, claim)
    return render(request, "claims/claim_detail.html", claim_page_context(request, claim))


@permission_required("claims.view_claim", raise_exception=True)
def claim_history_page(request, pk: int):
    """The claim's trail of changes: its own page, or the fragment its page asks for when opened."""
    claim = _get_claim_for_user(request.user, pk)
    if claim.is_merged:
        return _to_survivor(request, claim, "claims:history")
    template = "claims/claim_history.html"
    if request.htmx:
        template += "#history"
    return render(request, template, {"claim": claim, "history": claim_history(claim)})


@require_POST
@permission_required("claims.add_evidence", raise_exception=True)
def evidence_add(request, pk: int):
    """Attach a source to the claim; a pasted URL that is new to the register adds the source."""
    claim = _get_claim_for_user(request.user, pk)
    form = EvidenceForm(request.POST, claim=claim)
    if form.is_valid():
        try:
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
        except actions.Invalid as error:
            _add_error(form, error)
        except actions.Refused as error:
            return _refused(request, claim, error)
        else:
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
    claim = evidence.claim
    try:
        actions.refuse_if_published(claim, "evidence")  # a frozen item gets no form either
    except actions.Refused as error:
        return _refused(request, claim, error)
    form = EvidenceEditForm(request.POST or None, instance=evidence)
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_evidence(
                evidence,
                stance=form.cleaned_data["stance"],
                excerpt=form.cleaned_data["excerpt"],
                note=form.cleaned_data["note"],
                by=request.user,
                seen_version=form.cleaned_data["seen_version"],
            )
        except actions.Invalid as error:
            _add_error(form, error)
        except StaleEdit as error:
            form.add_error(None, error.messages)
        except actions.Refused as error:
            return _refused(request, claim, error)
        else:
            if request.htmx:
                return _render_evidence_section(request, claim)
            messages.success(request, "Evidence saved.")
            return redirect(f"{claim.get_absolute_url()}#evidence-{evidence.pk}")
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
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.Invalid("The form was incomplete; reload the page and try again.")
        actions.remove_evidence(
            evidence, by=request.user, seen_version=form.cleaned_data["seen_version"]
        )
    except (actions.Refused, StaleEdit) as error:
        return _refused(request, evidence.claim, error)
    if request.htmx:
        return _render_evidence_section(request, evidence.claim)
    messages.success(request, f"Removed “{evidence.source.title}” from the evidence.")
    return redirect(evidence.claim)


SOURCE_CHOICES_LIMIT = 20


@permission_required(["claims.view_claim", "sources.view_source"], raise_exception=True)
def evidence_sources(request, pk: int):
    """Options for the add-evidence type-ahead: sources by title, outlet or URL, each saying
    how it is already cited on this claim, so nobody adds the same source twice unawares."""
    claim = _get_claim_for_user(request.user, pk)
    words = request.GET.get("source", "").strip()
    sources = []
    # A picked option reads "#<pk> title": it needs no more suggestions.
    if len(words) >= 2 and not words.startswith("#"):
        found = Source.objects.search(words).select_related("outlet").order_by("title", "pk")
        sources = list(found[:SOURCE_CHOICES_LIMIT])
    cited = defaultdict(list)
    if sources:
        stances = Evidence.objects.filter(claim=claim, source__in=sources).order_by("stance")
        for source_id, stance in stances.values_list("source_id", "stance"):
            cited[source_id].append(stance)
    for source in sources:
        source.cited_here = cited[source.pk]
    return render(request, "sources/source_choices.html", {"sources": sources})


CLAIM_CHOICES_LIMIT = 20
PICKED = re.compile(r"#(\d+)\b")


@permission_required("claims.view_claim", raise_exception=True)
def claim_choices(request):
    """Options for the "Link to existing claim" type-ahead: the claims closest to what is typed.

    Ranked by the matcher (meaning and words, claims.matching); an option already picked
    ("#12 …") keeps its claim first, so picking it does not reshuffle the list. Claims only:
    an option fills the field, which takes a claim; the fact-checks of other organisations are
    in the "Checked before?" list beside it, with their own button.
    """
    query = request.GET.get("existing_claim", "").strip()
    choices = []
    if len(query) >= 2:
        if picked := PICKED.match(query):
            query = query[picked.end() :]
        choices = matching.suggest(
            query or "", limit=CLAIM_CHOICES_LIMIT, kinds=matching.CLAIMS_ONLY
        )
        if picked:
            first = [c for c in choices if c.id == int(picked.group(1))]
            choices = first + [c for c in choices if c.id != int(picked.group(1))]
    return render(request, "claims/claim_choices.html", {"claims": choices})


SIMILAR_LIMIT = 5


@permission_required("claims.view_claim", raise_exception=True)
def similar_claims(request):
    """The claims and external fact-checks closest to a text (?text=) or to a claim (?claim=,
    itself left out).

    The tagging form asks with the proposition being written (?for_tagging=1 adds the "Same
    claim" and "save linked to this check" buttons, which submit that form); the claim page asks
    with its claim, and gets "Checked elsewhere: link this claim to it" forms.
    """
    claim = None
    if claim_pk := request.GET.get("claim", ""):
        if not claim_pk.isdigit():
            raise Http404("No such claim.")
        claim = _get_claim_for_user(request.user, int(claim_pk))
    text = claim.text if claim else request.GET.get("text", "")
    suggestions = matching.suggest(
        text, limit=SIMILAR_LIMIT, exclude_claim=claim.pk if claim else None
    )
    # On a claim's page, an external fact-check among them is linked to the claim in one click.
    link_url, linked = "", set()
    may_link = request.user.has_perm("claims.add_externalchecklink")
    if claim and may_link and not claim.is_published:
        link_url = url_for_pk("claims:external_check_link", claim.pk)
        if any(suggestion.is_external for suggestion in suggestions):
            linked = set(claim.external_check_links.values_list("external_check_id", flat=True))
    context = {
        "claim": claim,
        "text": text,
        "suggestions": suggestions,
        "linkable": request.GET.get("for_tagging") == "1",
        "link_url": link_url,
        "linked": linked,
    }
    template = "claims/similar_claims.html"
    if request.htmx:
        template += "#similar-list"
    return render(request, template, context)


@require_POST
@permission_required("claims.delete_mention", raise_exception=True)
def mention_delete(request, pk: int):
    """Remove one place where an article states a claim; the claim itself stays."""
    mention = _get_mention_for_user(request.user, pk)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.Invalid("The form was incomplete; reload the page and try again.")
        actions.delete_mention(
            mention, by=request.user, seen_version=form.cleaned_data["seen_version"]
        )
    except (actions.Refused, StaleEdit) as error:
        return _refused(request, mention.claim, error)
    messages.success(request, f"Removed the mention “{mention.quote[:80]}”.")
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = mention.article.get_absolute_url()
    # A path, never a view name: redirect() would try to reverse "abc" and fail after the write.
    return HttpResponseRedirect(next_url)


@require_POST
@permission_required("claims.change_mention", raise_exception=True)
def mention_confirm(request, pk: int):
    """A person picks the place of a mention held after a text edit, or leaves it orphaned."""
    mention = _get_mention_for_user(request.user, pk)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.Invalid("The form was incomplete; reload the page and try again.")
        actions.confirm_mention(
            mention,
            choice=request.POST.get("choice", ""),
            by=request.user,
            seen_version=form.cleaned_data["seen_version"],
        )
    except (actions.Refused, StaleEdit) as error:
        return _refused(request, mention.claim, error)
    messages.success(
        request,
        "Mention placed." if request.POST.get("choice") != "orphan" else "Mention left orphaned.",
    )
    return redirect(mention.article)


@permission_required("claims.change_mention", raise_exception=True)
def mention_adjust(request, pk: int):
    mention = _get_mention_for_user(request.user, pk)
    try:
        actions.refuse_if_published(mention.claim, "mentions")
    except actions.Refused as error:
        return _refused(request, mention.claim, error)
    form = MentionSpanForm(
        request.POST or None, initial={"passage": mention.quote}, mention=mention
    )
    if request.method == "POST" and form.is_valid():
        anchor = form.cleaned_data["passage"]
        try:
            actions.adjust_mention(
                mention,
                start=anchor.start,
                end=anchor.end,
                by=request.user,
                seen_version=form.cleaned_data["seen_version"],
            )
        except actions.Invalid as error:
            _add_error(form, error)
        except StaleEdit as error:
            form.add_error(None, error.messages)
        except actions.Refused as error:
            return _refused(request, mention.claim, error)
        else:
            messages.success(request, "Mention adjusted.")
            return redirect(mention.claim)
    status = 400 if request.method == "POST" else 200
    context = {"mention": mention, "form": form}
    return render(request, "claims/mention_form.html", context, status=status)


# The reader: an article's text with its mentions marked, tagging, and editing the text.


class Mark(NamedTuple):
    """What the reader draws for a mention: a <mark> linking to its claim."""

    pk: int
    claim_id: int
    css: str
    url: str
    title: str


def _mark_css(claim: Claim) -> str:
    """A mark's classes: its claim's status and, once published, the verdict's colour family."""
    if not (claim.is_published and claim.rating_id):
        return f"status-{claim.status}"
    # The verdict's colour family, the same on every page (Rating.tone).
    return f"status-{claim.status} verdict-{claim.rating.tone}"


def reader_context(article: Article) -> dict:
    """The article's text cut into runs with the mentions covering each, and its claims."""
    everything = (
        Mention.objects.filter(article=article)
        .select_related("claim__claimant", "claim__rating")
        .order_by("start", "-end")
    )
    mentions = [mention for mention in everything if mention.has_place]
    orphans = [mention for mention in everything if mention.orphaned]
    held = [m for m in everything if m.placement == MentionPlacement.CONFIRM and not m.orphaned]
    for mention in held:
        mention.choices = [
            (index, article.text[start:end], article.text[max(0, start - 40) : start])
            for index, (start, end) in enumerate(mention.candidates)
        ]
    to_check = [m for m in mentions if m.placement == MentionPlacement.APPROXIMATE]
    claims = list({mention.claim_id: mention.claim for mention in mentions}.values())
    # Each mark's attributes are worked out once per mention (a URL once per claim), not once
    # per run of text in the template: an article may have thousands of marks.
    urls = {claim.pk: claim.get_absolute_url() for claim in claims}
    css = {claim.pk: _mark_css(claim) for claim in claims}
    marks = {
        mention.pk: Mark(
            mention.pk,
            mention.claim_id,
            css[mention.claim_id],
            urls[mention.claim_id],
            mention.claim.text,
        )
        for mention in mentions
    }
    runs = [
        (run.text, marks.get(run.innermost), run.depth > 1)
        for run in split_into_runs(article.text, ((m.pk, m.start, m.end) for m in mentions))
    ]
    balances = Evidence.objects.filter(claim__in=[claim.pk for claim in claims]).balances()
    for claim in claims:
        claim.balance = balances.get(claim.pk, EvidenceBalance())
    return {
        "article": article,
        "runs": runs,
        "mentions": mentions,
        "orphans": orphans,
        "held": held,
        "to_check": to_check,
        "claims": claims,
    }


@permission_required("articles.view_article", raise_exception=True)
def article_detail(request, pk: int):
    article = get_article_for_user(request.user, pk)
    return render(request, "claims/article_reader.html", reader_context(article))


# The reader's panel: a tag form asked for with this htmx target is answered into the reader.
READER_PANEL = "tag-panel"


@permission_required(["claims.add_claim", "claims.add_mention"], raise_exception=True)
def tag_claim(request, pk: int):
    """Tag a passage as a claim: in place on the reader with htmx, or on a plain page."""
    article = get_article_for_user(request.user, pk)
    in_reader = bool(request.htmx) and request.htmx.target == READER_PANEL
    checking = request.method == "POST" and "check_similar" in request.POST
    if checking:
        # "Check for similar claims" (the form without JavaScript): nothing is saved; the form
        # comes back as typed, with the claims closest to the proposition.
        form = TagClaimForm(initial=request.POST.dict(), article=article)
    else:
        data = request.POST if request.method == "POST" else None
        form = TagClaimForm(data, initial=request.GET.dict(), article=article)
    status = 200
    if request.method == "POST" and not checking and form.is_valid():
        anchor = form.cleaned_data["anchor"]
        try:
            if existing := form.cleaned_data["existing_claim"]:
                mention = actions.add_mention(
                    existing, article, start=anchor.start, end=anchor.end, by=request.user
                )
            else:
                mention = actions.tag_claim(
                    article,
                    start=anchor.start,
                    end=anchor.end,
                    text=form.cleaned_data["text"],
                    claimant_name=form.cleaned_data["claimant"],
                    claimant_kind=form.cleaned_data["claimant_kind"],
                    claimant_role=form.cleaned_data["claimant_role"],
                    claimed_on=form.cleaned_data["claimed_on"],
                    tags=actions.parse_tags(form.cleaned_data["tag_names"]),
                    external_check=form.cleaned_data["checked_elsewhere"],
                    by=request.user,
                )
        except actions.Refused as error:
            # Shown on the form, which htmx swaps only when the answer is a success.
            _add_error(form, error)
            status = 200 if request.htmx else error.status
        else:
            if request.POST.get("then") == "evidence":
                # "Save and add evidence": straight on to the claim's evidence form.
                messages.success(request, "Claim tagged. Add its evidence below.")
                to_evidence = mention.claim.get_absolute_url() + "#evidence"
                if request.htmx:
                    return HttpResponseClientRedirect(to_evidence)
                return redirect(to_evidence)
            if in_reader:
                context = reader_context(article)
                response = render(request, "claims/article_reader.html#reader", context)
                return reswap(retarget(response, "#reader"), "outerHTML")
            messages.success(request, "Claim tagged.")
            if request.htmx:
                # The plain page has no reader to swap: the browser goes to it, mark and all.
                return HttpResponseClientRedirect(article.get_absolute_url())
            return redirect(article)
    template = "claims/tag_claim.html"
    if request.htmx:
        template += "#tag-form"
    context = {
        "article": article,
        "form": form,
        "in_reader": in_reader,
        "from_selection": form["start"].value() not in (None, ""),
        "claimant_names": Claimant.objects.values_list("name", flat=True)[:1000],
        "suggestions": (
            matching.suggest(request.POST.get("text", ""), limit=SIMILAR_LIMIT)
            if checking
            else None
        ),
    }
    return render(request, template, context, status=status)


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
            messages.success(request, f"Text saved. {outcome.summary()}")
            return redirect(article)
    return render(request, "claims/article_text_form.html", {"article": article, "form": form})


# Mentions as W3C Web Annotations: exported as JSON-LD, and imported from such files.


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _utc(moment) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _annotations_of(request, mentions) -> list[annotations.MentionView]:
    """Mentions drawn in their article (placed), as annotations: four queries however many."""
    mentions = (
        mentions.filter(orphaned=False)
        .exclude(placement=MentionPlacement.CONFIRM)
        .select_related("article", "claim__rating", "created_by")
        .defer("article__text", "article__html", "article__search_document")
        .prefetch_related("claim__tags")
        .order_by("article_id", "start", "end", "pk")
    )
    modified = dict(
        Mention.history.filter(id__in=mentions.values("pk"))
        .order_by()
        .values_list("id")
        .annotate(last=Max("history_date"))
    )
    origin = _origin(request)
    views = []
    for mention in mentions:
        article, claim = mention.article, mention.claim
        page = origin + article.get_absolute_url()
        published = claim.is_published and claim.rating_id
        views.append(
            annotations.MentionView(
                url=f"{page}#mention-{mention.pk}",
                source=article.url or page,
                anchor=mention.anchor,
                language=article.language,
                claim=annotations.ClaimView(
                    url=origin + url_for_pk("claims:detail", claim.pk),
                    text=claim.text,
                    status=claim.get_status_display(),
                    verdict=claim.rating.label if published else "",
                    tags=tuple(tag.name for tag in claim.tags.all()),
                ),
                creator=mention.created_by.get_username() if mention.created_by else "",
                created=_utc(mention.created_at),
                modified=_utc(modified.get(mention.pk, mention.created_at)),
            )
        )
    return views


def _jsonld(document: dict, name: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=annotations.CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@permission_required(["articles.view_article", "claims.view_claim"], raise_exception=True)
def article_annotations(request, pk: int):
    """The article's mentions as a W3C AnnotationCollection (JSON-LD)."""
    article = get_article_for_user(request.user, pk)
    document = annotations.collection(
        id=request.build_absolute_uri(request.path),
        label=f"Claims in “{article.title}”",
        mentions=_annotations_of(request, Mention.objects.filter(article=article)),
    )
    return _jsonld(document, f"article-{article.pk}-annotations.jsonld")


@require_GET
@permission_required("claims.view_claim", raise_exception=True)
def claim_annotations(request, pk: int):
    """Where articles state the claim, as a W3C AnnotationCollection (JSON-LD)."""
    claim = _get_claim_for_user(request.user, pk)
    document = annotations.collection(
        id=request.build_absolute_uri(request.path),
        label=f"Mentions of claim #{claim.pk}: {claim}",
        mentions=_annotations_of(request, Mention.objects.filter(claim=claim)),
    )
    return _jsonld(document, f"claim-{claim.pk}-annotations.jsonld")


def _our_origins(request) -> list[str]:
    """Where a claim or article page named in a file is ours: this address, and SITE_URL's."""
    return [_origin(request), settings.SITE_URL]


@permission_required(["claims.add_claim", "claims.add_mention"], raise_exception=True)
def annotations_import(request, pk: int):
    """Upload annotations made elsewhere; each lands as a mention where it certainly belongs."""
    article = get_article_for_user(request.user, pk)
    form = AnnotationImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            records = annotations.read_annotations(upload.read(), our_origins=_our_origins(request))
        except annotations.NotAnnotations as refused:
            form.add_error("file", str(refused))
        else:
            report = actions.import_annotations(
                article, records, by=request.user, file_name=upload.name
            )
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    context = {"article": article, "form": form, "report": report}
    return render(request, "claims/annotations_import.html", context, status=status)


# The review workflow: the steps, the verdict, the queue.


@require_POST
@permission_required("claims.view_claim", raise_exception=True)
def claim_step(request, pk: int, step: str):
    """Submit, start review, assign a reviewer, return to the researcher, or reopen."""
    if step not in actions.STEPS or step == "publish":
        raise Http404("No such step.")
    if not actions.may_take(request.user, step):
        raise PermissionDenied(f"You may not “{actions.STEP_NAMES[step]}”.")
    claim = _get_claim_for_user(request.user, pk)
    form = StepForm(request.POST)
    try:
        if not form.is_valid():
            if "reviewer" in form.errors:
                raise actions.Invalid(form.errors["reviewer"][0])
            raise actions.Invalid("The form was incomplete; reload the page and try again.")
        seen, note = form.cleaned_data["seen_version"], form.cleaned_data["note"]
        match step:
            case "submit":
                actions.submit_for_review(claim, by=request.user, seen_version=seen)
            case "start_review":
                actions.start_review(claim, by=request.user, seen_version=seen)
            case "assign":
                reviewer = form.cleaned_data["reviewer"]
                actions.assign_reviewer(
                    claim, reviewer=reviewer, by=request.user, seen_version=seen
                )
            case "return_to_researcher":
                actions.return_to_researcher(claim, by=request.user, note=note, seen_version=seen)
            case "reopen":
                actions.reopen(claim, by=request.user, note=note, seen_version=seen)
    except (actions.Refused, StaleEdit) as error:
        return _refused(request, claim, error)
    messages.success(request, f"{actions.STEP_NAMES[step]}: done.")
    return redirect(claim)


@require_POST
@permission_required("claims.review_claim", raise_exception=True)
def claim_publish(request, pk: int):
    claim = _get_claim_for_user(request.user, pk)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        error = actions.Invalid("The verdict is incomplete.")
        return _refused(request, claim, error, verdict_form=form)
    try:
        actions.publish_verdict(
            claim,
            by=request.user,
            rating=form.cleaned_data["rating"],
            rationale=form.cleaned_data["rationale"],
            as_of=form.cleaned_data["as_of"],
            seen_version=form.cleaned_data["seen_version"],
            without_evidence=form.cleaned_data["without_evidence"],
        )
    except (actions.Refused, StaleEdit) as error:
        return _refused(request, claim, error, verdict_form=form)
    messages.success(request, "Verdict published.")
    return redirect(claim)


@permission_required("claims.change_claim", raise_exception=True)
def claim_edit(request, pk: int):
    """Edit the claim's wording, claimant, date and tags; a published claim is reopened first."""
    claim = _get_claim_for_user(request.user, pk)
    if claim.is_merged:
        return _to_survivor(request, claim)
    try:
        actions.refuse_if_published(claim, "text, claimant, date or tags")
    except actions.Refused as error:
        return _refused(request, claim, error)
    form = ClaimForm(request.POST or None, instance=claim)
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_claim(
                claim,
                text=form.cleaned_data["text"],
                claimant_name=form.cleaned_data["claimant_name"],
                claimed_on=form.cleaned_data["claimed_on"],
                tags=actions.parse_tags(form.cleaned_data["tag_names"]),
                by=request.user,
                seen_version=form.cleaned_data["seen_version"],
            )
        except actions.Invalid as error:
            _add_error(form, error)
        except StaleEdit as error:
            form.add_error(None, error.messages)
        except actions.Refused as error:
            return _refused(request, claim, error)
        else:
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
    """Submitted claims, the longest-waiting first, and claims in review, by reviewer.

    Each shows where it was found, its evidence and how long it has waited: four queries,
    whatever the length of the queue.
    """
    first_article = Mention.objects.filter(claim=OuterRef("pk")).order_by("pk")
    queued = Claim.objects.annotate(
        article_title=Subquery(first_article.values("article__title")[:1])
    )
    waiting = list(queued.awaiting_review().select_related("claimant", "created_by"))
    in_review = list(queued.in_review().select_related("claimant", "reviewer", "created_by"))
    balances = Evidence.objects.filter(claim__in=[c.pk for c in waiting + in_review]).balances()
    for claim in waiting + in_review:
        claim.balance = balances.get(claim.pk, EvidenceBalance())
    by_reviewer = {}
    for claim in in_review:
        by_reviewer.setdefault(claim.reviewer, []).append(claim)
    context = {"waiting": waiting, "in_review": in_review, "by_reviewer": by_reviewer.items()}
    return render(request, "claims/review_queue.html", context)


@permission_required("claims.add_claim", raise_exception=True)
def my_claims(request):
    claims = Claim.objects.unmerged().filter(created_by=request.user)
    claims = claims.select_related("claimant", "rating")
    claims = list(claims.order_by("-updated_at", "-pk"))
    notes = return_notes(claims)
    by_status = {status: [] for status in Claim.Status}
    for claim in claims:
        claim.return_note = notes.get(claim.pk)
        by_status[Claim.Status(claim.status)].append(claim)
    groups = [(status.label, by_status[status]) for status in Claim.Status]
    return render(request, "claims/my_claims.html", {"groups": groups})


# Merging a duplicate into the claim that stays.


@permission_required(["claims.view_claim", actions.MERGE_RIGHT], raise_exception=True)
def claim_merge(request, pk: int):
    """Merge this claim into another: pick it and say why, see what would move, then merge."""
    duplicate = _get_claim_for_user(request.user, pk)
    if duplicate.is_merged:
        return _to_survivor(request, duplicate)
    form = MergeForm(request.POST or None, initial={"seen_version": duplicate.version})
    context = {"claim": duplicate, "form": form, "plan": None}
    status = 200
    if request.method == "POST" and form.is_valid():
        survivor = Claim.objects.filter(pk=form.cleaned_data["survivor"]).first()
        reason = form.cleaned_data["reason"]
        if survivor is None:
            form.add_error("survivor", f"There is no claim #{form.cleaned_data['survivor']}.")
        elif refusal := actions.merge_refusal(survivor, duplicate):
            form.add_error("survivor", refusal)
        elif "confirm" not in request.POST:
            # The confirmation: what would move, and the versions both claims were shown at.
            context["plan"] = actions.plan_merge(survivor, duplicate)
            context["survivor"] = survivor
            return render(request, "claims/claim_merge.html", context)
        else:
            try:
                plan = actions.merge_claims(
                    survivor,
                    duplicate,
                    by=request.user,
                    reason=reason,
                    seen_versions=(
                        form.cleaned_data["survivor_version"],
                        form.cleaned_data["seen_version"],
                    ),
                )
            except actions.Invalid as error:
                _add_error(form, error)
            except StaleEdit as error:
                form.add_error(None, error.messages)
            except actions.Refused as error:
                form.add_error(None, str(error))
                status = error.status
            else:
                messages.success(
                    request, f"Claim #{duplicate.pk} merged into this one: {plan.summary()}."
                )
                return redirect(plan.survivor)
    if request.method == "POST" and status == 200:
        status = 400  # the form comes back with what was typed and why it was not merged
    if duplicate.is_published:
        context["published"] = (
            "This claim is a published fact-check, and a published claim is never merged "
            "silently: reopen it first (saying why), then merge it."
        )
    return render(request, "claims/claim_merge.html", context, status=status)


# The discussion on a claim, and each person's inbox of notifications.


def discussion_context(claim: Claim, form: CommentForm | None = None) -> dict:
    """The claim's comments, oldest first, and the form to add one."""
    comments = Comment.objects.filter(claim=claim).select_related("author")
    return {
        "claim": claim,
        "comments": _rows(claim, "has_comments", comments),
        "comment_form": form or CommentForm(),
    }


def _render_discussion(request, claim: Claim, form: CommentForm | None = None, status=200):
    return render(request, "claims/discussion.html", discussion_context(claim, form), status=status)


@require_POST
@permission_required(["claims.view_claim", "claims.add_comment"], raise_exception=True)
def comment_add(request, pk: int):
    """Add to the discussion: htmx swaps the thread; without it, back to the claim page."""
    claim = _get_claim_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = actions.add_comment(claim, body=form.cleaned_data["body"], by=request.user)
        except actions.Invalid as error:
            _add_error(form, error)
        except actions.Refused as error:
            return _refused(request, claim, error)
        else:
            if request.htmx:
                return _render_discussion(request, claim)
            messages.success(request, "Comment added.")
            return redirect(f"{claim.get_absolute_url()}#comment-{comment.pk}")
    if request.htmx:
        # htmx swaps only a success: the thread comes back with the words as typed.
        return _render_discussion(request, claim, form)
    context = {**claim_page_context(request, claim), **discussion_context(claim, form)}
    return render(request, "claims/claim_detail.html", context, status=400)


INBOX_PAGE_SIZE = 50


def _get_notification_for_user(user, pk: int) -> Notification:
    # Only one's own: someone else's notification is as good as missing.
    return get_object_or_404(Notification.objects.select_related("claim"), pk=pk, recipient=user)


@permission_required("claims.view_claim", raise_exception=True)
def inbox(request):
    """What the user was told, newest first, a page at a time; the unread ones marked."""
    notifications = Notification.objects.for_inbox(request.user)
    page = keyset.page_for(
        request, notifications, field="created_at", descending=True, size=INBOX_PAGE_SIZE
    )
    return render(request, "claims/inbox.html", {"page": page})


@require_POST
@permission_required("claims.view_claim", raise_exception=True)
def notification_open(request, pk: int):
    """Mark the notification read and go to its claim."""
    notification = _get_notification_for_user(request.user, pk)
    actions.open_notification(notification, by=request.user)
    return redirect(notification.claim)


@require_POST
@permission_required("claims.view_claim", raise_exception=True)
def inbox_read_all(request):
    count = actions.read_all_notifications(by=request.user)
    messages.success(request, f"Marked {count} notification{pluralize(count)} read.")
    return redirect("claims:inbox")


# Checked elsewhere: other organisations' fact-checks of the claim.


def _get_external_check_link_for_user(user, pk: int) -> ExternalCheckLink:
    # Links are read by every signed-in role and changed by the desk; decorators refuse the rest.
    return get_object_or_404(ExternalCheckLink.objects.select_related("claim"), pk=pk)


@require_POST
@permission_required("claims.add_externalchecklink", raise_exception=True)
def external_check_link(request, pk: int):
    """Link the claim to an external fact-check given by its number or URL."""
    claim = _get_claim_for_user(request.user, pk)
    form = ExternalCheckLinkForm(request.POST)
    if form.is_valid():
        check = form.cleaned_data["external_check"]
        try:
            actions.link_external_check(claim, check, by=request.user)
        except actions.Invalid as error:
            _add_error(form, error)
        except actions.Refused as error:
            return _refused(request, claim, error)
        else:
            messages.success(request, f"Linked: {check.checked_line}.")
            return redirect(f"{claim.get_absolute_url()}#checked-elsewhere")
    # The whole page comes back, with the form as it was typed and why it was refused.
    context = {**claim_page_context(request, claim), **external_checks_context(claim, form)}
    return render(request, "claims/claim_detail.html", context, status=400)


@require_POST
@permission_required("claims.delete_externalchecklink", raise_exception=True)
def external_check_unlink(request, pk: int):
    link = _get_external_check_link_for_user(request.user, pk)
    try:
        actions.unlink_external_check(link, by=request.user)
    except actions.Refused as error:
        return _refused(request, link.claim, error)
    messages.success(request, "The external fact-check is no longer linked to this claim.")
    return redirect(f"{link.claim.get_absolute_url()}#checked-elsewhere")
