"""Articles: the documents whose canonical plain text claims are anchored to."""

import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from lib.links import url_for_pk
from lib.tasks import waited_too_long


def text_hash(text: str) -> str:
    """The hash duplicates are found by: texts that differ only in spacing are one article.

    Runs of whitespace, paragraph breaks included, count as one space, so the same story pasted
    from a page (one line a paragraph) and from an e-mail (blank lines between) is refused.
    """
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class ArticleQuerySet(models.QuerySet):
    def copy_of(self, *, url: str, text: str) -> "Article | None":
        """An article stored under this canonical URL, or with this text (spacing aside)."""
        if url and (same_url := self.filter(url=url).first()):
            return same_url
        return self.filter(content_hash=text_hash(text)).first() if text else None


class Article(models.Model):
    title = models.CharField(max_length=500)
    url = models.URLField("URL", max_length=2000, blank=True, help_text="The canonical URL.")
    outlet = models.ForeignKey(
        "sources.Outlet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    authors = models.CharField(max_length=500, blank=True)
    published_on = models.DateField("published", null=True, blank=True)
    language = models.CharField(max_length=35, default="en", help_text="BCP 47 tag, e.g. en.")
    text = models.TextField(help_text="The canonical plain text; mentions point into it.")
    html = models.TextField("sanitised HTML", blank=True)
    content_hash = models.CharField(max_length=64, editable=False, db_index=True)
    search_document = models.TextField(default="", editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The database default serves bulk loaders that write rows without naming it (generate_data).
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()
    # Who changed what and why; the texts themselves are kept as ArticleRevision rows.
    history = HistoricalRecords(excluded_fields=["text", "html", "search_document", "updated_at"])

    class Meta:
        ordering = ["-published_on", "-pk"]
        indexes = [models.Index(fields=["created_at", "id"], name="article_created_keyset")]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~models.Q(url=""), name="article_url_unique"
            ),
            models.CheckConstraint(condition=~models.Q(text=""), name="article_text_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(content_hash=""), name="article_hash_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_for_pk("reader:article", self.pk)


class ArticleRevision(models.Model):
    """A text the article had before an edit: kept so no version is ever lost."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField()
    content_hash = models.CharField(max_length=64)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.article} before {self.replaced_at:%Y-%m-%d %H:%M}"


class ArticleFetch(models.Model):
    """A request to import an article from a URL, worked by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    url = models.URLField("URL", max_length=2000)
    # The outlet the person chose when asking, given to the article the import adds.
    outlet = models.ForeignKey(
        "sources.Outlet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.url} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("articles:fetch", args=[self.pk])

    @property
    def waited_too_long(self) -> bool:
        """Still queued past the time a page polls for it: the worker is likely stopped."""
        return self.status == self.Status.QUEUED and waited_too_long(self.created_at)
