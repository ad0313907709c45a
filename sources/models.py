"""The register: outlets with their reliability, sources, and the fetches and snapshots of them."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

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
