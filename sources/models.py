"""The register: outlets with their reliability, sources, and the fetches and snapshots of them."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from lib.embedding import compact
from lib.embedding import embedder as default_embedder
from lib.links import url_for_pk
from lib.tasks import waited_too_long

from .urlnorm import MAX_LENGTH as MAX_URL_LENGTH
from .urlnorm import InvalidURL, domain_candidates, url_key


class OutletQuerySet(models.QuerySet):
    def named(self, name_or_domain: str):
        """Outlets a person means by this name or domain, as typed into a filter."""
        return self.filter(
            models.Q(name__iexact=name_or_domain) | models.Q(domain=name_or_domain.lower())
        )

    def for_domain(self, domain: str):
        """The outlet whose domain is this host or the closest parent of it, if any."""
        candidates = domain_candidates(domain.lower().removeprefix("www."))
        by_domain = {outlet.domain: outlet for outlet in self.filter(domain__in=candidates)}
        return next((by_domain[c] for c in candidates if c in by_domain), None)


class Reliability(models.TextChoices):
    RELIABLE = "reliable", "Generally reliable"
    NO_CONSENSUS = "no_consensus", "No consensus"
    UNRELIABLE = "unreliable", "Generally unreliable"
    DEPRECATED = "deprecated", "Deprecated"
    UNRATED = "unrated", "Unrated"


class Outlet(models.Model):
    """A publisher: a newspaper, broadcaster, agency, government site or platform."""

    Reliability = Reliability

    name = models.CharField(max_length=200)
    domain = models.CharField(
        max_length=253, blank=True, help_text="Host name without www., e.g. kyivindependent.com."
    )
    reliability = models.CharField(
        max_length=20, choices=Reliability.choices, default=Reliability.UNRATED
    )
    notes = models.TextField(blank=True, help_text="Why this rating; ownership; interests.")
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OutletQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=~models.Q(domain=""), name="outlet_domain_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")), name="outlet_domain_lowercase"
            ),
            models.CheckConstraint(
                condition=models.Q(reliability__in=Reliability.values),
                name="outlet_reliability_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return url_for_pk("sources:outlet", self.pk)

    @property
    def duplicate_message(self) -> str:
        """What someone adding this outlet's domain again is told."""
        return f"Another outlet already has this domain: {self.name}."


class SourceQuerySet(models.QuerySet):
    def with_url(self, url: str) -> "Source | None":
        """The source stored under any spelling of this URL (raises InvalidURL if it is none)."""
        return self.filter(url_key=url_key(url)).first()

    def search(self, words: str):
        """Sources whose title, URL, or outlet name or domain contain the words."""
        return self.filter(
            models.Q(title__icontains=words)
            | models.Q(url__icontains=words)
            | models.Q(outlet__name__icontains=words)
            | models.Q(outlet__domain__icontains=words)
        )


class SourceType(models.TextChoices):
    PRIMARY = "primary", "Primary document"
    OFFICIAL = "official", "Official statement"
    NEWS = "news", "News report"
    RESEARCH = "research", "Research"
    DATASET = "dataset", "Dataset"
    SOCIAL = "social", "Social media post"
    FACT_CHECK = "fact_check", "Fact-check"


class Source(models.Model):
    """A cited document, stored once under its normalised URL."""

    Type = SourceType

    url = models.URLField("URL", max_length=MAX_URL_LENGTH, unique=True)
    # The URL with www., mobile hosts and the scheme folded away: one key per document.
    url_key = models.CharField(max_length=MAX_URL_LENGTH, unique=True, editable=False)
    title = models.CharField(max_length=500)
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="sources"
    )
    author = models.CharField(max_length=300, blank=True)
    published_on = models.DateField("published", null=True, blank=True)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.NEWS)
    accessed_on = models.DateField("accessed", null=True, blank=True)
    archive_url = models.URLField("archive URL", max_length=2000, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What search reads: title, URL and outlet name.
    search_document = models.TextField(default="", editable=False)

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "search_document"])

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["title", "id"], name="source_title_keyset")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(url__startswith="http://")
                | models.Q(url__startswith="https://"),
                name="source_url_http",
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=SourceType.values), name="source_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_for_pk("sources:detail", self.pk)

    def clean(self):
        # Refuse what add_source and edit_source would refuse, while the form still shows it.
        try:
            key = url_key(self.url)
        except InvalidURL as error:
            raise ValidationError({"url": str(error)}) from error
        duplicate = Source.objects.filter(url_key=key).exclude(pk=self.pk).first()
        if duplicate is not None:
            raise ValidationError({"url": duplicate.duplicate_message})

    @property
    def duplicate_message(self) -> str:
        """What someone adding this document again is told."""
        return f"This document is already in the register as “{self.title}”."

    @staticmethod
    def title_from_url(url: str) -> str:
        """A stand-in title for a source added by its URL, until its details are fetched."""
        return url.split("://", 1)[-1].removeprefix("www.")[:500]

    @property
    def has_stand_in_title(self) -> bool:
        return self.title == self.title_from_url(self.url)

    def editable_by(self, user) -> bool:
        """Source admins edit every source; the researcher who added one may edit it."""
        if user.has_perm("sources.change_source"):
            return True
        return user.has_perm("sources.add_source") and self.added_by_id == user.pk


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SourceFetch(models.Model):
    """A researcher's request to fetch a source's details and keep a snapshot of its text."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetches")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    outcome = models.TextField(blank=True, help_text="What was filled in, or why it failed.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("sources:fetch", args=[self.pk])

    @property
    def waited_too_long(self) -> bool:
        """Still queued past the time a page polls for it: the worker is likely stopped."""
        return self.status == self.Status.QUEUED and waited_too_long(self.created_at)


class SourceSnapshot(models.Model):
    """The text of a source as it was when fetched, so a later change or removal loses nothing."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="snapshots")
    url = models.URLField("URL fetched", max_length=2000)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    fetched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-fetched_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} as of {self.fetched_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("sources:snapshot", args=[self.pk])


class ExternalFactCheckQuerySet(models.QuerySet):
    def by_reviewer(self, name_or_domain: str):
        """Checks by the organisation of this name or domain, as typed into a filter."""
        name_or_domain = name_or_domain.strip()
        return self.filter(
            models.Q(reviewer_name__iexact=name_or_domain)
            | models.Q(reviewer_domain=name_or_domain.lower().removeprefix("www."))
        )

    def refresh_embeddings(self, embedder=None) -> int:
        """Embed these checks' claims afresh (for the matcher), replacing their stored vectors.

        As for claims: each new vector is a new row, so the matcher's in-memory index picks up
        new and reworded checks by asking for rows above the last one it read.
        """
        embedder = embedder or default_embedder()
        checks = list(self.order_by("pk").values_list("pk", "claim_reviewed"))
        if not checks:
            return 0
        compacted = compact(embedder.embed([text for _, text in checks]))
        ExternalFactCheckEmbedding.objects.filter(
            external_check__in=[pk for pk, _ in checks]
        ).delete()
        ExternalFactCheckEmbedding.objects.bulk_create(
            ExternalFactCheckEmbedding(
                external_check_id=pk, model=embedder.name, code=code, vector=vector
            )
            for (pk, _), (code, vector) in zip(checks, compacted, strict=True)
        )
        return len(checks)


class ExternalFactCheck(models.Model):
    """A fact-check another organisation published: its claim, verdict, reviewer and URL.

    Imported from ClaimReview JSON-LD, the Fact Check Tools API or AVeriTeC (sources.factchecks)
    by sources.actions.import_fact_checks. One row per review of one claim: the review URL and
    the claim (case, spacing and punctuation aside) say which, since one article may check
    several claims.
    """

    class Origin(models.TextChoices):
        CLAIMREVIEW = "claimreview", "ClaimReview JSON-LD"
        FACTCHECKTOOLS = "factchecktools", "Fact Check Tools API"
        AVERITEC = "averitec", "AVeriTeC"

    class RatingFamily(models.TextChoices):
        FALSE = "false", "False"
        MOSTLY_FALSE = "mostly_false", "Mostly false"
        MIXED = "mixed", "Mixed or misleading"
        MOSTLY_TRUE = "mostly_true", "Mostly true"
        TRUE = "true", "True"
        UNPROVEN = "unproven", "Unproven"
        OTHER = "other", "Other"

    claim_reviewed = models.TextField("claim reviewed")
    # A key for the claim's wording with case, spacing and punctuation folded away.
    claim_key = models.CharField(max_length=32, editable=False)
    claimant = models.CharField(max_length=300, blank=True)
    claim_date = models.DateField("claim date", null=True, blank=True)
    rating_label = models.CharField("rating", max_length=200, blank=True)
    rating_family = models.CharField(
        "rating family", max_length=20, choices=RatingFamily.choices, default=RatingFamily.OTHER
    )
    reviewer_name = models.CharField("checked by", max_length=300, blank=True)
    reviewer_domain = models.CharField(max_length=253, blank=True)
    reviewer_outlet = models.ForeignKey(
        Outlet,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_fact_checks",
        help_text="The outlet of the reviewer's domain, when the register has it.",
    )
    review_url = models.URLField("review URL", max_length=MAX_URL_LENGTH)
    url_key = models.CharField(max_length=MAX_URL_LENGTH, editable=False)
    archive_url = models.URLField("archived copy", max_length=MAX_URL_LENGTH, blank=True)
    review_date = models.DateField("review date", null=True, blank=True)
    language = models.CharField(max_length=35, blank=True)
    title = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True, help_text="The reviewer's justification, if given.")
    origin = models.CharField(max_length=20, choices=Origin.choices)
    raw = models.JSONField("record as imported", default=dict, editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What search reads: the claim, claimant, reviewer, rating and title.
    search_document = models.TextField(default="", editable=False)

    objects = ExternalFactCheckQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "search_document"])

    class Meta:
        verbose_name = "external fact-check"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["created_at", "id"], name="factcheck_created_keyset"),
            models.Index(fields=["reviewer_domain"], name="factcheck_reviewer_domain"),
            models.Index(fields=["reviewer_name"], name="factcheck_reviewer_name"),
            models.Index(fields=["rating_family", "created_at", "id"], name="factcheck_family"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["url_key", "claim_key"], name="factcheck_once_per_review_and_claim"
            ),
            models.CheckConstraint(
                condition=models.Q(review_url__startswith="http://")
                | models.Q(review_url__startswith="https://"),
                name="factcheck_review_url_http",
            ),
            models.CheckConstraint(
                condition=~models.Q(claim_reviewed=""), name="factcheck_claim_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return (
            self.claim_reviewed
            if len(self.claim_reviewed) <= 80
            else self.claim_reviewed[:79] + "…"
        )

    def get_absolute_url(self) -> str:
        return url_for_pk("sources:factcheck", self.pk)

    @property
    def reviewer(self) -> str:
        """Who checked it, as people know them: the outlet's name, or the name published."""
        if self.reviewer_outlet_id is not None:
            return self.reviewer_outlet.name
        return self.reviewer_name or self.reviewer_domain or "an unnamed organisation"

    @property
    def checked_line(self) -> str:
        """ "Checked by <org> as <rating> on <date>", with the parts it has."""
        line = f"Checked by {self.reviewer}"
        if self.rating_label:
            line += f" as {self.rating_label}"
        if self.review_date:
            line += f" on {self.review_date.day} {self.review_date:%B %Y}"
        return line


class ExternalFactCheckEmbedding(models.Model):
    """The claim an external fact-check reviewed, as the matcher's vectors (lib.embedding).

    Laid out as claims.ClaimEmbedding: signs and int8 values, a row per wording.
    """

    external_check = models.OneToOneField(
        ExternalFactCheck, on_delete=models.CASCADE, related_name="embedding"
    )
    model = models.CharField(max_length=60, help_text="The embedder that made the vector.")
    code = models.BinaryField(help_text="The vector's signs, one bit per dimension.")
    vector = models.BinaryField(help_text="The vector's values as int8.")

    def __str__(self) -> str:
        return f"{self.model} vector of external fact-check {self.external_check_id}"


class FactCheckImport(models.Model):
    """A file of fact-checks imported in the background, with its progress and report."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=20, default="auto")
    size = models.PositiveBigIntegerField(default=0)
    # The file's text until the import ends; emptied then, the report is what stays.
    payload = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Records in the file.")
    processed = models.PositiveIntegerField(default=0, help_text="Records looked at so far.")
    report = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="Why it failed, if it did.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name or 'Import'} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("sources:factcheck_import_status", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def waited_too_long(self) -> bool:
        """Still queued past the time a page polls for it: the worker is likely stopped."""
        return self.status == self.Status.QUEUED and waited_too_long(self.created_at)
