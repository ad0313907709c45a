"""The audit trail of a claim, told in plain words: the claim itself, its mentions, its evidence.

django-simple-history stores every saved state; here consecutive states are compared to say what
changed. Four queries whatever the length of the trail.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from sources.models import ExternalFactCheck

from .models import STANCE_ADJECTIVES, Claim, Evidence, ExternalCheckLink, Mention

CLAIM_FIELDS = {
    "text": "claim",
    "claimant": "claimant",
    "claimed_on": "claim date",
    "rationale": "rationale",
    "rating": "verdict",
    "verdict_as_of": "verdict as of",
}
EVIDENCE_FIELDS = {"stance": "stance", "excerpt": "excerpt", "note": "note"}
MENTION_FIELDS = {"quote": "passage"}


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    what: str


def _short(value) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _changes(previous, record, fields: dict[str, str]) -> str:
    changed = []
    for field, label in fields.items():
        before, after = getattr(previous, field), getattr(record, field)
        if before != after:
            changed.append(f"{label} “{_short(before)}” → “{_short(after)}”")
    return "; ".join(changed)


def _entries(records, fields, created, deleted, name):
    """Entries for the records of several objects, each compared with the one before it."""
    last_seen = {}
    for record in records:
        previous = last_seen.get(record.id)
        last_seen[record.id] = record
        if record.history_change_reason:
            what = record.history_change_reason
        elif record.history_type == "+":
            what = created(record)
        elif record.history_type == "-":
            what = deleted(record)
        elif previous is not None and (changes := _changes(previous, record, fields)):
            what = f"changed {name(record)}: {changes}"
        else:
            continue  # a save that changed nothing a reader would notice
        who = record.history_user.get_username() if record.history_user else "the system"
        yield HistoryEntry(record.history_date, who, what)


# The reason every row a merge moves or drops carries: "Merge of #12 into #7: moved here".
MERGE_PREFIX = "Merge of #"


def merged_claims(claim_pk: int):
    """The ids of the claims merged into this one, as a subquery (no query of its own)."""
    return Claim.objects.filter(merged_into=claim_pk).values("pk")


def of_claim_and_merged(claim_pk: int, field: str = "claim_id") -> Q:
    """Rows of this claim or of a claim merged into it: the trail a merge brought along."""
    return Q(**{field: claim_pk}) | Q(**{f"{field}__in": merged_claims(claim_pk)})


def claim_history(claim: Claim) -> list[HistoryEntry]:
    """Every recorded change to the claim, its mentions, evidence and links, newest first.

    The trail of a claim merged into this one is part of it, each entry marked with the
    merged claim's number: its mentions and evidence are here now.
    """
    claims = (
        Claim.history.filter(of_claim_and_merged(claim.pk, "id"))
        .select_related("history_user", "claimant", "rating")
        .order_by("history_date", "history_id")
    )
    mentions = (
        Mention.history.filter(of_claim_and_merged(claim.pk))
        .select_related("history_user", "article")
        .order_by("history_date", "history_id")
    )
    evidence = (
        Evidence.history.filter(of_claim_and_merged(claim.pk))
        .select_related("history_user", "source")
        .order_by("history_date", "history_id")
    )

    def on(claim_id: int, what: str) -> str:
        return what if claim_id == claim.pk else f"on #{claim_id}, since merged here: {what}"

    links = (
        ExternalCheckLink.history.filter(claim_id=claim.pk)
        .select_related("history_user", "external_check__reviewer_outlet")
        .order_by("history_date", "history_id")
    )
    entries = [
        *_entries(
            links,
            {},
            created=lambda r: f"linked an external fact-check: {_checked(r)}",
            deleted=lambda r: f"unlinked an external fact-check: {_checked(r)}",
            name=lambda r: "a link",
        ),
        *_entries(
            claims,
            CLAIM_FIELDS,
            created=lambda r: on(r.id, "created the claim"),
            deleted=lambda r: "deleted the claim",
            name=lambda r: "the claim" if r.id == claim.pk else f"claim #{r.id}",
        ),
        *_entries(
            mentions,
            MENTION_FIELDS,
            created=lambda r: on(
                r.claim_id, f"tagged a mention in “{r.article}”: “{_short(r.quote)}”"
            ),
            deleted=lambda r: on(r.claim_id, f"removed the mention “{_short(r.quote)}”"),
            name=lambda r: "a mention",
        ),
        *_entries(
            evidence,
            EVIDENCE_FIELDS,
            created=lambda r: on(
                r.claim_id, f"added {STANCE_ADJECTIVES[r.stance]} evidence: {r.source}"
            ),
            deleted=lambda r: on(r.claim_id, f"removed evidence: {r.source}"),
            name=lambda r: f"evidence from {r.source}",
        ),
    ]
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def _checked(record) -> str:
    try:
        check = record.external_check
    except ExternalFactCheck.DoesNotExist:
        return "one removed since"
    if check is None:
        return "one removed since"
    return f"{check.checked_line}, “{_short(check.claim_reviewed)}”"


# The note a reviewer wrote when returning a claim lives in the trail as the step's reason.
RETURNED_PREFIX = "Returned to researcher: "


@dataclass(frozen=True)
class ReturnNote:
    who: str
    when: datetime.datetime
    note: str

    @property
    def first_line(self) -> str:
        return next((line.strip() for line in self.note.splitlines() if line.strip()), "")


def return_notes(claims) -> dict[int, ReturnNote]:
    """The latest return note of each claim that is a draft because a reviewer sent it back.

    A claim is a draft again only when returned, so a draft's latest return is the one that
    stands until it is submitted again. One query, none when no draft was ever submitted.
    """
    drafts = [
        claim.pk
        for claim in claims
        if claim.status == Claim.Status.DRAFT and claim.submitted_at is not None
    ]
    if not drafts:
        return {}
    records = (
        Claim.history.filter(id__in=drafts, history_change_reason__startswith=RETURNED_PREFIX)
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")
    )
    notes: dict[int, ReturnNote] = {}
    for record in records:
        if record.id not in notes:
            who = record.history_user.get_username() if record.history_user else "a reviewer"
            note = record.history_change_reason.removeprefix(RETURNED_PREFIX)
            notes[record.id] = ReturnNote(who, record.history_date, note)
    return notes
