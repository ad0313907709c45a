"""What the API reads and answers, as pydantic schemas: they validate input and make the OpenAPI."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from lib.text import invalid_code_point

# Row ids are 64-bit: a larger number is refused as input instead of overflowing the database.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _storable(value: str) -> str:
    if problem := invalid_code_point(value):
        raise ValueError(problem)
    return value


def Text(max_length: int | None = None, *, min_length: int = 0):  # noqa: N802 (a type)
    """A string the database can hold: no NUL, no lone surrogates, at most max_length long."""
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_storable)
    ]


# Errors: one shape for every refusal.


class Error(Schema):
    detail: str = Field(description="Why the request was refused, in words.")
    errors: dict[str, list[str]] | None = Field(
        None, description="Messages per field, for a request that could not be stored (422)."
    )


class StaleError(Error):
    current_version: int | None = Field(None, description="The version the row is at now.")
    changes: list[str] = Field(
        default_factory=list, description="What changed since the version you sent."
    )


class DuplicateError(Error):
    existing_id: int = Field(description="The article already here.")
    existing_url: str


# The register.


class OutletRef(Schema):
    id: int
    name: str
    reliability: str


class OutletOut(OutletRef):
    domain: str
    reliability_label: str
    notes: str
    version: int


class SourceOut(Schema):
    id: int
    title: str
    url: str
    outlet: OutletRef | None
    author: str
    published_on: datetime.date | None
    type: str
    archive_url: str
    version: int


class FactCheckOut(Schema):
    id: int
    claim_reviewed: str
    claimant: str
    claim_date: datetime.date | None
    rating_label: str
    rating_family: str
    reviewer_name: str
    reviewer_domain: str
    review_url: str
    archive_url: str
    review_date: datetime.date | None
    language: str
    title: str
    summary: str
    origin: str


# Articles.


class ArticleOut(Schema):
    id: int
    title: str
    url: str
    outlet: OutletRef | None
    authors: str
    published_on: datetime.date | None
    language: str
    created_at: datetime.datetime
    version: int
    web_url: str = Field(description="The article's page on this site.")


class ArticleDetail(ArticleOut):
    text: str = Field(description="The canonical plain text; mention offsets point into it.")


class ArticleIn(Schema):
    """An article from its text, or, with only `url`, an import of the page at that URL."""

    title: Text(500) = ""
    text: Text() = Field("", description="The article's plain text. Empty with a URL: import it.")
    url: Text(2000) = ""
    outlet: Id | None = Field(None, description="An outlet of the register, by id.")
    new_outlet: Text(200) = Field("", description="Or an outlet by name (added unrated if new).")
    published_on: datetime.date | None = None


class ImportOut(Schema):
    id: int
    url: str
    status: Literal["queued", "done", "failed"]
    error: str
    article_id: int | None
    status_url: str = Field(description="Where this import stands (this answer, again).")


# Selectors: W3C Web Annotation, https://www.w3.org/TR/annotation-model/#selectors


class TextPositionSelector(Schema):
    type: Literal["TextPositionSelector"]
    start: int = Field(ge=0, le=2**31, description="Offset in code points.")
    end: int = Field(ge=0, le=2**31)


class TextQuoteSelector(Schema):
    type: Literal["TextQuoteSelector"]
    exact: Text(10_000, min_length=1)
    prefix: Text(10_000) = ""
    suffix: Text(10_000) = ""


Selector = Annotated[TextPositionSelector | TextQuoteSelector, Field(discriminator="type")]


class ArticleRef(Schema):
    id: int
    title: str
    url: str = Field(description="The article's own URL, where it was published ('' if none).")
    web_url: str


class Target(Schema):
    source: str = Field(description="The article, by its URL (or its page here, lacking one).")
    selector: list[Selector]


class MentionOut(Schema):
    id: int
    article: ArticleRef
    target: Target
    orphaned: bool = Field(description="Lost its place in an edited text: the offsets are stale.")
    placement: str = Field(description="'' placed; 'approximate' or 'confirm': a person checks.")
    version: int


class MentionIn(Schema):
    """Tag a claim in an article: by offsets (start, end, unit) or by W3C selectors."""

    start: int | None = Field(None, ge=0, le=2**31)
    end: int | None = Field(None, ge=0, le=2**31)
    unit: Literal["codepoint", "utf16"] = Field(
        "codepoint", description="What the offsets count: code points, or UTF-16 code units."
    )
    selector: list[Selector] | None = Field(
        None,
        max_length=10,
        description="A TextQuoteSelector (with prefix and suffix to tell repeats apart), "
        "optionally with a TextPositionSelector.",
    )
    text: Text(10_000) = Field("", description="The claim as a clean sentence.")
    existing_claim: Id | None = Field(None, description="Or: a further mention of this claim.")
    claimant: Text(200) = ""
    claimant_kind: Literal["person", "organisation"] = "person"
    claimant_role: Text(300) = ""
    claimed_on: datetime.date | None = Field(None, description="The article's date when empty.")
    tags: list[Text(100, min_length=1)] = Field(default_factory=list, max_length=50)


# Claims.


class ClaimantOut(Schema):
    id: int
    name: str
    kind: str
    description: str


class ClaimOut(Schema):
    id: int
    text: str
    status: str
    claimant: str | None
    claimed_on: datetime.date | None
    verdict: str | None = Field(description="The rating's label, once given.")
    verdict_as_of: datetime.date | None
    mention_count: int
    evidence_count: int
    supports_count: int
    contradicts_count: int
    context_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int
    web_url: str


class EvidenceOut(Schema):
    id: int
    source: SourceOut
    stance: Literal["supports", "contradicts", "context"]
    excerpt: str
    note: str
    added_by: str | None
    created_at: datetime.datetime
    version: int


class VerdictOut(Schema):
    rating: str
    rationale: str
    as_of: datetime.date | None
    published_at: datetime.datetime | None
    public_url: str


class ClaimDetail(ClaimOut):
    claimant_detail: ClaimantOut | None
    tags: list[str]
    reviewer: str | None
    submitted_at: datetime.datetime | None
    published_at: datetime.datetime | None
    merged_into: int | None = Field(description="The claim this one was merged into, if any.")
    mentions: list[MentionOut]
    evidence: list[EvidenceOut]
    verdict: VerdictOut | None = Field(description="The verdict, while the claim is published.")


class EvidenceIn(Schema):
    source: Text(2000, min_length=1) = Field(
        description="A source of the register as '#<id>', or a URL (a new one is added)."
    )
    stance: Literal["supports", "contradicts", "context"]
    excerpt: Text(5000) = ""
    note: Text(10_000) = ""
    title: Text(500) = Field("", description="For a new source: its title (else fetched).")
    type: Text(20) = Field("", description="For a new source: news, report, data …")


class StepIn(Schema):
    version: Version = Field(description="The claim's version you saw: a stale one gets 409.")


class ReturnIn(StepIn):
    note: Text(5000, min_length=1) = Field(description="What the researcher should do.")


class PublishIn(StepIn):
    rating: Text(50, min_length=1) = Field(description="A step of the rating scale, by label.")
    rationale: Text(50_000, min_length=1)
    as_of: datetime.date
    without_evidence: bool = Field(False, description="Publish a claim that has no evidence.")


class SimilarOut(Schema):
    kind: Literal["claim", "external"]
    id: int
    text: str
    status: str
    verdict: str
    date: datetime.date | None
    checked_by: str
    score: float
    confident: bool
    web_url: str
    external_url: str


# Pages of a list.


class Page(Schema):
    next: str | None = Field(description="The next page's URL, or null on the last page.")
    cursor: str | None = Field(description="The opaque cursor in `next`.")


class ClaimPage(Page):
    items: list[ClaimOut]


class ArticlePage(Page):
    items: list[ArticleOut]


class SourcePage(Page):
    items: list[SourceOut]


class OutletPage(Page):
    items: list[OutletOut]


class FactCheckPage(Page):
    items: list[FactCheckOut]
