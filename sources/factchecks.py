"""Other organisations' published fact-checks, read from the formats found in the wild (pure).

Three inputs become one list of `Record`s plus per-record `Refusal`s with reasons:

- schema.org ClaimReview JSON-LD: one object, a list, an `@graph`, a `DataFeed` whose
  `dataFeedElement` items may wrap the review in `item`, or HTML-ish text with one
  `<script type="application/ld+json">` block per line (the DataCommons fact-check feed);
- the Google Fact Check Tools API's `claims:search` answer (one record per review of a claim);
- the AVeriTeC data set (a list of claims with their label, justification and article).

A file that is malformed as a whole (not JSON, of a shape none of these has, over the size
limit) raises `FileRefused`; nothing of it is to be stored. Every text is cleaned (control and
invisible direction characters dropped, white space collapsed, length capped), every URL must be
http(s) and is stored in its canonical spelling (`urlnorm`). No Django imports.
"""

import datetime
import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from .urlnorm import InvalidURL, domain_of, normalise_url, url_key

FORMATS = ("claimreview", "factchecktools", "averitec")

# Longest values kept. A claim longer than CLAIM_MAX_LENGTH is refused (it is not a claim but a
# page); the other fields are cut with an ellipsis, since they only describe the claim.
CLAIM_MAX_LENGTH = 5000
NAME_MAX_LENGTH = 300
LABEL_MAX_LENGTH = 200
TITLE_MAX_LENGTH = 500
SUMMARY_MAX_LENGTH = 10_000
LANGUAGE_MAX_LENGTH = 35

# Characters dropped from every text: controls (NUL included), lone surrogates, non-characters,
# and the invisible marks that reverse the direction of what follows.
_DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SCRIPT_BLOCK = re.compile(
    r"<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script\s*>",
    re.IGNORECASE | re.DOTALL,
)
_WAYBACK = re.compile(r"^https?://web\.archive\.org/web/[^/]+/+(?P<original>https?:/+.+)$", re.I)
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


class FileRefused(ValueError):
    """The file as a whole cannot be imported; the message says why, for the person."""


@dataclass(frozen=True)
class Refusal:
    """A record that was not taken: where it is in the file and why."""

    position: int  # 1-based, in the order the file lists reviews
    reason: str
    claim: str = ""  # the start of its claim, when it has one, to find it in the file

    def __str__(self) -> str:
        about = f" (“{self.claim}”)" if self.claim else ""
        return f"Record {self.position}{about}: {self.reason}"


@dataclass(frozen=True)
class Record:
    """One published review of one claim, cleaned and ready to store."""

    position: int
    claim_reviewed: str
    review_url: str  # canonical (urlnorm.normalise_url)
    rating_label: str = ""
    reviewer_name: str = ""
    reviewer_domain: str = ""
    claimant: str = ""
    claim_date: datetime.date | None = None
    review_date: datetime.date | None = None
    language: str = ""
    title: str = ""
    summary: str = ""
    archive_url: str = ""
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def url_key(self) -> str:
        return url_key(self.review_url)

    @property
    def claim_key(self) -> str:
        return claim_key(self.claim_reviewed)

    @property
    def rating_family(self) -> str:
        return rating_family(self.rating_label)


@dataclass
class Parsed:
    format: str
    records: list[Record] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    # Records that repeat an earlier one of the same file (same review of the same claim).
    skipped: list[Refusal] = field(default_factory=list)


# Text.


def clean_line(value, limit: int) -> str:
    """A one-line text: entities decoded, controls dropped, white space collapsed, capped."""
    text = _clean(value)
    return shorten(" ".join(text.split()), limit)


def clean_paragraphs(value, limit: int) -> str:
    """A text that may have paragraphs: as clean_line, but line breaks are kept."""
    text = _clean(value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return shorten(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), limit)


def _clean(value) -> str:
    if value is None or isinstance(value, dict | list | bool):
        return ""
    text = html.unescape(str(value))
    return _BIDI_CONTROLS.sub("", _DROPPED.sub("", unicodedata.normalize("NFC", text)))


# What PostgreSQL's jsonb cannot hold (NUL) or UTF-8 cannot encode (lone surrogates).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff\ufffe\uffff]")
RAW_MAX_CHARACTERS = 200_000


def clean_raw(value, depth: int = 0):
    """The record as imported, for audit, with only what the database cannot store removed."""
    if depth > 50:
        return None
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value)
    if isinstance(value, list):
        return [clean_raw(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {_UNSTORABLE.sub("", str(k)): clean_raw(v, depth + 1) for k, v in value.items()}
    return value


def audit_copy(value: dict) -> dict:
    raw = clean_raw(value)
    size = len(json.dumps(raw, ensure_ascii=False))
    if size > RAW_MAX_CHARACTERS:
        return {"omitted": f"The record was {size:,} characters of JSON; not kept."}
    return raw


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def claim_key(claim: str) -> str:
    """One key for the spellings of a claim that differ only in case, spacing or punctuation."""
    folded = " ".join(re.sub(r"[\W_]+", " ", claim.casefold()).split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


# Ratings: the label is kept as published; the family puts the world's labels on one scale.

RATING_FAMILIES = {
    "false": "False",
    "mostly_false": "Mostly false",
    "mixed": "Mixed or misleading",
    "mostly_true": "Mostly true",
    "true": "True",
    "unproven": "Unproven",
    "other": "Other",
}
# Checked in order; the first family with a word in the label wins (so "mostly false" is read
# before "false", "half true" before "true").
_FAMILY_WORDS = [
    ("mostly_false", ("mostly false", "mostly incorrect", "largely false", "mostly fake")),
    ("mostly_true", ("mostly true", "mostly correct", "largely true", "mostly accurate")),
    (
        "mixed",
        (
            "half true",
            "half-true",
            "mixture",
            "mixed",
            "misleading",
            "cherry",
            "conflicting",
            "missing context",
            "lacks context",
            "partly",
            "partially",
            "exaggerat",
            "distort",
            "out of context",
            "enganoso",
            "engañoso",
        ),
    ),
    (
        "unproven",
        ("unproven", "unverified", "not enough evidence", "no evidence", "unsubstantiated"),
    ),
    (
        "false",
        (
            "false",
            "pants on fire",
            "fake",
            "refuted",
            "incorrect",
            "wrong",
            "hoax",
            "four pinocchios",
            "4 pinocchios",
            "falso",
            "falsa",
            "faux",
            "falsch",
            "fabricated",
            "scam",
            "baseless",
        ),
    ),
    (
        "true",
        ("true", "correct", "accurate", "supported", "verdadeiro", "verdadero", "vrai", "richtig"),
    ),
]


def rating_family(label: str) -> str:
    """The family of a published rating label, "other" when none fits (a question, say)."""
    text = " ".join(label.casefold().split())
    if not text or text.endswith("?"):
        return "other"
    for family, words in _FAMILY_WORDS:
        if any(word in text for word in words):
            return family
    return "other"


# Dates and URLs.


def parse_date(value) -> datetime.date | None:
    """A date from ISO 8601 (a date or a timestamp) or day-month-year; None if it is neither."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if match := _DAY_MONTH_YEAR.match(text):
        day, month, year = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _review_url(value) -> tuple[str, str]:
    """The canonical review URL and, for a Wayback Machine copy, that copy's URL.

    Raises InvalidURL with the reason when the value is not an http(s) URL.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidURL("it has no review URL")
    text = value.strip()
    if match := _WAYBACK.match(text):
        original = re.sub(r"^(https?):/+", r"\1://", match["original"])
        return normalise_url(original), normalise_url(text)
    return normalise_url(text), ""


def _domain(url: str) -> str:
    return domain_of(url).lower() if url else ""


# Reading the file.


def load(data: bytes | str, *, max_bytes: int) -> tuple[object, list[Refusal]]:
    """The file as JSON, or its ld+json script blocks as a list; FileRefused if it is neither.

    A script block that is not JSON is refused on its own; the other blocks are read.
    """
    if isinstance(data, bytes):
        if len(data) > max_bytes:
            raise FileRefused(_too_large(len(data), max_bytes))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FileRefused(
                f"The file is not UTF-8 text (bad byte at position {error.start}); "
                "nothing was imported."
            ) from error
    else:
        text = data
        if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            raise FileRefused(_too_large(len(text.encode("utf-8", "surrogatepass")), max_bytes))
    if not text.strip():
        raise FileRefused("The file is empty; nothing was imported.")
    if text.lstrip().startswith("<"):
        return _script_blocks(text)
    try:
        return json.loads(text), []
    except json.JSONDecodeError as error:
        raise FileRefused(
            f"The file is not JSON (line {error.lineno}, column {error.colno}: {error.msg}), "
            "nor ClaimReview script blocks; nothing was imported."
        ) from error
    except RecursionError as error:
        raise FileRefused("The file nests too deeply to be read; nothing was imported.") from error


def _too_large(size: int, limit: int) -> str:
    return (
        f"The file is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.1f} MB. "
        "Nothing was imported: split it into smaller files."
    )


def _script_blocks(text: str) -> tuple[list, list[Refusal]]:
    blocks = _SCRIPT_BLOCK.findall(text)
    if not blocks:
        raise FileRefused(
            'The file starts like HTML but holds no <script type="application/ld+json"> block; '
            "nothing was imported."
        )
    items, refusals = [], []
    for number, block in enumerate(blocks, start=1):
        try:
            items.append(json.loads(block))
        except (json.JSONDecodeError, RecursionError):
            refusals.append(Refusal(number, f"script block {number} is not JSON"))
    return items, refusals


def detect_format(data) -> str:
    """Which of FORMATS the loaded JSON is; FileRefused if it has the shape of none."""
    if isinstance(data, dict) and isinstance(data.get("claims"), list):
        return "factchecktools"
    if (
        isinstance(data, list)
        and data
        and all(isinstance(item, dict) for item in data[:20])
        and all("claim" in item and "label" in item for item in data[:20])
    ):
        return "averitec"
    if isinstance(data, dict | list):
        return "claimreview"
    raise FileRefused(
        f"The file holds a single {type(data).__name__ if data is not None else 'null'} value, "
        "not fact-checks: expected a ClaimReview object or list, a Fact Check Tools answer, or "
        "the AVeriTeC list. Nothing was imported."
    )


def parse(data: bytes | str, *, format: str = "auto", max_bytes: int) -> Parsed:
    """Read a file of fact-checks: its records, what was refused and why, what was repeated."""
    loaded, block_refusals = load(data, max_bytes=max_bytes)
    chosen = detect_format(loaded) if format == "auto" else format
    if chosen not in FORMATS:
        raise FileRefused(f"Unknown format “{format}”; choose one of {', '.join(FORMATS)}.")
    reader = {
        "claimreview": read_claimreview,
        "factchecktools": read_factchecktools,
        "averitec": read_averitec,
    }[chosen]
    records, refusals = reader(loaded)
    parsed = Parsed(chosen, refusals=[*block_refusals, *refusals])
    _without_repeats(parsed, records, by_url_only=chosen == "factchecktools")
    if not parsed.records and not parsed.refusals and not parsed.skipped:
        raise FileRefused(
            f"The file holds no fact-check in the {chosen} format; nothing to import."
        )
    return parsed


def _without_repeats(parsed: Parsed, records: list[Record], *, by_url_only: bool) -> None:
    """Keep the first of records that are the same review of the same claim.

    In a Fact Check Tools answer one review may be listed under two wordings of its claim: there
    the review URL alone says it is the same review. Elsewhere one article may review several
    claims (a debate checked line by line), so the claim counts too.
    """
    first: dict = {}
    for record in records:
        key = record.url_key if by_url_only else (record.url_key, record.claim_key)
        if key in first:
            why = f"the same review of the same claim as record {first[key]}, listed earlier"
            parsed.skipped.append(Refusal(record.position, why, _start(record.claim_reviewed)))
            continue
        first[key] = record.position
        parsed.records.append(record)


def _start(claim: str) -> str:
    return shorten(claim, 60)


# schema.org ClaimReview.


def _types(node: dict) -> set[str]:
    value = node.get("@type", [])
    names = value if isinstance(value, list) else [value]
    return {str(name).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for name in names}


def _claim_reviews(node, depth: int = 0) -> Iterator[dict]:
    """Every ClaimReview in a JSON-LD document: lists, @graph, DataFeed items and `item`."""
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            yield from _claim_reviews(item, depth + 1)
        return
    if not isinstance(node, dict):
        return
    types = _types(node)
    if "ClaimReview" in types or ("claimReviewed" in node and not types):
        yield node
        return
    for key in ("@graph", "dataFeedElement", "item", "itemListElement", "mainEntity"):
        if key in node:
            yield from _claim_reviews(node[key], depth + 1)


def _first(value):
    """The first item of a list, or the value itself."""
    if isinstance(value, list):
        return next((item for item in value if item not in (None, "", {})), None)
    return value


def _name(value) -> str:
    value = _first(value)
    if isinstance(value, dict):
        return clean_line(value.get("name") or value.get("alternateName"), NAME_MAX_LENGTH)
    return clean_line(value, NAME_MAX_LENGTH)


def _url_of(value) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("url") or value.get("sameAs")
        value = _first(value)
    return value if isinstance(value, str) else ""


def _language(value) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return clean_line(value, LANGUAGE_MAX_LENGTH)


def _checked_claim(value) -> str:
    """The claim as text; ValueError with a reason when it is missing or too long."""
    value = _first(value)
    claim = clean_line(value, CLAIM_MAX_LENGTH * 2)
    if not claim:
        raise ValueError("it has no claimReviewed (the claim it checks)")
    if len(claim) > CLAIM_MAX_LENGTH:
        raise ValueError(
            f"its claim is {len(claim):,} characters long; the longest taken is "
            f"{CLAIM_MAX_LENGTH:,}"
        )
    return claim


def read_claimreview(data) -> tuple[list[Record], list[Refusal]]:
    records, refusals = [], []
    for position, review in enumerate(_claim_reviews(data), start=1):
        try:
            records.append(_claimreview_record(position, review))
        except (ValueError, InvalidURL) as error:
            claim = _start(clean_line(_first(review.get("claimReviewed")), CLAIM_MAX_LENGTH))
            refusals.append(Refusal(position, str(error), claim))
    return records, refusals


def _claimreview_record(position: int, review: dict) -> Record:
    claim = _checked_claim(review.get("claimReviewed"))
    try:
        url, archive = _review_url(_first(review.get("url")) or review.get("@id"))
    except InvalidURL as error:
        raise InvalidURL(f"its review URL is refused: {_lower_first(error)}") from error
    rating = _first(review.get("reviewRating"))
    label = ""
    if isinstance(rating, dict):
        label = clean_line(rating.get("alternateName") or rating.get("name"), LABEL_MAX_LENGTH)
        if not label and rating.get("ratingValue") not in (None, ""):
            best = rating.get("bestRating")
            label = clean_line(
                f"{rating['ratingValue']}" + (f" of {best}" if best else ""), LABEL_MAX_LENGTH
            )
    elif isinstance(rating, str):
        label = clean_line(rating, LABEL_MAX_LENGTH)
    author = _first(review.get("author"))
    reviewer_url = _url_of(author)
    item = _first(review.get("itemReviewed"))
    item = item if isinstance(item, dict) else {}
    return Record(
        position=position,
        claim_reviewed=claim,
        review_url=url,
        archive_url=archive,
        rating_label=label,
        reviewer_name=_name(author),
        reviewer_domain=_domain(_safe_url(reviewer_url)) or _domain(url),
        claimant=_name(item.get("author")),
        claim_date=parse_date(_first(item.get("datePublished"))),
        review_date=parse_date(_first(review.get("datePublished"))),
        language=_language(review.get("inLanguage")),
        title=clean_line(_first(review.get("headline") or review.get("name")), TITLE_MAX_LENGTH),
        raw=audit_copy(review),
    )


def _safe_url(value: str) -> str:
    try:
        return normalise_url(value) if value else ""
    except InvalidURL:
        return ""


def _lower_first(error: Exception) -> str:
    text = str(error)
    return text[:1].lower() + text[1:]


# Google Fact Check Tools API, claims:search.


def read_factchecktools(data) -> tuple[list[Record], list[Refusal]]:
    records, refusals = [], []
    position = 0
    for claim in data.get("claims", []):
        reviews = claim.get("claimReview") if isinstance(claim, dict) else None
        if not isinstance(reviews, list) or not reviews:
            position += 1
            refusals.append(Refusal(position, "the claim lists no claimReview"))
            continue
        for review in reviews:
            position += 1
            try:
                records.append(_factchecktools_record(position, claim, review))
            except (ValueError, InvalidURL) as error:
                text = _start(clean_line(claim.get("text"), CLAIM_MAX_LENGTH))
                refusals.append(Refusal(position, str(error), text))
    return records, refusals


def _factchecktools_record(position: int, claim: dict, review) -> Record:
    if not isinstance(review, dict):
        raise ValueError("its claimReview is not an object")
    text = _checked_claim(claim.get("text"))
    try:
        url, archive = _review_url(review.get("url"))
    except InvalidURL as error:
        raise InvalidURL(f"its review URL is refused: {_lower_first(error)}") from error
    publisher = review.get("publisher") if isinstance(review.get("publisher"), dict) else {}
    site = clean_line(publisher.get("site"), 253).lower().removeprefix("www.")
    return Record(
        position=position,
        claim_reviewed=text,
        review_url=url,
        archive_url=archive,
        rating_label=clean_line(review.get("textualRating"), LABEL_MAX_LENGTH),
        reviewer_name=clean_line(publisher.get("name"), NAME_MAX_LENGTH),
        reviewer_domain=site if re.fullmatch(r"[a-z0-9.-]+", site) else _domain(url),
        claimant=clean_line(claim.get("claimant"), NAME_MAX_LENGTH),
        claim_date=parse_date(claim.get("claimDate")),
        review_date=parse_date(review.get("reviewDate")),
        language=clean_line(review.get("languageCode"), LANGUAGE_MAX_LENGTH),
        title=clean_line(review.get("title"), TITLE_MAX_LENGTH),
        raw=audit_copy(
            {**{k: v for k, v in claim.items() if k != "claimReview"}, "claimReview": [review]}
        ),
    )


# AVeriTeC.

AVERITEC_KEPT = (
    "claim",
    "label",
    "justification",
    "claim_date",
    "speaker",
    "original_claim_url",
    "fact_checking_article",
    "reporting_source",
    "location_ISO_code",
    "claim_types",
    "fact_checking_strategies",
)


def read_averitec(data) -> tuple[list[Record], list[Refusal]]:
    if not isinstance(data, list):
        raise FileRefused("An AVeriTeC file is a JSON list of claims; nothing was imported.")
    records, refusals = [], []
    for position, item in enumerate(data, start=1):
        try:
            if not isinstance(item, dict):
                raise ValueError("it is not an object")
            records.append(_averitec_record(position, item))
        except (ValueError, InvalidURL) as error:
            text = (
                _start(clean_line(item.get("claim"), CLAIM_MAX_LENGTH))
                if isinstance(item, dict)
                else ""
            )
            refusals.append(Refusal(position, str(error), text))
    return records, refusals


def _averitec_record(position: int, item: dict) -> Record:
    try:
        claim = _checked_claim(item.get("claim"))
    except ValueError as error:
        raise ValueError(str(error).replace("claimReviewed", "claim")) from error
    try:
        url, archive = _review_url(item.get("fact_checking_article"))
    except InvalidURL as error:
        raise InvalidURL(f"its fact-checking article is refused: {_lower_first(error)}") from error
    # The questions and answers are the data set's own evidence, not the review: left out of the
    # audit copy to keep it the size of a record.
    raw = {key: item[key] for key in AVERITEC_KEPT if key in item}
    return Record(
        position=position,
        claim_reviewed=claim,
        review_url=url,
        archive_url=archive,
        rating_label=clean_line(item.get("label"), LABEL_MAX_LENGTH),
        reviewer_name=_domain(url),
        reviewer_domain=_domain(url),
        # Who said it, or else where it was reported ("Facebook"), as fact-checkers name a
        # claimant "Facebook posts" when nobody in particular said it.
        claimant=clean_line(item.get("speaker") or item.get("reporting_source"), NAME_MAX_LENGTH),
        claim_date=parse_date(item.get("claim_date")),
        language="en",
        summary=clean_paragraphs(item.get("justification"), SUMMARY_MAX_LENGTH),
        raw=audit_copy(raw),
    )
