"""Claims, who makes them, where articles state them, the evidence on them, the verdict scale."""

import math
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.dateparse import parse_date
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from lib.embedding import compact
from lib.embedding import embedder as default_embedder
from lib.links import url_for_pk
from sources.models import ExternalFactCheck, Source, SourceFetch

from .anchoring import Anchor, AnchorError, check_anchor
from .balance import EvidenceBalance


class ClaimantKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


class Claimant(models.Model):
    """A person or organisation that makes claims."""

    Kind = ClaimantKind

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    description = models.CharField(
        max_length=300, blank=True, help_text="Role at the time, e.g. President of Ukraine."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ClaimantKind.values), name="claimant_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RatingQuerySet(models.QuerySet):
    def scale(self) -> dict:
        """The best and worst numeric values on the scale (None where no step has a number)."""
        bounds = self.aggregate(best=models.Max("value"), worst=models.Min("value"))
        return {"best": bounds["best"], "worst": bounds["worst"]}


class Rating(models.Model):
    """One step of the verdict scale, from most true (position 1) downwards."""

    label = models.CharField(max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(unique=True, help_text="Order on the scale.")
    value = models.SmallIntegerField(
        null=True, blank=True, help_text="Numeric rating, empty for off-scale labels."
    )
    colour = models.CharField(max_length=7, default="#777777", help_text="Hex colour, #rrggbb.")
    description = models.TextField(blank=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="rating_colour_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def tone(self) -> str:
        """The colour family a verdict is shown in, the same on every page: one of TONES.

        A label that names a tone is that tone, so the default scale and scales that reuse its
        words need no query. Another label is placed by its value between the scale's best and
        worst; a step with no value is unverified.
        """
        named = slugify(self.label)
        if named in TONES:
            return named
        if self.value is None:
            return UNVERIFIED
        return tone_between(self.value, **_scale_bounds())


# The verdict colour families, most true first; `.verdict-<tone>` in app.css paints each.
TRUE_TO_FALSE = ["true", "mostly-true", "partly-true", "misleading", "mostly-false", "false"]
UNVERIFIED = "unverified"
TONES = [*TRUE_TO_FALSE, UNVERIFIED]
# A custom scale's bounds change only when an administrator edits it: a minute's delay in a
# verdict's colour is fine, one query per verdict shown in a list is not.
SCALE_BOUNDS_SECONDS = 60


def _scale_bounds() -> dict:
    return cache.get_or_set("rating-scale-bounds", Rating.objects.scale, SCALE_BOUNDS_SECONDS)


def tone_between(value: int, *, best: int | None, worst: int | None) -> str:
    """The tone of a value on a numeric scale: its share of the way from worst to best."""
    if best is None or worst is None or best == worst:
        return UNVERIFIED
    truth = (min(max(value, worst), best) - worst) / (best - worst)
    # Halfway between two tones takes the truer one: a verdict is not made harsher by rounding.
    return TRUE_TO_FALSE[math.ceil((1 - truth) * (len(TRUE_TO_FALSE) - 1) - 0.5)]


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClaimQuerySet(models.QuerySet):
    def unmerged(self):
        """Claims that stand on their own: a claim merged into another is only a redirect."""
        return self.filter(merged_into=None)

    def published(self):
        return self.filter(status=ClaimStatus.PUBLISHED)

    def awaiting_review(self):
        """Submitted claims, the longest-waiting first."""
        return self.unmerged().filter(status=ClaimStatus.SUBMITTED).order_by("submitted_at", "pk")

    def in_review(self):
        return (
            self.unmerged()
            .filter(status=ClaimStatus.IN_REVIEW)
            .order_by("reviewer", "submitted_at", "pk")
        )

    def with_list_details(self):
        return self.select_related("claimant", "rating")

    def as_list_rows(self):
        """A dict per claim of what a row of the claims list shows and its sorts read.

        Dicts, not models: fifty claims with their claimant and verdict were 150 instances,
        built for a few values each, and a third of the list's Python.
        """
        return self.values(
            "pk",
            "text",
            "status",
            "mention_count",
            "evidence_count",
            "created_at",
            "rating_id",
            claimant_name=models.F("claimant__name"),
            rating_label=models.F("rating__label"),
            rating_value=models.F("rating__value"),
        )

    def with_page_details(self):
        """What the claim page shows of the claim itself, and which of its lists hold anything.

        Most claims have no comments, tags or links to other fact-checks: an EXISTS in this
        query costs far less than a query of its own for each list found empty. `public_since`
        is when the verdict the public reads was published (None if never published).
        """

        def present(model, field="claim"):
            return models.Exists(model.objects.filter(**{field: models.OuterRef("pk")}))

        public = Publication.objects.current().filter(claim=models.OuterRef("pk"))
        return self.select_related("claimant", "rating", "reviewer").annotate(
            has_mentions=present(Mention),
            has_comments=present(Comment),
            has_external_links=present(ExternalCheckLink),
            has_tags=present(Claim.tags.through),
            public_since=models.Subquery(public.values("published_at")[:1]),
        )

    def refresh_search_documents(self) -> None:
        """Rebuild what search reads for these claims (a few at a time: it reads their rows)."""
        claims = self.select_related("claimant").prefetch_related("tags", "mentions")
        for claim in claims:
            # A merged claim is found through its survivor only: its words are searched there.
            document = (
                ""
                if claim.is_merged
                else search_document(
                    text=claim.text,
                    claimant=claim.claimant.name if claim.claimant else "",
                    tags=[tag.name for tag in claim.tags.all()],
                    quotes=[mention.quote for mention in claim.mentions.all()],
                )
            )
            if document != claim.search_document:
                Claim.objects.filter(pk=claim.pk).update(search_document=document)

    def refresh_embeddings(self, embedder=None) -> int:
        """Embed these claims' texts afresh (for claims.matching), replacing their stored vectors.

        Each new vector is a new row, so the matcher's in-memory index picks up new and reworded
        claims alike by asking for rows above the last one it read.
        """
        embedder = embedder or default_embedder()
        claims = list(self.order_by("pk").values_list("pk", "text"))
        if not claims:
            return 0
        compacted = compact(embedder.embed([text for _, text in claims]))
        ClaimEmbedding.objects.filter(claim__in=[pk for pk, _ in claims]).delete()
        ClaimEmbedding.objects.bulk_create(
            ClaimEmbedding(claim_id=pk, model=embedder.name, code=code, vector=vector)
            for (pk, _), (code, vector) in zip(claims, compacted, strict=True)
        )
        return len(claims)

    def recount(self) -> int:
        """Bring the stored mention and evidence counts of these claims up to date."""

        def count(model, **match):
            rows = model.objects.filter(claim=models.OuterRef("pk"), **match).order_by()
            return models.Subquery(
                rows.values("claim").annotate(n=models.Count("pk")).values("n")[:1]
            )

        return self.update(
            mention_count=Coalesce(count(Mention), 0),
            evidence_count=Coalesce(count(Evidence), 0),
            supports_count=Coalesce(count(Evidence, stance="supports"), 0),
            contradicts_count=Coalesce(count(Evidence, stance="contradicts"), 0),
            context_count=Coalesce(count(Evidence, stance="context"), 0),
        )


def search_document(*, text: str, claimant: str, tags, quotes) -> str:
    """What search reads for a claim: its words, its claimant, its tags, its mentions' quotes.

    The one builder: the actions keep it current through refresh_search_documents, and the
    bulk loader (generate_data) calls it directly for rows it inserts without the ORM.
    """
    return "\n".join(part for part in (text, claimant, *tags, *quotes) if part)


COUNTERS = [
    "mention_count",
    "evidence_count",
    "supports_count",
    "contradicts_count",
    "context_count",
]
# Computed by the actions (recount, refresh_search_documents), never by an ordinary save.
DERIVED = [*COUNTERS, "search_document"]


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class Claim(models.Model):
    """A proposition, in the researcher's words, that can be checked and rated."""

    Status = ClaimStatus

    text = models.TextField("claim", help_text="The proposition, as a clean sentence.")
    claimant = models.ForeignKey(
        Claimant, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    claimed_on = models.DateField("claim date", null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="claims")
    # Other organisations' fact-checks of the same claim ("checked elsewhere").
    external_checks = models.ManyToManyField(
        ExternalFactCheck, through="ExternalCheckLink", blank=True, related_name="claims"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    rationale = models.TextField(blank=True)
    verdict_as_of = models.DateField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text="Raised by every saved edit.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When a published verdict was last reopened; the public page says "under review since".
    reopened_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by recount() in every action that adds, changes or removes a mention or evidence
    # item, so lists can filter and sort on them without joining and counting at a million.
    mention_count = models.PositiveIntegerField(default=0, editable=False)
    evidence_count = models.PositiveIntegerField(default=0, editable=False)
    supports_count = models.PositiveIntegerField(default=0, editable=False)
    contradicts_count = models.PositiveIntegerField(default=0, editable=False)
    context_count = models.PositiveIntegerField(default=0, editable=False)
    # What search reads: the claim, its claimant, tags and the quotes of its mentions.
    search_document = models.TextField(default="", editable=False)
    # A duplicate merged into another claim (actions.merge_claims) keeps its row and its history
    # but nothing else: its pages redirect to the survivor and it leaves every list.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="absorbed",
        editable=False,
    )
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ClaimQuerySet.as_manager()
    # The audit trail: every saved state, who saved it, and why (the workflow step).
    history = HistoricalRecords(excluded_fields=["updated_at", *DERIVED])

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("review_claim", "Can review claims and publish verdicts")]
        indexes = [
            # The list's orderings, each with the pk that breaks ties for keyset paging.
            models.Index(fields=["created_at", "id"], name="claim_created_keyset"),
            models.Index(fields=["evidence_count", "id"], name="claim_evidence_keyset"),
            models.Index(fields=["status", "created_at", "id"], name="claim_status_created"),
            # The public index's version asks for the latest merge: a few rows, never a scan.
            models.Index(
                fields=["merged_at"],
                condition=models.Q(merged_into__isnull=False),
                name="claim_merged_at",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="claim_text_not_empty"),
            models.CheckConstraint(
                condition=models.Q(status__in=ClaimStatus.values), name="claim_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | models.Q(rating__isnull=False, reviewer__isnull=False),
                name="claim_published_has_verdict",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")), name="claim_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=models.Q(merged_into__isnull=True, merged_at__isnull=True)
                | models.Q(merged_into__isnull=False, merged_at__isnull=False),
                name="claim_merged_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def save(self, *args, **kwargs):
        # The counters belong to recount(); an edit saved from an older copy must not undo it.
        if not self._state.adding and kwargs.get("update_fields") is None:
            fields = [f.name for f in self._meta.concrete_fields if not f.primary_key]
            kwargs["update_fields"] = [name for name in fields if name not in DERIVED]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return url_for_pk("claims:detail", self.pk)

    @property
    def is_published(self) -> bool:
        """Published means frozen: nothing of the claim changes until a reviewer reopens it."""
        return self.status == ClaimStatus.PUBLISHED

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class ClaimEmbedding(models.Model):
    """A claim's wording as the matcher's vectors (lib.embedding): signs and int8 values.

    Kept beside the claim rather than on it: no history of derived numbers, a claim row that lists
    still read quickly, and a row per wording, so the newest rows are what changed.
    """

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="embedding")
    model = models.CharField(max_length=60, help_text="The embedder that made the vector.")
    code = models.BinaryField(help_text="The vector's signs, one bit per dimension.")
    vector = models.BinaryField(help_text="The vector's values as int8.")

    def __str__(self) -> str:
        return f"{self.model} vector of claim {self.claim_id}"


class MentionPlacement(models.TextChoices):
    # Blank: where it was tagged, or moved by itself with its exact words.
    APPROXIMATE = "approximate", "Moved to slightly edited words; to check"
    CONFIRM = "confirm", "Needs confirmation"


class Mention(models.Model):
    """Where an article states a claim: a span of its text, kept as position and quote."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="mentions")
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="mentions"
    )
    start = models.PositiveIntegerField(help_text="Offset of the first character (code points).")
    end = models.PositiveIntegerField(help_text="Offset just past the last character.")
    quote = models.TextField(help_text="The exact text at start–end.")
    prefix = models.CharField(max_length=32, blank=True)
    suffix = models.CharField(max_length=32, blank=True)
    orphaned = models.BooleanField(
        default=False, help_text="Lost its place when the text was edited; start/end are stale."
    )
    # After a text edit a mention moves by itself only when its words certainly are there;
    # otherwise a person decides (see claims.anchoring.place and actions.revise_article_text).
    placement = models.CharField(
        max_length=20, choices=MentionPlacement.choices, blank=True, default=""
    )
    placement_reason = models.TextField(blank=True)
    previous_quote = models.TextField(blank=True, help_text="The quote before the text edit.")
    candidates = models.JSONField(
        default=list, blank=True, help_text="[start, end] places a person may choose from."
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="mention_start_before_end"
            ),
            models.CheckConstraint(condition=~models.Q(quote=""), name="mention_quote_not_empty"),
            models.UniqueConstraint(
                fields=["claim", "article", "start", "end"], name="mention_once_per_span"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote[:60]} ({self.start}–{self.end})"

    def save(self, *args, **kwargs):
        # The anchor is checked on every save, not only in forms: a wrong span is never stored.
        self.clean()
        super().save(*args, **kwargs)

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.start, self.end, self.quote, self.prefix, self.suffix)

    @property
    def has_place(self) -> bool:
        """Drawn in the text: neither an orphan nor waiting for a person to confirm a place."""
        return not self.orphaned and self.placement != MentionPlacement.CONFIRM

    def move_to(self, anchor: Anchor) -> None:
        self.start, self.end, self.quote = anchor.start, anchor.end, anchor.quote
        self.prefix, self.suffix = anchor.prefix, anchor.suffix

    def clean(self):
        if self.start is None or self.end is None or self.article_id is None:
            return  # field validation reports what is missing
        if not self.has_place:
            return  # it keeps its last quote and context, not a place in this text
        try:
            anchor = check_anchor(self.article.text, self.start, self.end, self.quote)
        except AnchorError as error:
            raise ValidationError(str(error)) from error
        self.prefix, self.suffix = anchor.prefix, anchor.suffix


EXCERPT_MAX_LENGTH = 5000


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    CONTEXT = "context", "Context"


# How a stance reads before "evidence": "supporting evidence", "context evidence".
STANCE_ADJECTIVES = {"supports": "supporting", "contradicts": "contradicting", "context": "context"}


# What a claim page draws of an evidence item (EvidenceQuerySet.drawn).
DRAWN_EVIDENCE_FIELDS = (
    "pk",
    "stance",
    "excerpt",
    "note",
    "version",
    "source_id",
    "source__title",
    "source__url",
    "source__published_on",
    "source__added_by_id",
    "source__outlet_id",
    "source__outlet__name",
    "source__outlet__reliability",
    "added_by__username",
)


class EvidenceQuerySet(models.QuerySet):
    def balances(self) -> dict[int, EvidenceBalance]:
        """The evidence balance of each claim these rows belong to, in one query."""
        rows = self.values_list("claim_id", "stance", "source__outlet__reliability")
        by_claim = defaultdict(list)
        for claim_id, stance, reliability in rows.order_by():
            by_claim[claim_id].append((stance, reliability))
        return {claim_id: EvidenceBalance.of(items) for claim_id, items in by_claim.items()}

    def drawn(self):
        """Rows holding just what a claim page shows of each item, in the order it shows them.

        Dictionaries, not models: fifty items were two hundred model instances (the item, its
        source, outlet and adder), built for a dozen values each.
        """
        queued = SourceFetch.objects.filter(
            source=models.OuterRef("source_id"), status=SourceFetch.Status.QUEUED
        )
        return (
            self.annotate(title_being_fetched=models.Exists(queued))
            .order_by("source__published_on", "pk")
            .values(*DRAWN_EVIDENCE_FIELDS, "title_being_fetched")
        )


class Evidence(models.Model):
    """A source that bears on a claim, with the way it points and the passage that matters."""

    Stance = Stance

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
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
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

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


class ExternalCheckLink(models.Model):
    """A claim of ours that another organisation has checked: who linked it, and when."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="external_check_links")
    external_check = models.ForeignKey(
        ExternalFactCheck, on_delete=models.PROTECT, related_name="claim_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "link to an external fact-check"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "external_check"], name="external_check_linked_once"
            )
        ]

    def __str__(self) -> str:
        return f"Claim {self.claim_id} checked elsewhere: {self.external_check_id}"


class PublicationQuerySet(models.QuerySet):
    def current(self):
        """The verdict the public reads for each claim ever published: its latest publication."""
        return self.filter(current=True)

    def listed(self):
        """What the public index and the feed list: the current publications of claims that
        stand on their own (a merged claim's public page redirects to its survivor's)."""
        return self.current().filter(claim__merged_into=None)


class Publication(models.Model):
    """A verdict as it was published, kept whole: what the public page and the feed show.

    publish_verdict writes one each time a claim is published, copying what the public reads
    (the claim, its appearances and its evidence), so a reopened claim keeps showing its last
    published verdict while the desk works on the next, and every update is listed.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="publications")
    number = models.PositiveIntegerField(help_text="1 for the first publication, then 2, 3…")
    current = models.BooleanField(default=True, help_text="The latest publication of its claim.")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_published_on = models.DateField(help_text="The date of the claim's first verdict.")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    verdict_as_of = models.DateField()
    claim_text = models.TextField()
    claimant = models.CharField(max_length=200, blank=True)
    claimant_is_person = models.BooleanField(default=True)
    claimant_description = models.CharField(max_length=300, blank=True)
    claimed_on = models.DateField(null=True, blank=True)
    # Lists of dicts. Appearances: quote, headline, url, publisher, published_on (ISO date).
    # Evidence: title, url, outlet, published_on, stance, excerpt.
    appearances = models.JSONField(default=list)
    evidence = models.JSONField(default=list)
    changes = models.TextField(
        blank=True, help_text="What changed since the previous publication, one change a line."
    )

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "number"]
        indexes = [
            # The feed: current publications, the most recently published first.
            models.Index(
                fields=["published_at", "id"],
                condition=models.Q(current=True),
                name="publication_current_feed",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["claim", "number"], name="publication_number_unique"),
            models.UniqueConstraint(
                fields=["claim"], condition=models.Q(current=True), name="publication_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}: {self.claim_text[:60]} (publication {self.number})"

    @property
    def change_list(self) -> list[str]:
        return [line for line in self.changes.splitlines() if line]

    def appearance_list(self) -> list[dict]:
        """The appearances as published, with their dates as dates."""
        return _dated(self.appearances)

    def evidence_groups(self) -> list[tuple[str, str, list[dict]]]:
        """The evidence as published, grouped by stance in the order the claim page uses."""
        items = _dated(self.evidence)
        return [
            (stance, heading, [item for item in items if item["stance"] == stance])
            for stance, heading in EVIDENCE_HEADINGS
        ]


def _dated(items: list[dict]) -> list[dict]:
    return [
        {**item, "published_on": parse_date(item["published_on"] or "") or None} for item in items
    ]


EVIDENCE_HEADINGS = [
    (Stance.SUPPORTS, "Supporting evidence"),
    (Stance.CONTRADICTS, "Contradicting evidence"),
    (Stance.CONTEXT, "Context"),
]


# The desk's talk and hand-offs: comments on a claim, and who is told about what.

COMMENT_MAX_LENGTH = 5000


class Comment(models.Model):
    """A remark in a claim's discussion. Talk changes nothing of the record, so it has no
    version or history of its own: comments are only ever added, by their author."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    # Those the body names as @username and who were told, kept for the record.
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body=""), name="comment_body_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), COMMENT_MAX_LENGTH),
                name="comment_body_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on claim {self.claim_id}"


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted for review"
    ASSIGNED = "assigned", "Assigned to you"
    RETURNED = "returned", "Returned to the researcher"
    PUBLISHED = "published", "Verdict published"
    MENTIONED = "mentioned", "Mentioned you"
    COMMENTED = "commented", "New comment"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_inbox(self, user):
        """The user's notifications, newest first, with what the inbox shows of each."""
        return (
            self.filter(recipient=user)
            .select_related("claim", "actor")
            .order_by("-created_at", "-pk")
        )


class Notification(models.Model):
    """Something a person should know about a claim: a hand-off to them, or a word for them."""

    Kind = NotificationKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The inbox, and the unread count in every page's header.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values),
                name="notification_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


# Webhooks: other systems (a CMS, a chat, a script) told of the desk's events. claims.webhooks
# builds and signs what is sent; claims.tasks sends it; claims.actions writes these rows.


class WebhookEvent(models.TextChoices):
    CLAIM_SUBMITTED = "claim.submitted", "A claim is submitted for review"
    CLAIM_PUBLISHED = "claim.published", "A verdict is published"
    CLAIM_REOPENED = "claim.reopened", "A published claim is reopened"
    EVIDENCE_ADDED = "evidence.added", "Evidence is added to a claim"


# What "Send a test ping" sends: every hook gets it on request, none subscribes to it.
PING = "ping"
WEBHOOK_URL_MAX_LENGTH = 2000


class WebhookQuerySet(models.QuerySet):
    def with_last_delivery(self):
        """Each hook with its latest delivery's event, status, code and time, in one query."""
        latest = WebhookDelivery.objects.filter(webhook=models.OuterRef("pk")).order_by(
            "-created_at", "-pk"
        )
        return self.annotate(
            **{
                f"last_{field}": models.Subquery(latest.values(field)[:1])
                for field in ("event", "status", "status_code", "created_at")
            }
        )


class Webhook(models.Model):
    """An address told of the events it subscribes to, each delivery signed with its secret."""

    url = models.URLField("address", max_length=WEBHOOK_URL_MAX_LENGTH)
    events = models.JSONField(default=list, help_text="WebhookEvent values, in their order.")
    # Kept in the clear: signing needs it. Never in the history, so a rotation forgets the old one.
    secret = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised by every saved edit.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WebhookQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return url_for_pk("claims:webhook", self.pk)

    def subscribes_to(self, event: str) -> bool:
        return event in self.events

    @property
    def event_labels(self) -> list[str]:
        return [WebhookEvent(event).label for event in self.events if event in WebhookEvent]

    @property
    def last_status_label(self) -> str:
        """The latest delivery's status in words (with_last_delivery), '' when none was sent."""
        status = getattr(self, "last_status", None)
        return DeliveryStatus(status).label if status else ""


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its first attempt
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed, will retry"  # the last attempt failed; next_attempt_at is set
    GAVE_UP = "gave_up", "Gave up"  # no attempt is left


class WebhookDelivery(models.Model):
    """One event sent to one hook, with what its attempts met (the hook page's delivery log)."""

    Status = DeliveryStatus

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30)
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    status_code = models.PositiveSmallIntegerField("last status code", null=True, blank=True)
    error = models.CharField("last error", max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["webhook", "-created_at", "-id"], name="webhook_delivery_log"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="webhook_delivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id} ({self.status})"
