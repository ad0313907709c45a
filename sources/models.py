"""The register of outlets and sources, and the evidence that links a source to a claim."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length, Lower
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

from .urlnorm import InvalidURL, domain_candidates, domain_of, normalise_url

EXCERPT_MAX_LENGTH = 5000


class OutletQuerySet(models.QuerySet):
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

    objects = OutletQuerySet.as_manager()

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

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().removeprefix("www.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("sources:outlet", args=[self.pk])


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

    url = models.URLField("URL", max_length=2000, unique=True)
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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
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

    def save(self, *args, **kwargs):
        # Every write path stores the canonical spelling, so uniqueness means "one document".
        self.clean()
        if self.outlet_id is None:
            self.outlet = Outlet.objects.for_domain(domain_of(self.url))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("sources:detail", args=[self.pk])

    def clean(self):
        try:
            self.url = normalise_url(self.url)
        except InvalidURL as error:
            raise ValidationError({"url": str(error)}) from error


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    CONTEXT = "context", "Context"


class Evidence(models.Model):
    """A source that bears on a claim, with the way it points and the passage that matters."""

    Stance = Stance

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence")
    stance = models.CharField(max_length=20, choices=Stance.choices)
    excerpt = models.TextField(
        blank=True,
        max_length=EXCERPT_MAX_LENGTH,
        help_text="The passage of the source that bears on the claim.",
    )
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["stance", "source__published_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "source", "stance"], name="evidence_once_per_claim_source_stance"
            ),
            models.CheckConstraint(
                condition=models.Q(stance__in=Stance.values), name="evidence_stance_valid"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("excerpt"), EXCERPT_MAX_LENGTH),
                name="evidence_excerpt_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_stance_display().lower()} claim {self.claim_id}"
