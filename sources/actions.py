"""Every write to the register: outlets, sources, and what fetching a source's details fills in.

Each action checks the right, locks the row and the version the user saw (lib.versioning),
writes, computes the derived data here (a source's canonical URL and key, its outlet, its search
text), and says who and why in the history. Pages, the admin, commands and tasks call these.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from lib.text import shorten
from lib.versioning import (
    changed_fields,
    editable_values,
    lock_for_edit,
    save_first_version,
    save_new_version,
    set_fields,
)

from . import factchecks, tasks
from .extraction import Extracted
from .models import (
    ExternalFactCheck,
    FactCheckImport,
    Outlet,
    Source,
    SourceFetch,
    SourceSnapshot,
    text_sha256,
)
from .urlnorm import InvalidURL, domain_of, normalise_url, url_key

OUTLET_FIELDS = frozenset({"name", "domain", "reliability", "notes"})
SOURCE_FIELDS = frozenset(
    {"url", "title", "type", "outlet", "author", "published_on", "accessed_on", "archive_url"}
)


class DuplicateOutlet(Exception):
    """Another outlet has this domain; `existing` is that outlet."""

    def __init__(self, existing: Outlet):
        self.existing = existing
        super().__init__(existing.duplicate_message)


class DuplicateSource(Exception):
    """The document is already in the register; `existing` is its source."""

    def __init__(self, existing: Source):
        self.existing = existing
        super().__init__(existing.duplicate_message)


# Derived data: computed here, once per write, never by Model.save().


def canonical_domain(domain: str) -> str:
    """An outlet's domain as stored: a lower-case host name without www."""
    return domain.strip().lower().removeprefix("www.")


def store_canonical_url(source: Source) -> None:
    """The canonical spelling of the URL and its key, so that uniqueness means one document."""
    try:
        source.url = normalise_url(source.url)
    except InvalidURL as error:
        raise ValidationError({"url": str(error)}) from error
    source.url_key = url_key(source.url)


def find_outlet(source: Source) -> None:
    """A source nobody gave an outlet belongs to the outlet of its domain, if there is one."""
    if source.outlet_id is None:
        source.outlet = Outlet.objects.for_domain(domain_of(source.url))


def give_stand_in_title(source: Source) -> None:
    """Until its details are fetched, a source without a title is called by its URL."""
    if not source.title.strip():
        source.title = Source.title_from_url(source.url)


def source_search_document(source: Source) -> str:
    """What search reads for a source: its title, URL and outlet name, a line each."""
    outlet_name = source.outlet.name if source.outlet else ""
    return "\n".join(part for part in (source.title, source.url, outlet_name) if part)


def reindex_sources_of(outlet: Outlet) -> None:
    """Sources are found by their outlet's name: a renamed outlet re-indexes its sources.

    The same document as source_search_document, built in the database for every source at once.
    """
    outlet.sources.update(
        search_document=Concat(
            "title", Value("\n"), "url", Value("\n"), Value(outlet.name), output_field=TextField()
        )
    )


def fill_derived_fields(source: Source) -> None:
    store_canonical_url(source)
    find_outlet(source)
    give_stand_in_title(source)
    source.search_document = source_search_document(source)


def _reason(reason: str, model, changed: list[str]) -> str:
    names = ", ".join(str(model._meta.get_field(name).verbose_name) for name in changed)
    return f"{reason}: {names}" if names else reason


def _require(user, permission: str, refusal: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(refusal)


# Outlets.


# Researchers and reviewers name the outlets their articles and sources come from; only source
# admins judge how reliable one is, so an outlet they add stays unrated until an admin rates it.
ADD_OUTLET_RIGHTS = ("sources.add_outlet", "sources.add_source")
RATE_OUTLET_RIGHT = "sources.change_outlet"


def may_add_outlets(user) -> bool:
    return user is not None and any(user.has_perm(right) for right in ADD_OUTLET_RIGHTS)


def may_rate_outlets(user) -> bool:
    return user is not None and user.has_perm(RATE_OUTLET_RIGHT)


@transaction.atomic
def add_outlet(
    *, by, name: str, domain: str = "", reliability: str = "", notes: str = "", reason="Added"
) -> Outlet:
    """A new outlet; a domain another outlet has is refused with DuplicateOutlet.

    Anyone who adds to the register may add one; only a source admin may give it a rating.
    """
    if not may_add_outlets(by):
        raise PermissionDenied("Only researchers, reviewers and source admins add outlets.")
    rated = reliability and reliability != Outlet.Reliability.UNRATED
    if (rated or notes.strip()) and not may_rate_outlets(by):
        raise PermissionDenied("Only source admins rate outlets; yours is added unrated.")
    outlet = Outlet(
        name=" ".join(name.split()),
        domain=canonical_domain(domain),
        reliability=reliability or Outlet.Reliability.UNRATED,
        notes=notes,
    )
    if not outlet.name:
        raise ValidationError({"name": "Give the outlet a name."})
    if outlet.domain and (existing := Outlet.objects.filter(domain=outlet.domain).first()):
        raise DuplicateOutlet(existing)
    try:
        with transaction.atomic():
            save_first_version(outlet, by=by, reason=reason)
    except IntegrityError:
        # The same outlet was added a moment ago, by a second click or someone else.
        if existing := Outlet.objects.filter(domain=outlet.domain).exclude(domain="").first():
            raise DuplicateOutlet(existing) from None
        raise
    return outlet


@transaction.atomic
def outlet_named(*, by, name: str, reason: str = "Added by name") -> Outlet:
    """The outlet of this name (case aside), or a new unrated one, for an article's byline."""
    name = " ".join(name.split())
    if existing := Outlet.objects.filter(name__iexact=name).order_by("pk").first():
        return existing
    return add_outlet(by=by, name=name, reason=reason)


@transaction.atomic
def edit_outlet(
    outlet: Outlet, *, by, seen_version: int | None, changes: dict, reason: str = "Edited"
) -> Outlet:
    """Save an edit made to the version the user saw; a renamed outlet re-indexes its sources."""
    _require(by, "sources.change_outlet", "Only source admins edit outlets.")
    outlet = lock_for_edit(Outlet, outlet.pk, seen_version)
    before = editable_values(outlet)
    set_fields(outlet, changes, allowed=OUTLET_FIELDS)
    outlet.domain = canonical_domain(outlet.domain)
    changed = changed_fields(outlet, before)
    if not changed:
        return outlet
    try:
        with transaction.atomic():
            save_new_version(outlet, by=by, reason=_reason(reason, Outlet, changed))
    except IntegrityError:
        if existing := Outlet.objects.filter(domain=outlet.domain).exclude(pk=outlet.pk).first():
            raise DuplicateOutlet(existing) from None
        raise
    if "name" in changed:
        reindex_sources_of(outlet)
    return outlet


@transaction.atomic
def delete_outlet(outlet: Outlet, *, by, reason: str = "Deleted") -> None:
    """Remove an outlet no source or article cites (those protect it)."""
    _require(by, "sources.delete_outlet", "Only source admins delete outlets.")
    outlet = lock_for_edit(Outlet, outlet.pk, None)
    outlet._history_user, outlet._change_reason = by, reason
    outlet.delete()


# Sources.


@transaction.atomic
def add_source(
    *,
    by,
    url: str,
    title: str = "",
    type: str = "",
    author: str = "",
    published_on=None,
    accessed_on=None,
    archive_url: str = "",
    outlet: Outlet | None = None,
    reason: str = "Added",
) -> Source:
    """A new source under its canonical URL; a document already here raises DuplicateSource.

    Its outlet is found by its domain unless given, and its URL stands in for a missing title.
    """
    _require(by, "sources.add_source", "Only researchers and source admins add sources.")
    source = Source(
        url=url,
        title=title.strip(),
        type=type or Source.Type.NEWS,
        author=author,
        published_on=published_on,
        accessed_on=accessed_on,
        archive_url=archive_url,
        outlet=outlet,
        added_by=by,
    )
    fill_derived_fields(source)
    if existing := Source.objects.filter(url_key=source.url_key).first():
        raise DuplicateSource(existing)
    try:
        with transaction.atomic():
            save_first_version(source, by=by, reason=reason)
    except IntegrityError:
        # Someone added the same document a moment ago (or the form was sent twice).
        if existing := Source.objects.filter(url_key=source.url_key).first():
            raise DuplicateSource(existing) from None
        raise
    return source


@transaction.atomic
def edit_source(
    source: Source, *, by, seen_version: int | None, changes: dict, reason: str = "Edited"
) -> Source:
    """Save an edit made to the version the user saw.

    Source admins edit every source; researchers the ones they added (Source.editable_by).
    """
    source = lock_for_edit(Source, source.pk, seen_version)
    if not source.editable_by(by):
        raise PermissionDenied("Only source admins and the researcher who added it may edit it.")
    before = editable_values(source)
    set_fields(source, changes, allowed=SOURCE_FIELDS)
    fill_derived_fields(source)
    changed = changed_fields(source, before)
    if not changed:
        return source
    try:
        with transaction.atomic():
            save_new_version(source, by=by, reason=_reason(reason, Source, changed))
    except IntegrityError:
        existing = Source.objects.filter(url_key=source.url_key).exclude(pk=source.pk).first()
        if existing is not None:
            raise DuplicateSource(existing) from None
        raise
    return source


@transaction.atomic
def delete_source(source: Source, *, by, reason: str = "Deleted") -> None:
    """Remove a source no evidence cites (evidence protects it); its snapshots go with it."""
    _require(by, "sources.delete_source", "Only source admins delete sources.")
    source = lock_for_edit(Source, source.pk, None)
    source._history_user, source._change_reason = by, reason
    source.delete()


# Fetching a source's details: requested by a person, applied by a background task.


@transaction.atomic
def request_fetch(source: Source, *, by) -> SourceFetch:
    """Queue a fetch of the source's details and a snapshot of its text."""
    if not source.editable_by(by):
        raise PermissionDenied("Only source admins and the researcher who added it may fetch it.")
    fetch = SourceFetch.objects.create(source=source, requested_by=by)
    # With the database task backend the task row commits with the request, or neither does.
    tasks.fetch_source.enqueue(fetch.pk)
    return fetch


def _begin_fetch(fetch: SourceFetch) -> SourceFetch | None:
    """The fetch request, locked, if it still waits for its outcome (a task may run twice)."""
    fetch = SourceFetch.objects.select_for_update().get(pk=fetch.pk)
    return fetch if fetch.status == SourceFetch.Status.QUEUED else None


def _finish_fetch(fetch: SourceFetch, status: str, outcome: str) -> SourceFetch:
    fetch.status, fetch.outcome, fetch.finished_at = status, outcome, timezone.now()
    fetch.save(update_fields=["status", "outcome", "finished_at"])
    return fetch


@transaction.atomic
def apply_fetched_details(
    fetch: SourceFetch, *, fetched_url: str, extracted: Extracted
) -> SourceFetch:
    """Fill in what the source is missing, keep a snapshot of its text, and say what was done.

    Fields a person has filled are never overwritten; only empty ones and the stand-in title
    (the URL) are. The source is locked like any edit, and the history names who asked; their
    right was checked when they asked (request_fetch).
    """
    if (locked := _begin_fetch(fetch)) is None:
        return SourceFetch.objects.get(pk=fetch.pk)  # finished by an earlier run
    fetch = locked
    source = lock_for_edit(Source, fetch.source_id, None)
    before = editable_values(source)
    filled, notes = _fill_in(source, extracted)
    source.accessed_on = timezone.localdate()
    fill_derived_fields(source)
    reason = _reason("Fetched details", Source, changed_fields(source, before))
    try:
        with transaction.atomic():
            save_new_version(source, by=fetch.requested_by, reason=reason)
    except IntegrityError:
        if "canonical URL" not in filled:
            raise
        # Another source took the canonical URL while the page loaded: keep the URL it had.
        source.version -= 1  # save_new_version raised it for the save that failed
        source.url, source.outlet_id = before["url"], before["outlet"]
        fill_derived_fields(source)
        filled.remove("canonical URL")
        notes.append(f"Another source took the page's canonical URL meanwhile; kept {source.url}.")
        reason = _reason("Fetched details", Source, changed_fields(source, before))
        save_new_version(source, by=fetch.requested_by, reason=reason)
    snapshot = SourceSnapshot.objects.create(
        source=source,
        url=fetched_url,
        title=shorten(extracted.title, 500),
        text=extracted.text,
        sha256=text_sha256(extracted.text),
    )
    outcome = " ".join(
        [
            f"Filled in: {', '.join(filled)}." if filled else "Nothing was missing.",
            f"Snapshot kept (SHA-256 {snapshot.sha256[:12]}…).",
            *notes,
        ]
    )
    return _finish_fetch(fetch, SourceFetch.Status.DONE, outcome)


@transaction.atomic
def record_fetch_failure(fetch: SourceFetch, reason: str) -> SourceFetch:
    """The page could not be fetched: nothing changes but the request's record of why."""
    if (locked := _begin_fetch(fetch)) is None:
        return SourceFetch.objects.get(pk=fetch.pk)  # finished by an earlier run
    return _finish_fetch(locked, SourceFetch.Status.FAILED, reason)


def _fill_in(source: Source, extracted: Extracted) -> tuple[list[str], list[str]]:
    """Copy fetched details into the fields that are empty; say what was filled and what not."""
    filled, notes = [], []
    if extracted.title and (source.has_stand_in_title or not source.title):
        source.title = shorten(extracted.title, 500)
        filled.append("title")
    if extracted.authors and not source.author:
        source.author = extracted.authors[:300]
        filled.append("author")
    if extracted.published_on and not source.published_on:
        source.published_on = extracted.published_on
        filled.append("date")
    canonical = _as_canonical_url(extracted.url)
    if canonical and canonical != source.url:
        if Source.objects.with_url(canonical) in (None, source):
            source.url = canonical
            filled.append("canonical URL")
        else:
            notes.append(f"The page names {canonical} as its canonical URL; it is another source.")
    return filled, notes


def _as_canonical_url(url: str) -> str:
    try:
        return normalise_url(url) if url else ""
    except InvalidURL:
        return ""


# External fact-checks: other organisations' published reviews, imported from files.

IMPORT_RIGHT = "sources.add_externalfactcheck"
# The fields a record sets; a re-import that would set them all as they are changes nothing.
FACT_CHECK_FIELDS = (
    "claim_reviewed",
    "claim_key",
    "claimant",
    "claim_date",
    "rating_label",
    "rating_family",
    "reviewer_name",
    "reviewer_domain",
    "reviewer_outlet_id",
    "review_url",
    "url_key",
    "archive_url",
    "review_date",
    "language",
    "title",
    "summary",
    "origin",
    "raw",
)
IMPORT_BATCH = 100  # records per transaction in a background import, between progress notes


def may_import_fact_checks(user) -> bool:
    return user is not None and user.has_perm(IMPORT_RIGHT)


def fact_check_import_max_bytes() -> int:
    return settings.FACT_CHECK_IMPORT_MAX_BYTES


@dataclass
class ImportReport:
    """What an import did: records taken (new), updated, unchanged, skipped and refused."""

    format: str = ""
    taken: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def add(self, other: "ImportReport") -> None:
        self.taken += other.taken
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.refused += other.refused

    @property
    def summary(self) -> str:
        return (
            f"{self.taken} taken, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped, {len(self.refused)} refused."
        )

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "taken": self.taken,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "refused": self.refused,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        return cls(**{key: data[key] for key in cls().as_dict() if key in data})


def fact_check_search_document(check: ExternalFactCheck) -> str:
    """What search reads for an external fact-check: the claim and who said and checked it."""
    parts = (
        check.claim_reviewed,
        check.claimant,
        check.reviewer_name,
        check.reviewer_domain,
        check.rating_label,
        check.title,
    )
    return "\n".join(part for part in parts if part)


def _record_values(record: factchecks.Record, origin: str, outlet: Outlet | None) -> dict:
    return {
        "claim_reviewed": record.claim_reviewed,
        "claim_key": record.claim_key,
        "claimant": record.claimant,
        "claim_date": record.claim_date,
        "rating_label": record.rating_label,
        "rating_family": record.rating_family,
        "reviewer_name": record.reviewer_name,
        "reviewer_domain": record.reviewer_domain,
        "reviewer_outlet_id": outlet.pk if outlet else None,
        "review_url": record.review_url,
        "url_key": record.url_key,
        "archive_url": record.archive_url,
        "review_date": record.review_date,
        "language": record.language,
        "title": record.title,
        "summary": record.summary,
        "origin": origin,
        "raw": record.raw,
    }


class _Outlets:
    """The outlet of each reviewer's domain, looked up once per domain and import."""

    def __init__(self):
        self.found: dict[str, Outlet | None] = {}

    def of(self, domain: str) -> Outlet | None:
        if not domain:
            return None
        if domain not in self.found:
            self.found[domain] = Outlet.objects.for_domain(domain)
        return self.found[domain]


def _existing_checks(records: list[factchecks.Record]) -> dict[tuple[str, str], ExternalFactCheck]:
    keys = sorted({record.url_key for record in records})
    found = {}
    for start in range(0, len(keys), 500):
        for check in ExternalFactCheck.objects.filter(url_key__in=keys[start : start + 500]):
            found[check.url_key, check.claim_key] = check
    return found


@transaction.atomic
def import_fact_checks(
    records: list[factchecks.Record], *, by, origin: str, reason: str = "Imported"
) -> ImportReport:
    """Store parsed fact-checks: new ones taken, changed ones updated (with history), the same
    ones left alone. One review of one claim is one row, whoever imports it how often.

    `by` None is a management command, run by whoever may run the site's commands.
    """
    if by is not None and not may_import_fact_checks(by):
        raise PermissionDenied("Only source admins import external fact-checks.")
    if origin not in ExternalFactCheck.Origin.values:
        raise ValueError(f"Unknown origin: {origin}")
    report = ImportReport(format=origin)
    existing = _existing_checks(records)
    outlets = _Outlets()
    to_embed = []  # new checks and checks whose claim was reworded: embedded together at the end
    for record in records:
        values = _record_values(record, origin, outlets.of(record.reviewer_domain))
        check = existing.get((record.url_key, record.claim_key))
        if check is None:
            try:
                with transaction.atomic():
                    check = _add_fact_check(values, by=by, reason=f"{reason} ({origin})")
            except IntegrityError:
                # Imported a moment ago by someone else: compare with what they stored.
                check = ExternalFactCheck.objects.get(
                    url_key=record.url_key, claim_key=record.claim_key
                )
            else:
                existing[record.url_key, record.claim_key] = check
                report.taken += 1
                to_embed.append(check.pk)
                continue
        reworded = check.claim_reviewed != values["claim_reviewed"]
        if _update_fact_check(check, values, by=by, reason=f"Re-imported ({origin})"):
            report.updated += 1
            if reworded:
                to_embed.append(check.pk)
        else:
            report.unchanged += 1
    # One call of the model for the whole batch: embedding one by one costs ten times as much.
    ExternalFactCheck.objects.filter(pk__in=to_embed).refresh_embeddings()
    return report


def _add_fact_check(values: dict, *, by, reason: str) -> ExternalFactCheck:
    check = ExternalFactCheck(**values, imported_by=by)
    check.search_document = fact_check_search_document(check)
    save_first_version(check, by=by, reason=reason)
    return check


def _update_fact_check(check: ExternalFactCheck, values: dict, *, by, reason: str) -> bool:
    """Write the values if any differs from what is stored; whether anything did."""
    if all(getattr(check, name) == value for name, value in values.items()):
        return False
    check = lock_for_edit(ExternalFactCheck, check.pk, None)
    changed = [name for name, value in values.items() if getattr(check, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(check, name, values[name])
    check.search_document = fact_check_search_document(check)
    names = ", ".join(
        str(ExternalFactCheck._meta.get_field(name.removesuffix("_id")).verbose_name)
        for name in changed
        if name not in ("claim_key", "url_key", "raw")
    )
    save_new_version(check, by=by, reason=f"{reason}: {names or 'record as imported'}")
    return True


def read_fact_check_file(
    data: bytes | str, *, format: str = "auto", max_bytes: int | None = None
) -> factchecks.Parsed:
    """The file's records, or FileRefused (not JSON, wrong shape, over the size limit)."""
    limit = max_bytes or fact_check_import_max_bytes()
    return factchecks.parse(data, format=format, max_bytes=limit)


def _report_for(parsed: factchecks.Parsed) -> ImportReport:
    return ImportReport(
        format=parsed.format,
        skipped=[str(skip) for skip in parsed.skipped],
        refused=[str(refusal) for refusal in parsed.refusals],
    )


@transaction.atomic
def import_fact_check_file(
    data: bytes | str, *, by, format: str = "auto", file_name: str = "", max_bytes=None
) -> ImportReport:
    """Read a file and import it at once, all in one transaction; FileRefused stores nothing."""
    if by is not None and not may_import_fact_checks(by):
        raise PermissionDenied("Only source admins import external fact-checks.")
    parsed = read_fact_check_file(data, format=format, max_bytes=max_bytes)
    report = _report_for(parsed)
    reason = f"Imported from {file_name}" if file_name else "Imported"
    report.add(import_fact_checks(parsed.records, by=by, origin=parsed.format, reason=reason))
    return report


@transaction.atomic
def queue_fact_check_import(
    text: str, *, by, format: str, file_name: str, parsed: factchecks.Parsed
) -> FactCheckImport:
    """Import a large file in the background; its page shows the progress and the report.

    The file was read once already (`parsed`), so a malformed one never gets this far.
    """
    if not may_import_fact_checks(by):
        raise PermissionDenied("Only source admins import external fact-checks.")
    run = FactCheckImport.objects.create(
        file_name=factchecks.clean_line(file_name, 255),
        format=parsed.format,
        size=len(text.encode("utf-8")),
        payload=text,
        total=len(parsed.records) + len(parsed.refusals) + len(parsed.skipped),
        requested_by=by,
    )
    # With the database task backend the task row commits with the request, or neither does.
    tasks.import_fact_check_file.enqueue(run.pk)
    return run


@transaction.atomic
def _begin_import(run: FactCheckImport) -> FactCheckImport | None:
    """The import, locked and marked running, if it still waits (a task may run twice)."""
    run = FactCheckImport.objects.select_for_update().get(pk=run.pk)
    if run.status != FactCheckImport.Status.QUEUED:
        return None
    run.status = FactCheckImport.Status.RUNNING
    run.save(update_fields=["status"])
    return run


def _note_progress(run: FactCheckImport, processed: int, report: ImportReport) -> None:
    FactCheckImport.objects.filter(pk=run.pk).update(processed=processed, report=report.as_dict())


def run_fact_check_import(run: FactCheckImport) -> FactCheckImport:
    """Import a queued file a batch at a time, noting the progress after each batch.

    Each batch commits on its own, so the status page sees the count grow; an import stopped
    half-way is completed by importing the file again (what was taken comes back unchanged).
    The right was checked when the import was asked for (queue_fact_check_import).
    """
    if (started := _begin_import(run)) is None:
        return FactCheckImport.objects.get(pk=run.pk)  # taken by an earlier run of the task
    run = started
    try:
        parsed = read_fact_check_file(run.payload, format=run.format)
    except factchecks.FileRefused as refused:
        return record_fact_check_import_failure(run, str(refused))
    report = _report_for(parsed)
    processed = len(parsed.refusals) + len(parsed.skipped)
    reason = f"Imported from {run.file_name}" if run.file_name else "Imported"
    for start in range(0, len(parsed.records), IMPORT_BATCH):
        batch = parsed.records[start : start + IMPORT_BATCH]
        report.add(import_fact_checks(batch, by=None, origin=parsed.format, reason=reason))
        processed += len(batch)
        _note_progress(run, processed, report)
    return _finish_import(run, FactCheckImport.Status.DONE, report=report, processed=processed)


@transaction.atomic
def _finish_import(run, status, *, report=None, processed=None, message=""):
    run = FactCheckImport.objects.select_for_update().get(pk=run.pk)
    if status == FactCheckImport.Status.FAILED and not run.is_open:
        return run  # finished by an earlier run
    run.status, run.message, run.finished_at, run.payload = status, message, timezone.now(), ""
    fields = ["status", "message", "finished_at", "payload"]
    if report is not None:
        run.report = report.as_dict()
        fields.append("report")
    if processed is not None:
        run.processed = processed
        fields.append("processed")
    run.save(update_fields=fields)
    return run


def record_fact_check_import_failure(run: FactCheckImport, message: str) -> FactCheckImport:
    """The import stopped: it ends as failed with why; what earlier batches took stays."""
    return _finish_import(run, FactCheckImport.Status.FAILED, message=message)


@transaction.atomic
def edit_external_fact_check(
    check: ExternalFactCheck, *, by, seen_version: int | None, changes: dict, reason="Edited"
) -> ExternalFactCheck:
    """Correct an imported fact-check by hand (a wrong reviewer, a typo in the claim)."""
    _require(by, "sources.change_externalfactcheck", "Only source admins edit fact-checks.")
    check = lock_for_edit(ExternalFactCheck, check.pk, seen_version)
    before = editable_values(check)
    set_fields(check, changes, allowed=EXTERNAL_CHECK_FIELDS)
    check.claim_reviewed = factchecks.clean_line(check.claim_reviewed, factchecks.CLAIM_MAX_LENGTH)
    if not check.claim_reviewed:
        raise ValidationError({"claim_reviewed": "Give the claim that was checked."})
    try:
        check.review_url = normalise_url(check.review_url)
    except InvalidURL as error:
        raise ValidationError({"review_url": str(error)}) from error
    check.url_key = url_key(check.review_url)
    check.claim_key = factchecks.claim_key(check.claim_reviewed)
    check.rating_family = factchecks.rating_family(check.rating_label)
    check.search_document = fact_check_search_document(check)
    changed = changed_fields(check, before)
    if not changed:
        return check
    try:
        with transaction.atomic():
            save_new_version(check, by=by, reason=_reason(reason, ExternalFactCheck, changed))
    except IntegrityError:
        raise ValidationError(
            {"review_url": "Another fact-check has this review URL and claim."}
        ) from None
    if "claim_reviewed" in changed:
        ExternalFactCheck.objects.filter(pk=check.pk).refresh_embeddings()
    return check


EXTERNAL_CHECK_FIELDS = frozenset(
    {
        "claim_reviewed",
        "claimant",
        "claim_date",
        "rating_label",
        "reviewer_name",
        "reviewer_outlet",
        "review_url",
        "review_date",
        "language",
        "title",
        "summary",
    }
)


def embed_fact_checks(checks) -> int:
    """Store the matcher's vectors of these checks afresh (the backfill; derived, no history).

    Each check is locked while its vector is replaced, so a correction saved meanwhile is not
    undone by a vector of its old words.
    """
    with transaction.atomic():
        pks = list(
            ExternalFactCheck.objects.filter(pk__in=checks)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        return ExternalFactCheck.objects.filter(pk__in=pks).refresh_embeddings()


@transaction.atomic
def delete_external_fact_check(check: ExternalFactCheck, *, by, reason="Deleted") -> None:
    """Remove an imported fact-check no claim is linked to (links protect it)."""
    _require(by, "sources.delete_externalfactcheck", "Only source admins delete fact-checks.")
    check = lock_for_edit(ExternalFactCheck, check.pk, None)
    check._history_user, check._change_reason = by, reason
    check.delete()
