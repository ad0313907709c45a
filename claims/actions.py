"""Every write to claims, claimants, tags, mentions and evidence, and the steps of the review.

Each action checks the user's right, locks the claim (always first, so two actions on one claim
queue up instead of deadlocking), checks the version the user saw (lib.versioning), checks the
claim's state (published means frozen), writes, computes the derived data once (the counters
and the search document), and says who did it and why in the history. Views, the admin and the
management commands call these; nothing else writes these rows.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from articles import actions as article_actions
from articles.models import Article
from lib.text import INVALID_CODE_POINT
from lib.versioning import lock_for_edit, save_first_version, save_new_version
from sources import actions as register
from sources.models import ExternalFactCheck, Source
from sources.urlnorm import InvalidURL, url_key

from . import notifications, webhooks
from .anchoring import (
    APPROXIMATE,
    CONFIRM,
    PLACED,
    AnchorError,
    anchor_at,
    certain_anchor_from_selectors,
    place,
)
from .annotations import Incoming, in_code_points
from .history import MERGE_PREFIX, RETURNED_PREFIX, of_claim_and_merged
from .models import (
    COMMENT_MAX_LENGTH,
    EXCERPT_MAX_LENGTH,
    PING,
    STANCE_ADJECTIVES,
    Claim,
    Claimant,
    ClaimStatus,
    Comment,
    Evidence,
    ExternalCheckLink,
    Mention,
    MentionPlacement,
    Notification,
    NotificationKind,
    Publication,
    Rating,
    Stance,
    Tag,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)


class Refused(Exception):
    """The action is not possible now (the claim's state); the message says why. Nothing changed."""

    status = 409

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field  # the form field the message belongs to, if any


class NoRight(Refused):
    """The user lacks the right to do this, or to do it to this claim (the four-eyes rule)."""

    status = 403


class Invalid(Refused):
    """What was asked for cannot be stored: a duplicate, a missing note, a passage not found."""

    status = 400


def _require(user, *permissions: str, doing: str) -> None:
    if not user.has_perms(permissions):
        raise NoRight(f"You may not {doing}.")


def _lock(model, pk: int, seen_version: int | None = None, *, merged_ok: bool = False):
    """The row locked for this transaction, at the version the user saw (lib.versioning).

    A claim merged into another takes no more changes: the work goes on on its survivor.
    """
    try:
        row = lock_for_edit(model, pk, seen_version)
    except model.DoesNotExist:
        raise Refused(
            f"This {model._meta.verbose_name} was removed meanwhile. Reload the page."
        ) from None
    if model is Claim and row.is_merged and not merged_ok:
        raise Refused(
            f"This claim was merged into claim #{row.merged_into_id}: work on that one instead."
        )
    return row


def refuse_if_published(claim: Claim, what: str) -> None:
    """Published means frozen: raise Refused, naming what cannot change until it is reopened."""
    if claim.is_published:
        raise Refused(f"This fact-check is published: reopen it to change its {what}.")


def _rederive(claim_pk: int, *, counts: bool = True, search: bool = True) -> None:
    """The claim's derived data, computed once per action from the rows it now has."""
    claims = Claim.objects.filter(pk=claim_pk)
    if counts:
        claims.recount()
    if search:
        claims.refresh_search_documents()


def _claimant_named(name: str, *, kind: str = "", role: str = "") -> Claimant | None:
    """The claimant of that name (in any case), or a new one of the kind and role given.

    A known claimant keeps the kind and role on record: typing a name picks the claimant, and
    changing who they are is the claimant register's business.
    """
    name = " ".join(name.split())
    if not name:
        return None
    if known := Claimant.objects.filter(name__iexact=name).first():
        return known
    if kind and kind not in Claimant.Kind.values:
        raise Invalid("Choose whether the claimant is a person or an organisation.", field="kind")
    return Claimant.objects.create(
        name=name, kind=kind or Claimant.Kind.PERSON, description=" ".join(role.split())
    )


def parse_tags(text: str) -> list[str]:
    """Tag names typed as a comma-separated list, each once, in the order typed."""
    names = {}
    for name in text.split(","):
        if name := " ".join(name.split()):
            names.setdefault(name.casefold(), name)
    return list(names.values())


def _tags_named(names) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        tags.append(tag or Tag.objects.get_or_create(name=name)[0])
    return tags


# Claims and their mentions.

DOUBLE_SUBMIT_WINDOW = datetime.timedelta(minutes=5)


@transaction.atomic
def create_claim(
    *,
    text: str,
    claimant_name: str = "",
    claimant_kind: str = "",
    claimant_role: str = "",
    claimed_on=None,
    tags=(),
    by,
    reason: str = "",
) -> Claim:
    """A new claim in draft, written by `by`; a claimant not yet known is added."""
    claim = _new_claim(
        text=text,
        claimant_name=claimant_name,
        claimant_kind=claimant_kind,
        claimant_role=claimant_role,
        claimed_on=claimed_on,
        tags=tags,
        by=by,
        reason=reason,
    )
    _rederive(claim.pk, counts=False)
    return claim


def _new_claim(
    *, text, claimant_name, claimant_kind, claimant_role, claimed_on, tags, by, reason
) -> Claim:
    """create_claim but for the search document, which an action that goes on to add to the
    claim (tag_claim adds its mention) derives once, at its end."""
    _require(by, "claims.add_claim", doing="add claims")
    if not text.strip():
        raise Invalid("Write the claim.", field="text")
    claim = Claim(
        text=text.strip(),
        claimant=_claimant_named(claimant_name, kind=claimant_kind, role=claimant_role),
        claimed_on=claimed_on,
        created_by=by,
    )
    claim._history_user = by
    if reason:
        claim._change_reason = reason
    claim.save()
    if tags:
        claim.tags.set(_tags_named(tags))
    Claim.objects.filter(pk=claim.pk).refresh_embeddings()
    return claim


@transaction.atomic
def tag_claim(
    article: Article,
    *,
    start: int,
    end: int,
    text: str,
    claimant_name: str,
    claimed_on: datetime.date | None,
    claimant_kind: str = "",
    claimant_role: str = "",
    tags=(),
    external_check: ExternalFactCheck | None = None,
    by,
    reason: str = "",
) -> Mention:
    """Create a claim and its first mention at article.text[start:end]; with external_check,
    the new claim is linked to that fact-check in the same transaction.

    The same person tagging the same words as the same claim again within a few minutes is a
    double submit (two clicks, a retried request): they get the mention already made.
    """
    _require(by, "claims.add_claim", "claims.add_mention", doing="tag claims")
    # Tagging in one article is serialised, so two copies of a request cannot both miss the first.
    _lock(Article, article.pk)
    if repeated := _just_tagged(article, start=start, end=end, text=text, by=by):
        return repeated
    claim = _new_claim(
        text=text,
        claimant_name=claimant_name,
        claimant_kind=claimant_kind,
        claimant_role=claimant_role,
        claimed_on=claimed_on,
        tags=tags,
        by=by,
        reason=f"created the claim: {reason}" if reason else "",
    )
    # add_mention derives the claim's counts and search document, with the mention's words.
    mention = add_mention(claim, article, start=start, end=end, by=by, reason=reason)
    if external_check is not None:
        link_external_check(claim, external_check, by=by)
    return mention


def _just_tagged(article: Article, *, start: int, end: int, text: str, by) -> Mention | None:
    return (
        Mention.objects.filter(
            article=article,
            start=start,
            end=end,
            created_by=by,
            claim__created_by=by,
            claim__text=text.strip(),
            created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
        )
        .select_related("claim")
        .first()
    )


@transaction.atomic
def add_mention(
    claim: Claim, article: Article, *, start: int, end: int, by, reason: str = ""
) -> Mention:
    """Record one more place where an article states a claim; `reason` goes in the history."""
    _require(by, "claims.add_mention", doing="tag mentions")
    claim = _lock(Claim, claim.pk)
    refuse_if_published(claim, "mentions")
    try:
        anchor = anchor_at(article.text, start, end)
    except AnchorError as error:
        raise Invalid(str(error)) from error
    mention = Mention(
        claim=claim,
        article=article,
        start=anchor.start,
        end=anchor.end,
        quote=anchor.quote,
        created_by=by,
    )
    mention._history_user = by
    if reason:
        mention._change_reason = reason
    try:
        with transaction.atomic():
            mention.save()
    except IntegrityError:
        raise Invalid("This passage is already a mention of this claim.") from None
    _rederive(claim.pk)
    return mention


@transaction.atomic
def adjust_mention(mention: Mention, *, start: int, end: int, by, seen_version: int | None):
    """Move a mention to another span of its article (widened, narrowed, or placed again)."""
    _require(by, "claims.change_mention", doing="adjust mentions")
    claim = _lock(Claim, mention.claim_id)
    mention = _lock(Mention, mention.pk, seen_version)
    refuse_if_published(claim, "mentions")
    try:
        anchor = anchor_at(mention.article.text, start, end)
    except AnchorError as error:
        raise Invalid(str(error)) from error
    mention.move_to(anchor)
    mention.orphaned = False
    # Placed by a person: no longer held or waiting for a check.
    mention.placement, mention.placement_reason, mention.previous_quote = "", "", ""
    mention.candidates = []
    try:
        with transaction.atomic():
            save_new_version(mention, by=by)
    except IntegrityError:
        raise Invalid("That passage is already a mention of this claim.") from None
    _rederive(claim.pk, counts=False)
    return mention


@transaction.atomic
def delete_mention(mention: Mention, *, by, seen_version: int | None) -> None:
    """Remove one place where an article states a claim; the claim itself stays."""
    _require(by, "claims.delete_mention", doing="remove mentions")
    claim = _lock(Claim, mention.claim_id)
    mention = _lock(Mention, mention.pk, seen_version)
    refuse_if_published(claim, "mentions")
    mention._history_user = by
    mention.delete()
    _rederive(claim.pk)


# Annotations made elsewhere (W3C Web Annotations, Hypothesis), landing as mentions.


@dataclass
class AnnotationImport:
    """What an import of annotations did, one line per annotation, by outcome."""

    placed: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    not_placed: list[str] = field(default_factory=list)  # the passage is not certainly there
    refused: list[str] = field(default_factory=list)  # anything else that stopped it

    def add(self, outcome: str, label: str, what: str) -> None:
        # Labels and reasons quote the file, which may hold what a page cannot show.
        line = INVALID_CODE_POINT.sub("\ufffd", f"{label}: {what}")
        getattr(self, outcome).append(line)

    def summary(self) -> str:
        return (
            f"Placed: {len(self.placed)}; already present: {len(self.already_present)}; "
            f"not placed: {len(self.not_placed)}; refused: {len(self.refused)}."
        )


def _annotates(article: Article, record: Incoming) -> bool:
    """Whether an annotation is about this article: our page of it, or its canonical URL.

    One that names no document is taken as being about the article it is imported into.
    """
    if record.article_id is not None:
        return record.article_id == article.pk
    if not record.source:
        return True
    try:
        return bool(article.url) and url_key(record.source) == url_key(article.url)
    except InvalidURL:
        return False


@transaction.atomic
def import_annotations(
    article: Article, records: list[Incoming], *, by, file_name: str = ""
) -> AnnotationImport:
    """Each annotation read from a file (claims.annotations) as a mention of this article.

    A passage is placed only where it certainly is (anchoring.certain_anchor_from_selectors);
    otherwise nothing is stored for it and the report says why. An annotation naming one of our
    claims adds a mention to it; any other makes a new draft claim of its text. A mention of
    the same claim (or of a claim with the same words) at the same span is already present, so
    importing a file twice adds nothing the second time. All in one transaction.
    """
    _require(by, "claims.add_claim", "claims.add_mention", doing="import annotations")
    article = _lock(Article, article.pk)
    report = AnnotationImport()
    named = INVALID_CODE_POINT.sub("", file_name)[:100]
    reason = f"imported a mention in “{article}” from {f'“{named}”' if named else 'a file'}"
    for record in records:
        label = record.label
        if record.problem:
            report.add("refused", label, record.problem)
            continue
        if not _annotates(article, record):
            report.add("refused", label, f"it annotates another document ({record.source}).")
            continue
        try:
            selectors = record.selectors
            if record.utf16:
                selectors = list(in_code_points(article.text, selectors))
            anchor = certain_anchor_from_selectors(article.text, selectors)
        except AnchorError as error:
            report.add("not_placed", label, str(error))
            continue
        made = ", ".join(part for part in (record.author, record.made) if part)
        why = INVALID_CODE_POINT.sub("", f"{reason} (annotated by {made})" if made else reason)
        here = Mention.objects.filter(article=article, start=anchor.start, end=anchor.end)
        span = f"“{notifications.short(anchor.quote)}” ({anchor.start}–{anchor.end})"
        try:
            if record.claim_id is not None:
                claim = Claim.objects.filter(pk=record.claim_id).first()
                while claim is not None and claim.is_merged:
                    claim = claim.merged_into
                if claim is None:
                    report.add("refused", label, f"it names claim #{record.claim_id}, not here.")
                elif here.filter(claim=claim).exists():
                    report.add("already_present", label, f"{span} of claim #{claim.pk}")
                else:
                    add_mention(
                        claim, article, start=anchor.start, end=anchor.end, by=by, reason=why
                    )
                    report.add("placed", label, f"{span} as a mention of claim #{claim.pk}")
            elif existing := here.filter(claim__text=record.text).first():
                report.add("already_present", label, f"{span} of claim #{existing.claim_id}")
            else:
                mention = tag_claim(
                    article,
                    start=anchor.start,
                    end=anchor.end,
                    text=record.text,
                    claimant_name="",
                    claimed_on=article.published_on,
                    tags=record.tags,
                    by=by,
                    reason=why,
                )
                report.add("placed", label, f"{span} as new claim #{mention.claim_id}")
        except Refused as refused:
            report.add("refused", label, str(refused))
    return report


@transaction.atomic
def edit_claim(
    claim: Claim,
    *,
    text: str,
    claimant_name: str,
    claimed_on: datetime.date | None,
    tags=None,
    by,
    seen_version: int | None,
) -> Claim:
    """Change the claim's wording, claimant, date and (unless None) its tags."""
    _require(by, "claims.change_claim", doing="edit claims")
    claim = _lock(Claim, claim.pk, seen_version)
    refuse_if_published(claim, "text, claimant, date or tags")
    if not text.strip():
        raise Invalid("Write the claim.", field="text")
    reworded = claim.text != text.strip()
    claim.text, claim.claimed_on = text.strip(), claimed_on
    claim.claimant = _claimant_named(claimant_name)
    save_new_version(claim, by=by)
    if tags is not None:
        claim.tags.set(_tags_named(tags))
    _rederive(claim.pk, counts=False)
    if reworded:
        Claim.objects.filter(pk=claim.pk).refresh_embeddings()
    return claim


@transaction.atomic
def delete_claim(claim: Claim, *, by) -> None:
    """Delete a claim that was never published (a public record is never deleted)."""
    _require(by, "claims.delete_claim", doing="delete claims")
    claim = _lock(Claim, claim.pk)
    if claim.is_published or claim.publications.exists():
        raise Refused("This claim's verdict was published: a public record is not deleted.")
    if claim.absorbed.exists():
        raise Refused(
            "Other claims were merged into this one: it is kept, so their links lead here."
        )
    for row in [*claim.mentions.all(), *claim.evidence.all()]:
        row._history_user = by
        row.delete()
    claim._history_user = by
    claim.delete()


def embed_claims(claims) -> int:
    """Store the matcher's vectors of these claims afresh (the backfill; derived data, no history).

    Each claim is locked while its vector is replaced, so an edit saved meanwhile is not undone
    by a vector of its old words: the edit waits, then embeds its own.
    """
    with transaction.atomic():
        pks = list(
            Claim.objects.filter(pk__in=claims).select_for_update().values_list("pk", flat=True)
        )
        return Claim.objects.filter(pk__in=pks).refresh_embeddings()


# Evidence.


def _duplicate_message(source: Source, stance: str) -> str:
    return (
        f"“{source.title}” is already {STANCE_ADJECTIVES[stance]} evidence for this claim. "
        "Edit that item instead, or choose another stance."
    )


def _check_evidence_fields(stance: str, excerpt: str) -> None:
    if stance not in Stance.values:
        raise Invalid("Choose a stance: supports, contradicts or context.", field="stance")
    if len(excerpt) > EXCERPT_MAX_LENGTH:
        raise Invalid(
            f"Ensure the excerpt has at most {EXCERPT_MAX_LENGTH} characters.", field="excerpt"
        )


@transaction.atomic
def add_evidence(
    claim: Claim,
    *,
    source: Source | str,
    stance: str,
    excerpt: str,
    note: str,
    by,
    title: str = "",
    type: str = "",
) -> Evidence:
    """Link a source to a claim; `source` may be the normalised URL of a source to add.

    A new source gets the title and type given, and its details (title if none was given,
    date, a snapshot) are fetched in the background once the evidence is stored.
    """
    _require(by, "claims.add_evidence", doing="add evidence")
    if isinstance(source, str):
        _require(by, "sources.add_source", doing="add a source to the register")
    claim = _lock(Claim, claim.pk)
    refuse_if_published(claim, "evidence")
    _check_evidence_fields(stance, excerpt)
    if isinstance(source, str):
        try:
            source = register.add_source(
                by=by, url=source, title=title, type=type, reason="Added as evidence"
            )
        except register.DuplicateSource as duplicate:
            source = duplicate.existing  # someone added the same document a moment ago
        else:
            # After the commit: the fetch is for a source that exists, and the page does not
            # wait on it. The fetch never overwrites a title a person gave (_fill_in).
            added = source
            transaction.on_commit(lambda: register.request_fetch(added, by=by), robust=True)
    if Evidence.objects.filter(claim=claim, source=source, stance=stance).exists():
        raise Invalid(_duplicate_message(source, stance), field="source")
    evidence = Evidence(
        claim=claim, source=source, stance=stance, excerpt=excerpt, note=note, added_by=by
    )
    evidence._history_user = by
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:
        # The same item, sent twice at once: the first is stored, the second is told.
        raise Invalid(_duplicate_message(source, stance), field="source") from None
    _rederive(claim.pk, search=False)
    webhooks.announce(WebhookEvent.EVIDENCE_ADDED, claim, by=by, evidence=evidence)
    return evidence


@transaction.atomic
def edit_evidence(
    evidence: Evidence, *, stance: str, excerpt: str, note: str, by, seen_version: int | None
) -> Evidence:
    """Change an item's stance, excerpt or note."""
    _require(by, "claims.change_evidence", doing="edit evidence")
    claim = _lock(Claim, evidence.claim_id)
    evidence = _lock(Evidence, evidence.pk, seen_version)
    refuse_if_published(claim, "evidence")
    _check_evidence_fields(stance, excerpt)
    duplicate = Evidence.objects.filter(
        claim=evidence.claim_id, source=evidence.source_id, stance=stance
    ).exclude(pk=evidence.pk)
    message = "This source is already evidence with that stance."
    if duplicate.exists():
        raise Invalid(message, field="stance")
    evidence.stance, evidence.excerpt, evidence.note = stance, excerpt, note
    try:
        with transaction.atomic():
            save_new_version(evidence, by=by)
    except IntegrityError:
        raise Invalid(message, field="stance") from None
    _rederive(claim.pk, search=False)
    return evidence


@transaction.atomic
def remove_evidence(evidence: Evidence, *, by, seen_version: int | None) -> None:
    """Unlink a source from a claim; the source stays in the register."""
    _require(by, "claims.delete_evidence", doing="remove evidence")
    claim = _lock(Claim, evidence.claim_id)
    evidence = _lock(Evidence, evidence.pk, seen_version)
    refuse_if_published(claim, "evidence")
    evidence._history_user = by
    evidence.delete()
    _rederive(claim.pk, search=False)


# Checked elsewhere: links from a claim to other organisations' fact-checks of it.


@transaction.atomic
def link_external_check(
    claim: Claim, external_check: ExternalFactCheck, *, by
) -> ExternalCheckLink:
    """Record that another organisation has checked this claim; once per claim and check."""
    _require(by, "claims.add_externalchecklink", doing="link claims to external fact-checks")
    claim = _lock(Claim, claim.pk)
    refuse_if_published(claim, "links to external fact-checks")
    message = f"This claim is already linked to that fact-check: {external_check.checked_line}."
    if ExternalCheckLink.objects.filter(claim=claim, external_check=external_check).exists():
        raise Invalid(message, field="external_check")
    link = ExternalCheckLink(claim=claim, external_check=external_check, linked_by=by)
    link._history_user = by
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        raise Invalid(message, field="external_check") from None  # the same link sent twice
    return link


@transaction.atomic
def unlink_external_check(link: ExternalCheckLink, *, by) -> None:
    """Remove a link from a claim to an external fact-check; the fact-check stays."""
    _require(by, "claims.delete_externalchecklink", doing="unlink external fact-checks")
    claim = _lock(Claim, link.claim_id)
    refuse_if_published(claim, "links to external fact-checks")
    link = _lock(ExternalCheckLink, link.pk)
    link._history_user = by
    link.delete()


# Claimants and tags: shared by many claims, so a rename re-indexes every claim that uses it.


@transaction.atomic
def save_claimant(
    claimant: Claimant | None, *, name: str, kind: str, description: str, by
) -> Claimant:
    """Add a claimant (claimant None) or change one."""
    adding = claimant is None
    _require(by, f"claims.{'add' if adding else 'change'}_claimant", doing="edit claimants")
    if not name.strip():
        raise Invalid("A claimant needs a name.", field="name")
    claimant = Claimant() if adding else Claimant.objects.select_for_update().get(pk=claimant.pk)
    renamed = claimant.name != name.strip()
    claimant.name, claimant.kind, claimant.description = name.strip(), kind, description
    try:
        with transaction.atomic():
            claimant.full_clean()
            claimant.save()
    except (IntegrityError, ValidationError) as error:
        raise Invalid(f"“{name}” cannot be saved: {error}", field="name") from None
    if renamed and not adding:
        Claim.objects.filter(claimant=claimant).refresh_search_documents()
    return claimant


@transaction.atomic
def delete_claimant(claimant: Claimant, *, by) -> None:
    _require(by, "claims.delete_claimant", doing="delete claimants")
    if claimant.claims.exists():
        raise Refused(f"“{claimant}” made claims on record: it is not deleted.")
    claimant.delete()


@transaction.atomic
def save_tag(tag: Tag | None, *, name: str, by) -> Tag:
    """Add a tag (tag None) or rename one."""
    adding = tag is None
    _require(by, f"claims.{'add' if adding else 'change'}_tag", doing="edit tags")
    name = " ".join(name.split())
    if not name:
        raise Invalid("A tag needs a name.", field="name")
    tag = Tag() if adding else Tag.objects.select_for_update().get(pk=tag.pk)
    tag.name = name
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError:
        raise Invalid(f"There is already a tag “{name}”.", field="name") from None
    if not adding:
        Claim.objects.filter(tags=tag).refresh_search_documents()
    return tag


@transaction.atomic
def delete_tag(tag: Tag, *, by) -> None:
    """Delete a tag, unless a published fact-check carries it (published means frozen)."""
    _require(by, "claims.delete_tag", doing="delete tags")
    if tag.claims.filter(status=ClaimStatus.PUBLISHED).exists():
        raise Refused(f"Published fact-checks carry “{tag}”: reopen them to change their tags.")
    claims = list(tag.claims.values_list("pk", flat=True))
    tag.delete()
    Claim.objects.filter(pk__in=claims).refresh_search_documents()


@dataclass(frozen=True)
class RevisionOutcome:
    """What an edit of an article's text did to its mentions."""

    placed: int = 0  # moved by themselves, with their exact words
    to_check: int = 0  # moved to slightly edited words; listed for a look
    held: int = 0  # not moved: a person picks a place, or leaves it orphaned
    orphaned: int = 0  # nothing like their words is left

    def summary(self) -> str:
        return (
            f"Mentions moved with their words: {self.placed}; moved to edited words, to check: "
            f"{self.to_check}; waiting for you to confirm a place: {self.held}; orphaned: "
            f"{self.orphaned}."
        )


@transaction.atomic
def revise_article_text(
    article: Article, new_text: str, *, seen_version: int | None, by
) -> RevisionOutcome:
    """Save an edited text (the old one kept as a revision) and move each mention, never guessing.

    A mention moves by itself only when its words certainly are in the new text
    (claims.anchoring.place). A move to slightly edited words is listed for a check; on a
    published claim it is held instead, since a published quote changes only when a person
    decides. Every other mention waits for a person, with the candidate places, or is orphaned.
    """
    article = article_actions.revise_text(article, new_text, seen_version=seen_version, by=by)
    counts = dict.fromkeys(["placed", "to_check", "held", "orphaned"], 0)
    touched = set()
    mentions = Mention.objects.select_for_update().select_related("claim")
    for mention in mentions.filter(article=article, orphaned=False):
        mention.article = article
        # A held mention was not moved: it is looked for again by its words before the edit.
        result = place(article.text, mention.anchor)
        published = mention.claim.is_published
        if result.kind == PLACED:
            mention.move_to(result.anchor)
            mention.placement, mention.previous_quote, mention.candidates = "", "", []
            outcome, reason = "placed", "Moved with the article's text"
        elif result.kind == APPROXIMATE and not published:
            mention.previous_quote = mention.previous_quote or mention.quote
            mention.move_to(result.anchor)
            mention.placement, mention.candidates = MentionPlacement.APPROXIMATE, []
            outcome, reason = "to_check", f"Moved to edited words: {result.reason}"
        elif result.kind in (APPROXIMATE, CONFIRM):
            places = result.candidates or (result.anchor,)
            mention.previous_quote = mention.previous_quote or mention.quote
            mention.placement = MentionPlacement.CONFIRM
            mention.candidates = [[place.start, place.end] for place in places]
            outcome, reason = "held", f"Held for confirmation: {result.reason}"
        else:
            mention.orphaned = True
            mention.placement, mention.candidates = "", []
            outcome, reason = "orphaned", f"Orphaned: {result.reason}"
        mention.placement_reason = result.reason if outcome != "placed" else ""
        counts[outcome] += 1
        save_new_version(mention, by=by, reason=reason)
        touched.add(mention.claim_id)
    # Quotes may have changed (typography, a typo fixed): search reads them.
    Claim.objects.filter(pk__in=touched).refresh_search_documents()
    return RevisionOutcome(**counts)


@transaction.atomic
def confirm_mention(mention: Mention, *, choice: str, by, seen_version: int | None) -> Mention:
    """A person decides where a held or approximately moved mention goes.

    `choice` is the index of one of its candidate places, "keep" (an approximate move is right)
    or "orphan" (none of them: it stays listed beside the text until tagged again or removed).
    """
    _require(by, "claims.change_mention", doing="place mentions")
    claim = _lock(Claim, mention.claim_id)
    mention = _lock(Mention, mention.pk, seen_version)
    refuse_if_published(claim, "mentions")
    if choice == "orphan":
        mention.orphaned, reason = True, "Left orphaned by a person"
    elif choice == "keep" and mention.placement == MentionPlacement.APPROXIMATE:
        reason = f"Confirmed the move from “{mention.previous_quote[:80]}”"
    elif choice.isdigit() and int(choice) < len(mention.candidates):
        start, end = mention.candidates[int(choice)]
        try:
            mention.move_to(anchor_at(mention.article.text, start, end))
        except AnchorError as error:
            raise Invalid(str(error)) from error
        reason = f"Placed by a person at “{mention.quote[:80]}”"
    else:
        raise Invalid("Choose one of the places offered, or leave the mention orphaned.")
    mention.placement, mention.placement_reason, mention.candidates = "", "", []
    mention.previous_quote = ""
    try:
        with transaction.atomic():
            save_new_version(mention, by=by, reason=reason)
    except IntegrityError:
        raise Invalid("That passage is already a mention of this claim.") from None
    _rederive(claim.pk, counts=False)
    return mention


# The review workflow. Every step locks the claim's row, checks the version the user saw and
# the state it starts from, and saves with a reason that the history shows in plain words.

STEPS = {
    # step: (states it may start from, state it leads to)
    "submit": ({ClaimStatus.DRAFT}, ClaimStatus.SUBMITTED),
    "start_review": ({ClaimStatus.SUBMITTED}, ClaimStatus.IN_REVIEW),
    "assign": ({ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW}, ClaimStatus.IN_REVIEW),
    "return_to_researcher": ({ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW}, ClaimStatus.DRAFT),
    "publish": ({ClaimStatus.IN_REVIEW}, ClaimStatus.PUBLISHED),
    "reopen": ({ClaimStatus.PUBLISHED}, ClaimStatus.IN_REVIEW),
}
STEP_NAMES = {
    "submit": "Submit for review",
    "start_review": "Start review",
    "assign": "Assign to another reviewer",
    "return_to_researcher": "Return to researcher",
    "publish": "Publish verdict",
    "reopen": "Reopen",
}
WAIVED = " (four-eyes rule waived by an administrator)"


def reviewers():
    """Everyone who may review: members of a group with the right, or given it, or admins."""
    permission = Permission.objects.filter(
        codename="review_claim", content_type__app_label="claims"
    )
    return (
        User.objects.filter(
            Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
            | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def may_take(user, step: str) -> bool:
    if step == "submit":
        return user.has_perm("claims.change_claim")
    return user.has_perm("claims.review_claim")


def contributions(claim: Claim) -> dict[int, str]:
    """Who wrote part of this claim, read from the history: user id → what they did.

    Writing means creating the claim or changing its text, claimant or date; tagging a mention
    or changing its passage (a mention moved with its article's text is not rewritten), even if
    the mention is gone since; adding, changing or removing evidence. A claim merged into this
    one counts as part of it: whoever wrote it, or its mentions and evidence, wrote part of this
    one. Moving rows in a merge is not writing them (as moving with the text is not). Three
    queries.
    """
    found: dict[int, str] = {}

    def note(user_id, what):
        if user_id is not None:
            found.setdefault(user_id, what)

    note(claim.created_by_id, "created this claim")
    previous = {}
    for record in (
        Claim.history.filter(of_claim_and_merged(claim.pk, "id"))
        .order_by("history_date", "history_id")
        .values("id", "history_user_id", "history_type", "text", "claimant_id", "claimed_on")
    ):
        before = previous.get(record["id"])
        if record["history_type"] == "+":
            what = (
                "created this claim" if record["id"] == claim.pk else "wrote a claim merged into it"
            )
            note(record["history_user_id"], what)
        elif before is not None and any(
            record[field] != before[field] for field in ("text", "claimant_id", "claimed_on")
        ):
            note(record["history_user_id"], "changed its wording, claimant or date")
        previous[record["id"]] = record
    quotes: dict[int, str] = {}
    for record in (
        Mention.history.filter(of_claim_and_merged(claim.pk))
        .order_by("history_date", "history_id")
        .values(
            "id",
            "history_user_id",
            "history_type",
            "created_by_id",
            "quote",
            "history_change_reason",
        )
    ):
        note(record["created_by_id"], "tagged one of its mentions")
        moved_only = (
            record["history_type"] == "~" and quotes.get(record["id"]) == record["quote"]
        ) or (record["history_change_reason"] or "").startswith(MERGE_PREFIX)
        if not moved_only:
            note(record["history_user_id"], "tagged, changed or removed one of its mentions")
        quotes[record["id"]] = record["quote"]
    for user_id, added_by, why in (
        Evidence.history.filter(of_claim_and_merged(claim.pk))
        .values_list("history_user_id", "added_by_id", "history_change_reason")
        .distinct()
    ):
        note(added_by, "added some of its evidence")
        if not (why or "").startswith(MERGE_PREFIX):
            note(user_id, "added, changed or removed some of its evidence")
    return found


def four_eyes_refusal(claim: Claim, user, contributors: dict[int, str] | None = None) -> str:
    """Why this user may not publish this claim's verdict, or '' if they may.

    A reviewer publishes only a claim assigned to them (or to nobody) that they never wrote any
    part of. Administrators may publish anyway; publish_verdict says so in the history.
    """
    if user.is_superuser:
        return ""
    return _four_eyes_reason(claim, user, contributors)


def _four_eyes_reason(claim: Claim, user, contributors: dict[int, str] | None) -> str:
    if claim.reviewer_id and claim.reviewer_id != user.pk:
        return (
            f"This claim is assigned to {claim.reviewer.get_username()}: only they may publish "
            "its verdict, or whoever it is assigned to next."
        )
    contributors = contributions(claim) if contributors is None else contributors
    if what := contributors.get(user.pk):
        return f"Four-eyes rule: you {what}, so another reviewer must publish its verdict."
    return ""


def review_refusal(claim: Claim, user, contributors: dict[int, str] | None = None) -> str:
    """Why this user may not take this claim for review, or '' if they may."""
    if user.is_superuser:
        return ""
    contributors = contributions(claim) if contributors is None else contributors
    if what := contributors.get(user.pk):
        return f"Four-eyes rule: you {what}, so another reviewer must review it."
    return ""


def allowed_steps(claim: Claim, user, contributors: dict[int, str] | None = None) -> list[str]:
    """The steps this user may take on the claim now, for showing the right buttons."""
    steps = [
        step
        for step, (starts, _) in STEPS.items()
        if claim.status in starts and may_take(user, step)
    ]
    if "publish" in steps or "start_review" in steps:
        contributors = contributions(claim) if contributors is None else contributors
        if "publish" in steps and four_eyes_refusal(claim, user, contributors):
            steps.remove("publish")
        if "start_review" in steps and review_refusal(claim, user, contributors):
            steps.remove("start_review")
    return steps


def _writers(claim: Claim, contributors: dict[int, str] | None = None) -> list[User]:
    """Who wrote part of the claim (its creator first): they hear of its return and verdict."""
    contributors = contributions(claim) if contributors is None else contributors
    ids = {claim.created_by_id, *contributors} - {None}
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _begin(claim: Claim, step: str, by, seen_version: int | None) -> Claim:
    """The claim, locked for this transaction, once the step is allowed on it."""
    starts, _ = STEPS[step]
    if not may_take(by, step):
        raise NoRight(f"You may not “{STEP_NAMES[step]}”.")
    locked = _lock(Claim, claim.pk, seen_version)
    if locked.status not in starts:
        raise Refused(
            f"“{STEP_NAMES[step]}” is not possible: the claim is "
            f"{locked.get_status_display().lower()}."
        )
    return locked


def _finish(claim: Claim, step: str, by, reason: str) -> Claim:
    claim.status = STEPS[step][1]
    save_new_version(claim, by=by, reason=reason)
    return claim


@transaction.atomic
def submit_for_review(claim: Claim, *, by, seen_version: int | None = None) -> Claim:
    claim = _begin(claim, "submit", by, seen_version)
    claim.submitted_at = timezone.now()
    _finish(claim, "submit", by, "Submitted for review")
    # The reviewer it is assigned to, if any; otherwise every reviewer may take it.
    notifications.notify(
        claim,
        NotificationKind.SUBMITTED,
        actor=by,
        recipients=[claim.reviewer] if claim.reviewer_id else reviewers(),
        text=f"{by.get_username()} submitted “{notifications.short(claim.text)}” for review",
    )
    webhooks.announce(WebhookEvent.CLAIM_SUBMITTED, claim, by=by)
    return claim


@transaction.atomic
def start_review(claim: Claim, *, by, seen_version: int | None = None) -> Claim:
    """A reviewer takes a submitted claim, unless they wrote part of it."""
    claim = _begin(claim, "start_review", by, seen_version)
    if refusal := review_refusal(claim, by):
        raise NoRight(refusal)
    claim.reviewer = by
    return _finish(claim, "start_review", by, "Started review")


@transaction.atomic
def assign_reviewer(claim: Claim, *, reviewer, by, seen_version: int | None = None) -> Claim:
    """Give a submitted claim, or one in review, to a reviewer who wrote no part of it."""
    claim = _begin(claim, "assign", by, seen_version)
    if reviewer is None or not reviewers().filter(pk=reviewer.pk).exists():
        raise Invalid("Choose a reviewer from the list.", field="reviewer")
    if claim.status == ClaimStatus.IN_REVIEW and claim.reviewer_id == reviewer.pk:
        raise Invalid(f"The claim is already assigned to {reviewer.get_username()}.")
    if not reviewer.is_superuser and (what := contributions(claim).get(reviewer.pk)):
        who = "you" if reviewer == by else reviewer.get_username()
        raise Invalid(
            f"Four-eyes rule: {who} {what.replace('its ', 'the claim’s ')}, so choose "
            "another reviewer.",
            field="reviewer",
        )
    claim.reviewer = reviewer
    reason = f"Assigned to {reviewer.get_username()} by {by.get_username()}"
    _finish(claim, "assign", by, reason)
    notifications.notify(
        claim,
        NotificationKind.ASSIGNED,
        actor=by,
        recipients=[reviewer],
        text=f"{by.get_username()} assigned “{notifications.short(claim.text)}” to you",
    )
    return claim


@transaction.atomic
def return_to_researcher(claim: Claim, *, by, note: str, seen_version: int | None = None) -> Claim:
    if not note.strip():
        raise Invalid("Say what the researcher should do: the note is required.", field="note")
    claim = _begin(claim, "return_to_researcher", by, seen_version)
    claim.reviewer = None
    _finish(claim, "return_to_researcher", by, f"{RETURNED_PREFIX}{note.strip()}")
    notifications.notify(
        claim,
        NotificationKind.RETURNED,
        actor=by,
        recipients=_writers(claim),
        text=f"{by.get_username()} returned “{notifications.short(claim.text)}”: "
        f"{notifications.short(note, 200)}",
    )
    return claim


NO_EVIDENCE = (
    "This claim has no evidence. Add evidence first, or tick “Publish without evidence” "
    "to publish the verdict on its rationale alone."
)


@transaction.atomic
def publish_verdict(
    claim: Claim,
    *,
    by,
    rating: Rating,
    rationale: str,
    as_of: datetime.date,
    seen_version: int | None = None,
    without_evidence: bool = False,
) -> Claim:
    """Publish the verdict: the claim freezes and the public reads a new Publication.

    A claim with no evidence is published only when the reviewer says so (`without_evidence`):
    a verdict on reasoning alone must be a choice, never an oversight.
    """
    claim = _begin(claim, "publish", by, seen_version)
    # Read once: publishing writes none of the claim, so its writers are the same afterwards.
    contributors = contributions(claim)
    reason = _four_eyes_reason(claim, by, contributors)
    if reason and not by.is_superuser:
        raise NoRight(reason)
    if not rationale.strip():
        raise Invalid("A verdict needs a rationale.", field="rationale")
    if not without_evidence and not Evidence.objects.filter(claim=claim).exists():
        raise Invalid(NO_EVIDENCE, field="without_evidence")
    claim.rating, claim.rationale, claim.verdict_as_of = rating, rationale.strip(), as_of
    claim.reviewer = by
    claim.published_at, claim.reopened_at = timezone.now(), None
    publication = _record_publication(claim, by)
    if publication.number == 1:
        history = f"Published verdict: {rating.label}"
    else:
        history = f"Published update {publication.number}: " + "; ".join(publication.change_list)
    if reason:
        history += WAIVED
    _finish(claim, "publish", by, history)
    notifications.notify(
        claim,
        NotificationKind.PUBLISHED,
        actor=by,
        recipients=_writers(claim, contributors),
        text=f"{by.get_username()} published the verdict “{rating.label}” on "
        f"“{notifications.short(claim.text)}”",
    )
    webhooks.announce(WebhookEvent.CLAIM_PUBLISHED, claim, by=by)
    return claim


@transaction.atomic
def reopen(claim: Claim, *, by, note: str, seen_version: int | None = None) -> Claim:
    """Back to review when new evidence arrives; the public keeps the verdict last published."""
    if not note.strip():
        raise Invalid("Say why the claim is reopened: the note is required.", field="note")
    claim = _begin(claim, "reopen", by, seen_version)
    claim.reviewer = by
    claim.reopened_at = timezone.now()
    _finish(claim, "reopen", by, f"Reopened: {note.strip()}")
    webhooks.announce(WebhookEvent.CLAIM_REOPENED, claim, by=by)
    return claim


# Merging duplicates: one claim tagged twice becomes one, its mentions, evidence, discussion
# and tags on the survivor, and the other a redirect to it. Nothing is deleted but what the
# survivor already holds; every row moved or dropped says so in its history.


def _written(evidence: Evidence) -> int:
    """How much a person wrote on an evidence item: of two citing one source, the fuller wins."""
    return len(evidence.excerpt.strip()) + len(evidence.note.strip())


@dataclass
class MergePlan:
    """What merging `duplicate` into `survivor` does; the confirmation page shows its counts."""

    survivor: Claim
    duplicate: Claim
    mentions: list[Mention]  # move to the survivor
    mentions_already_there: list[Mention]  # the survivor marks the same passage: dropped
    evidence: list[Evidence]  # move to the survivor (including those that replace its own)
    # Both cite one source with one stance: (the item dropped, the item kept), fuller kept.
    evidence_kept: list[tuple[Evidence, Evidence]]  # the survivor's item kept
    evidence_replaced: list[tuple[Evidence, Evidence]]  # the duplicate's item kept
    comments: int
    new_tags: list[Tag]
    earlier_merges: list[int]  # claims merged into the duplicate before: now redirect here

    @property
    def evidence_moving(self) -> int:
        return len(self.evidence) - len(self.evidence_replaced)

    def summary(self) -> str:
        parts = [
            f"{len(self.mentions)} mention{pluralize(len(self.mentions))} moved",
            f"{self.evidence_moving} evidence item{pluralize(self.evidence_moving)} moved",
        ]
        if self.mentions_already_there:
            parts.append(f"{len(self.mentions_already_there)} mention(s) already here dropped")
        if self.evidence_kept:
            parts.append(
                f"{len(self.evidence_kept)} item(s) citing the same source kept from "
                f"#{self.survivor.pk} ({', '.join(e.source.title for _, e in self.evidence_kept)})"
            )
        if self.evidence_replaced:
            parts.append(
                f"{len(self.evidence_replaced)} item(s) citing the same source taken from "
                f"#{self.duplicate.pk}, which had more written "
                f"({', '.join(e.source.title for _, e in self.evidence_replaced)})"
            )
        if self.comments:
            parts.append(f"{self.comments} comment{pluralize(self.comments)} moved")
        if self.new_tags:
            parts.append(f"tags added: {', '.join(tag.name for tag in self.new_tags)}")
        if self.earlier_merges:
            parts.append(
                "earlier merged here: " + ", ".join(f"#{pk}" for pk in self.earlier_merges)
            )
        return "; ".join(parts)


def plan_merge(survivor: Claim, duplicate: Claim) -> MergePlan:
    """What a merge would move, drop and keep, read in six queries whatever the claims hold."""
    spans = set(Mention.objects.filter(claim=survivor).values_list("article_id", "start", "end"))
    mentions, already_there = [], []
    for mention in Mention.objects.filter(claim=duplicate).select_related("article"):
        there = (mention.article_id, mention.start, mention.end) in spans
        (already_there if there else mentions).append(mention)
    cited = {
        (item.source_id, item.stance): item
        for item in Evidence.objects.filter(claim=survivor).select_related("source")
    }
    evidence, kept, replaced = [], [], []
    for item in Evidence.objects.filter(claim=duplicate).select_related("source"):
        theirs = cited.get((item.source_id, item.stance))
        if theirs is None:
            evidence.append(item)
        elif _written(item) > _written(theirs):
            replaced.append((theirs, item))
            evidence.append(item)
        else:
            kept.append((item, theirs))
    return MergePlan(
        survivor=survivor,
        duplicate=duplicate,
        mentions=mentions,
        mentions_already_there=already_there,
        evidence=evidence,
        evidence_kept=kept,
        evidence_replaced=replaced,
        comments=Comment.objects.filter(claim=duplicate).count(),
        new_tags=list(duplicate.tags.exclude(pk__in=survivor.tags.values("pk"))),
        earlier_merges=list(
            Claim.objects.filter(merged_into=duplicate).values_list("pk", flat=True)
        ),
    )


def merge_refusal(survivor: Claim, duplicate: Claim) -> str:
    """Why these two claims cannot be merged now, or '' if they can (rights aside)."""
    if survivor.pk == duplicate.pk:
        return "A claim cannot be merged into itself: give the number of the other claim."
    for claim in (duplicate, survivor):
        if claim.is_merged:
            return (
                f"Claim #{claim.pk} was already merged into claim #{claim.merged_into_id}: "
                f"merge into #{claim.merged_into_id} instead."
            )
    for claim in (duplicate, survivor):
        if claim.is_published:
            return (
                f"Claim #{claim.pk} is a published fact-check, and a published claim is never "
                "merged silently: a reviewer must reopen it first (saying why), then merge."
            )
    if duplicate.publications.exists() and not survivor.publications.exists():
        return (
            f"Claim #{duplicate.pk} had a verdict published and claim #{survivor.pk} has none: "
            f"its public page would be lost. Merge #{survivor.pk} into #{duplicate.pk} instead."
        )
    return ""


MERGE_RIGHT = "claims.review_claim"


def may_merge(user) -> bool:
    return user.has_perm(MERGE_RIGHT)


@transaction.atomic
def merge_claims(
    survivor: Claim,
    duplicate: Claim,
    *,
    by,
    reason: str,
    seen_versions: tuple[int | None, int | None] = (None, None),
) -> MergePlan:
    """Merge `duplicate` into `survivor`: the survivor takes its mentions, evidence, discussion
    and tags, and the duplicate becomes a redirect to it. Reviewers and administrators only.

    `seen_versions` are the versions of (survivor, duplicate) the user confirmed the merge on.
    Of two evidence items citing one source with one stance, the one with more written is kept
    and the other dropped, which its history says. Both claims' histories say who merged, when
    and why. A published claim is refused: it is reopened first, so the public record never
    changes unseen.
    """
    if not may_merge(by):
        raise NoRight("You may not merge claims: reviewers and administrators merge duplicates.")
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why these are the same claim: the reason is required.", field="reason")
    if survivor.pk == duplicate.pk:
        raise Invalid(merge_refusal(survivor, duplicate), field="survivor")
    seen = {survivor.pk: seen_versions[0], duplicate.pk: seen_versions[1]}
    # Locked in the order of their ids, so a merge of A into B and one of B into A queue up
    # instead of deadlocking.
    locked = {pk: _lock(Claim, pk, seen[pk], merged_ok=True) for pk in sorted(seen)}
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if refusal := merge_refusal(survivor, duplicate):
        raise Refused(refusal)
    plan = plan_merge(survivor, duplicate)
    a, b = survivor.pk, duplicate.pk
    merge = f"{MERGE_PREFIX}{b} into #{a}"

    def drop(row, why: str) -> None:
        row._history_user, row._change_reason = by, f"{merge}: {why}"
        row.delete()

    for mention in plan.mentions_already_there:
        drop(mention, f"dropped, #{a} already marks this passage")
    for dropped, kept in plan.evidence_kept:
        drop(
            dropped,
            f"dropped, #{a} already cites {kept.source} this way with as much or more written",
        )
    for dropped, kept in plan.evidence_replaced:
        drop(dropped, f"replaced by #{b}'s item citing {kept.source}, which has more written")
    for row in [*plan.mentions, *plan.evidence]:
        row.claim = survivor
        save_new_version(row, by=by, reason=f"{merge}: moved here")
    Comment.objects.filter(claim=duplicate).update(claim=survivor)
    # Links to fact-checks published elsewhere come along, once each.
    linked = set(survivor.external_check_links.values_list("external_check_id", flat=True))
    for link in ExternalCheckLink.objects.filter(claim=duplicate):
        if link.external_check_id in linked:
            drop(link, f"dropped, #{a} already links this fact-check")
        else:
            link.claim = survivor
            link._history_user, link._change_reason = by, f"{merge}: moved here"
            link.save(update_fields=["claim"])
    if plan.new_tags:
        survivor.tags.add(*plan.new_tags)
    now = timezone.now()
    # Earlier merges into the duplicate now lead straight to the survivor: one hop, no chains.
    for earlier in plan.earlier_merges:
        earlier = _lock(Claim, earlier, merged_ok=True)
        earlier.merged_into = survivor
        save_new_version(earlier, by=by, reason=f"{merge}: now redirects to #{a}")
    duplicate.merged_into, duplicate.merged_at = survivor, now
    save_new_version(duplicate, by=by, reason=f"Merged into #{a}: {reason}")
    save_new_version(survivor, by=by, reason=f"Absorbed #{b}: {reason} ({plan.summary()})")
    _rederive(a)
    _rederive(b)  # no mentions or evidence left, and out of search
    return plan


# What the public reads: a copy of the claim as published, and what changed since last time.


def _publication_snapshot(claim: Claim) -> dict:
    mentions = Mention.objects.filter(claim=claim).select_related("article__outlet")
    articles = {}
    for mention in sorted(mentions, key=lambda m: (m.article.published_on is None, m.pk)):
        article = mention.article
        articles.setdefault(
            article.pk,
            {
                "quote": mention.quote,
                "headline": article.title,
                "url": article.url,
                "publisher": article.outlet.name if article.outlet else "",
                "published_on": _iso(article.published_on),
            },
        )
    evidence = (
        Evidence.objects.filter(claim=claim)
        .select_related("source__outlet")
        .order_by("source__published_on", "pk")
    )
    claimant = claim.claimant
    return {
        "claim_text": claim.text,
        "claimant": claimant.name if claimant else "",
        "claimant_is_person": claimant is None or claimant.kind == Claimant.Kind.PERSON,
        "claimant_description": claimant.description if claimant else "",
        "claimed_on": claim.claimed_on,
        "appearances": list(articles.values()),
        "evidence": [
            {
                "title": item.source.title,
                "url": item.source.url,
                "outlet": item.source.outlet.name if item.source.outlet else "",
                "published_on": _iso(item.source.published_on),
                "stance": item.stance,
                "excerpt": item.excerpt,
            }
            for item in evidence
        ],
    }


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def describe_changes(before: Publication, after: Publication) -> list[str]:
    """What a republication changed, in the words of the public page's list of updates."""
    changes = []
    if before.rating_id != after.rating_id:
        changes.append(f"verdict from {before.rating.label} to {after.rating.label}")
    if before.claim_text != after.claim_text:
        changes.append("claim reworded")
    if (before.claimant, before.claimed_on) != (after.claimant, after.claimed_on):
        changes.append("claimant or claim date corrected")
    if before.rationale != after.rationale:
        changes.append("rationale revised")

    def keyed(items, *fields):
        return {tuple(item[field] for field in fields): item for item in items}

    old, new = keyed(before.evidence, "url", "stance"), keyed(after.evidence, "url", "stance")
    for key in new.keys() - old.keys():
        item = new[key]
        changes.append(f"evidence added: {item['title']} ({STANCE_ADJECTIVES[item['stance']]})")
    for key in old.keys() - new.keys():
        item = old[key]
        changes.append(f"evidence removed: {item['title']} ({STANCE_ADJECTIVES[item['stance']]})")
    old = keyed(before.appearances, "url", "headline")
    new = keyed(after.appearances, "url", "headline")
    changes.extend(f"appearance added: {new[key]['headline']}" for key in new.keys() - old.keys())
    changes.extend(f"appearance removed: {old[key]['headline']}" for key in old.keys() - new.keys())
    return changes or ["verdict confirmed, nothing changed"]


def _record_publication(claim: Claim, by) -> Publication:
    previous = (
        Publication.objects.select_for_update()
        .select_related("rating")
        .filter(claim=claim, current=True)
        .first()
    )
    publication = Publication(
        claim=claim,
        number=previous.number + 1 if previous else 1,
        published_at=claim.published_at,
        published_by=by,
        first_published_on=previous.first_published_on if previous else claim.verdict_as_of,
        rating=claim.rating,
        rationale=claim.rationale,
        verdict_as_of=claim.verdict_as_of,
        **_publication_snapshot(claim),
    )
    if previous is not None:
        publication.changes = "\n".join(describe_changes(previous, publication))
        Publication.objects.filter(pk=previous.pk).update(current=False)
    publication.save()
    return publication


# The discussion and the inbox: talking changes nothing of the record, so a published claim
# may be discussed too.


@transaction.atomic
def add_comment(claim: Claim, *, body: str, by) -> Comment:
    """Add to a claim's discussion; each @username who may read claims is told."""
    _require(by, "claims.view_claim", "claims.add_comment", doing="comment on claims")
    body = body.strip()
    if not body:
        raise Invalid("Write a comment.", field="body")
    if len(body) > COMMENT_MAX_LENGTH:
        raise Invalid(
            f"A comment has at most {COMMENT_MAX_LENGTH:,} characters; this one has "
            f"{len(body):,}. Shorten it, or split it in two.",
            field="body",
        )
    claim = _lock(Claim, claim.pk)  # a claim deleted meanwhile is said so, not a 500
    comment = Comment.objects.create(claim=claim, author=by, body=body)
    names = notifications.mentioned_names(body)
    mentioned = [user for user in notifications.readers(names) if user.pk != by.pk]
    if mentioned:
        comment.mentioned.set(mentioned)
    about = f"“{notifications.short(claim.text)}”: {notifications.short(body, 120)}"
    notifications.notify(
        claim,
        NotificationKind.MENTIONED,
        actor=by,
        recipients=mentioned,
        text=f"{by.get_username()} mentioned you on {about}",
    )
    # Those already in the conversation hear of a new word, unless it named them.
    earlier = Comment.objects.filter(claim=claim).exclude(author=None).values("author")
    participants = User.objects.filter(
        Q(pk=claim.created_by_id) | Q(pk=claim.reviewer_id) | Q(pk__in=earlier)
    ).exclude(pk__in=[user.pk for user in mentioned])
    notifications.notify(
        claim,
        NotificationKind.COMMENTED,
        actor=by,
        recipients=participants.order_by("pk"),
        text=f"{by.get_username()} commented on {about}",
    )
    return comment


@transaction.atomic
def open_notification(notification: Notification, *, by) -> Notification:
    """Mark one of the user's own notifications read, as they open it."""
    if notification.recipient_id != by.pk:
        raise NoRight("This notification is someone else's.")
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    notifications.mark_read(notification)
    return notification


@transaction.atomic
def read_all_notifications(*, by) -> int:
    """Mark every unread notification of the user read; how many there were."""
    return notifications.mark_all_read(by)


# Webhooks: administrators register the addresses told of claim events (claims.webhooks).


def _webhook_fields(url: str, events) -> tuple[str, list[str]]:
    """The address and events as stored, once the address is one the site may send to."""
    url = url.strip()
    if not url:
        raise Invalid("Give the address to send events to.", field="url")
    if len(url) > Webhook._meta.get_field("url").max_length:
        raise Invalid("This address is too long.", field="url")
    if refusal := webhooks.destination_refusal(url):
        raise Invalid(refusal, field="url")
    chosen = set(events)
    if unknown := chosen - set(WebhookEvent.values):
        raise Invalid(f"Unknown event: {', '.join(sorted(unknown))}.", field="events")
    if not chosen:
        raise Invalid("Choose at least one event to send.", field="events")
    return url, [event for event in WebhookEvent.values if event in chosen]


@transaction.atomic
def register_webhook(*, url: str, events, by) -> Webhook:
    """A new hook with a new secret; the address must be public (the article fetcher's rules)."""
    _require(by, "claims.add_webhook", doing="register webhooks")
    url, events = _webhook_fields(url, events)
    hook = Webhook(url=url, events=events, secret=webhooks.new_secret(), created_by=by)
    save_first_version(hook, by=by, reason="Registered")
    return hook


@transaction.atomic
def edit_webhook(
    hook: Webhook, *, url: str, events, active: bool, by, seen_version: int | None
) -> Webhook:
    """Change a hook's address, its events, or whether it is sent anything."""
    _require(by, "claims.change_webhook", doing="edit webhooks")
    hook = _lock(Webhook, hook.pk, seen_version)
    url, events = _webhook_fields(url, events)
    if (hook.url, hook.events, hook.active) == (url, events, active):
        return hook
    hook.url, hook.events, hook.active = url, events, active
    save_new_version(hook, by=by, reason="Edited")
    return hook


@transaction.atomic
def rotate_webhook_secret(hook: Webhook, *, by, seen_version: int | None = None) -> Webhook:
    """A new secret; deliveries sent from now on are signed with it (retries too)."""
    _require(by, "claims.change_webhook", doing="rotate webhook secrets")
    hook = _lock(Webhook, hook.pk, seen_version)
    hook.secret = webhooks.new_secret()
    save_new_version(hook, by=by, reason="Secret rotated")
    return hook


@transaction.atomic
def deactivate_webhook(hook: Webhook, *, by, seen_version: int | None = None) -> Webhook:
    """Send the hook nothing more, its retries included; its log and secret are kept."""
    _require(by, "claims.change_webhook", doing="deactivate webhooks")
    hook = _lock(Webhook, hook.pk, seen_version)
    if not hook.active:
        return hook
    hook.active = False
    save_new_version(hook, by=by, reason="Deactivated")
    return hook


@transaction.atomic
def delete_webhook(hook: Webhook, *, by) -> None:
    """Remove a hook with its delivery log; deactivating keeps the log."""
    _require(by, "claims.delete_webhook", doing="delete webhooks")
    hook = _lock(Webhook, hook.pk)
    hook._history_user, hook._change_reason = by, "Deleted"
    hook.delete()


@transaction.atomic
def ping_webhook(hook: Webhook, *, by) -> WebhookDelivery:
    """Queue a test delivery (the `ping` event) to the hook, active or not, sent after commit."""
    _require(by, "claims.change_webhook", doing="send test pings")
    hook = _lock(Webhook, hook.pk)
    payload = webhooks.ping_payload(hook, by=by)
    delivery = WebhookDelivery.objects.create(webhook=hook, event=PING, payload=payload)
    webhooks.queue_after_commit(delivery)
    return delivery


@transaction.atomic
def record_delivery_attempt(delivery_id: int, outcome: webhooks.Outcome):
    """Note what an attempt met and what comes next: done, a retry at a time, or giving up.

    Returns the time of the retry to queue (after the commit), or None.
    """
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        return None  # the hook was deleted meanwhile
    now = timezone.now()
    delivery.attempts += 1
    delivery.status_code, delivery.error = outcome.status_code, outcome.error
    delivery.next_attempt_at = None
    if outcome.delivered:
        delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, now
    elif (wait := webhooks.retry_delay(delivery.attempts)) is not None:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, now + wait
    else:
        delivery.status = WebhookDelivery.Status.GAVE_UP
    delivery.save()
    return delivery.next_attempt_at


@transaction.atomic
def give_up_delivery(delivery_id: int, reason: str) -> None:
    """End a delivery that will not be sent (its hook was deactivated), saying why."""
    WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED]
    ).update(status=WebhookDelivery.Status.GAVE_UP, error=reason, next_attempt_at=None)
