"""Has this been checked before? The records closest in meaning to a text, best first.

`suggest(text)` is the one interface. For each kind of record (KINDS: our claims, not merged
away, and other organisations' published fact-checks) it takes candidates from two places: the
nearest by embedding (lib.embedding: a scan of every record's binary code in a process-level
index, then the exact cosine of the best CANDIDATES from their stored int8 values) and the best
full-text matches (the search index of lib.search, any word of the text). Each candidate scores
its cosine plus LEXICAL_WEIGHT times the share of content words it has in common with the text
(a weighted fusion); at CONFIDENT or above a suggestion is "confident" (bench/matching.md says
how that line was drawn). The kinds' suggestions are ranked together.
"""

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from django.db import connection, models

from lib.embedding import CodeIndex, Embedder, code_of, cosines, embedder, int8_vectors
from lib.search import fts5_query
from sources.models import ExternalFactCheck, ExternalFactCheckEmbedding

from .models import Claim, ClaimEmbedding

# How many nearest codes go on to the exact cosine, and how many full-text matches join them.
CANDIDATES = 100
TEXT_CANDIDATES = 20
# Full-text candidates are ranked among the first this many rows that have any of the words.
TEXT_SCANNED = 500
LEXICAL_WEIGHT = 0.25
CONFIDENT = 0.75
MAX_QUERY_CHARACTERS = 2000
INDEX_READ_BATCH = 50_000

WORD = re.compile(r"[^\W_]+")
STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not of off on once only or other our ours out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours said says say claim claimed claims""",
    )
)


@dataclass(frozen=True)
class Suggestion:
    """One existing record that may state the same claim: what it is and where it stands."""

    kind: str  # "claim", or "external" for another organisation's fact-check
    id: int
    text: str
    url: str  # our page of the record
    status: str  # for a claim, its workflow state, as shown; for an external check, its origin
    state: str  # the same as a code (status-<state> in the CSS), or ""
    verdict: str  # the verdict's label, or ""
    tone: str  # the verdict's colour family (Rating.tone), or ""
    date: object  # a datetime.date: when the verdict was given, else when the claim was made
    checked_by: str  # who gave the verdict (or, for a claim not yet published, who tagged it)
    score: float
    confident: bool
    external_url: str = ""  # an external check's review, on its publisher's site

    @property
    def is_external(self) -> bool:
        return self.kind == ExternalChecks.name


def content_words(text: str) -> set[str]:
    """The words that carry meaning, lower-cased, a plural's s dropped: for the lexical score."""
    words = set()
    for word in WORD.findall(text.lower()):
        if word in STOP_WORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return words


def overlap(query: set[str], candidate: set[str]) -> float:
    """The share of words two texts have in common (Dice): 1 for the same words, 0 for none."""
    if not query or not candidate:
        return 0.0
    return 2 * len(query & candidate) / (len(query) + len(candidate))


class Kind:
    """One kind of record the matcher suggests, stored with a vector row per wording.

    A subclass names the records' model, the vector rows' model (with `model`, `code` and
    `vector` fields and a one-to-one `item_field` to the record, related as `vector_name`),
    what to read with each record, and how a record becomes a Suggestion. The records' table
    has a full-text index from lib.search (a `search_vector` column, or an FTS5 table).
    """

    name: ClassVar[str]
    records: ClassVar[type[models.Model]]
    vectors: ClassVar[type[models.Model]]
    item_field: ClassVar[str]
    vector_name: ClassVar[str]
    related: ClassVar[tuple[str, ...]] = ()

    def queryset(self):
        """The records that may be suggested (a kind narrows it: e.g. not merged away)."""
        return self.records.objects.all()

    def text_ids(self, text: str, limit: int) -> list[int]:
        """The best full-text matches; a kind whose table has no search index returns []."""
        return text_candidates(self.records._meta.db_table, text, limit)

    def fetch(self, pks) -> list:
        """The records, each with its stored vector, in one query."""
        rows = self.queryset().filter(pk__in=list(pks))
        return list(rows.select_related(*self.related, self.vector_name).order_by("pk"))

    def text_of(self, record) -> str:
        return record.text

    def stored_vector(self, record, model_name: str) -> bytes | None:
        try:
            stored = getattr(record, self.vector_name)
        except self.vectors.DoesNotExist:
            return None
        return bytes(stored.vector) if stored.model == model_name else None

    def suggestion(self, record, score: float) -> Suggestion:
        raise NotImplementedError


class Claims(Kind):
    name = "claim"
    records = Claim
    vectors = ClaimEmbedding
    item_field = "claim_id"
    vector_name = "embedding"
    related = ("claimant", "rating", "reviewer", "created_by")

    def queryset(self):
        # A merged duplicate is only a redirect now: its survivor is the one to suggest.
        return Claim.objects.unmerged()

    def suggestion(self, claim: Claim, score: float) -> Suggestion:
        published = claim.is_published and claim.rating is not None
        person = claim.reviewer if published else claim.created_by
        verdict_day = claim.published_at.date() if published and claim.published_at else None
        return Suggestion(
            kind=self.name,
            id=claim.pk,
            text=claim.text,
            url=claim.get_absolute_url(),
            status=claim.get_status_display(),
            state=claim.status,
            verdict=claim.rating.label if published else "",
            tone=claim.rating.tone if published else "",
            date=verdict_day or claim.claimed_on,
            checked_by=person.get_username() if person else "",
            score=round(score, 3),
            confident=score >= CONFIDENT,
        )


# An external check's rating family as the verdict colours of our own scale (Rating.tone).
FAMILY_TONES = {
    ExternalFactCheck.RatingFamily.FALSE: "false",
    ExternalFactCheck.RatingFamily.MOSTLY_FALSE: "mostly-false",
    ExternalFactCheck.RatingFamily.MIXED: "misleading",
    ExternalFactCheck.RatingFamily.MOSTLY_TRUE: "mostly-true",
    ExternalFactCheck.RatingFamily.TRUE: "true",
}


class ExternalChecks(Kind):
    """Fact-checks other organisations published (sources.ExternalFactCheck), by their claim."""

    name = "external"
    records = ExternalFactCheck
    vectors = ExternalFactCheckEmbedding
    item_field = "external_check_id"
    vector_name = "embedding"
    related = ("reviewer_outlet",)

    def text_of(self, check: ExternalFactCheck) -> str:
        return check.claim_reviewed

    def suggestion(self, check: ExternalFactCheck, score: float) -> Suggestion:
        return Suggestion(
            kind=self.name,
            id=check.pk,
            text=check.claim_reviewed,
            url=check.get_absolute_url(),
            status="Checked elsewhere",
            state="",
            verdict=check.rating_label,
            tone=FAMILY_TONES.get(check.rating_family, "unverified") if check.rating_label else "",
            date=check.review_date,
            checked_by=check.reviewer,
            score=round(score, 3),
            confident=score >= CONFIDENT,
            external_url=check.review_url,
        )


KINDS: list[Kind] = [Claims(), ExternalChecks()]
CLAIMS_ONLY: list[Kind] = KINDS[:1]

# The process's index of codes, per kind and database (tests use another than the server's).
_indexes: dict[str, CodeIndex] = {}
_indexes_lock = threading.Lock()


def index_of(kind: Kind) -> CodeIndex:
    """Every record's code in memory, brought up to date with one query for rows added since."""
    key = f"{kind.name}:{connection.alias}:{connection.settings_dict['NAME']}"
    with _indexes_lock:
        index = _indexes.setdefault(key, CodeIndex())
    with index.lock:
        rows = kind.vectors.objects.filter(model=embedder().name).order_by("pk")
        rows = rows.values_list("pk", kind.item_field, "code")
        # In slices, so a first read of a million rows never holds them all as Python tuples.
        while batch := list(rows.filter(pk__gt=index.last_row)[:INDEX_READ_BATCH]):
            index.add(batch)
            if len(batch) < INDEX_READ_BATCH:
                break
    return index


def claim_index() -> CodeIndex:
    return index_of(KINDS[0])


def forget_indexes() -> None:
    """Drop the in-memory indexes: the next suggestion reads every code again (for tests)."""
    with _indexes_lock:
        _indexes.clear()


def text_candidates(table: str, text: str, limit: int) -> list[int]:
    """Rows of table whose search document has any of the text's content words, best first."""
    words = sorted(content_words(text))[:32]
    if not words or limit < 1:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = "to_tsquery('english', %s)"
            cursor.execute(
                f"""
                WITH candidates AS (
                    SELECT id, search_vector FROM {table}
                    WHERE search_vector @@ {query} LIMIT %s
                )
                SELECT id FROM candidates
                ORDER BY ts_rank_cd(search_vector, {query}) DESC, id DESC LIMIT %s
                """,  # noqa: S608 - the table name comes from a model, words are parameters
                [" | ".join(words), TEXT_SCANNED, " | ".join(words), limit],
            )
        else:
            match = fts5_query(" OR ".join(words))
            if match is None:
                return []
            cursor.execute(
                f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s "  # noqa: S608
                "ORDER BY rank LIMIT %s",
                [match, limit],
            )
        return [pk for (pk,) in cursor.fetchall()]


def suggest(
    text: str, *, limit: int = 5, exclude_claim: int | None = None, kinds: Sequence[Kind] = ()
) -> list[Suggestion]:
    """The `limit` records closest to `text`, best first: three queries per kind.

    Candidates are read with their stored vectors; one without (a row written before its
    vector, by a bulk load) is embedded on the spot.
    """
    text = " ".join(text.split())[:MAX_QUERY_CHARACTERS]
    if not text or limit < 1:
        return []
    model = embedder()
    query = model.embed([text])[0]
    words = content_words(text)
    scored = []
    for kind in kinds or KINDS:
        nearest = index_of(kind).nearest(code_of(query), CANDIDATES + 1)
        wanted = dict.fromkeys([*nearest, *kind.text_ids(text, TEXT_CANDIDATES)])
        if kind.name == "claim":
            wanted.pop(exclude_claim, None)
        records = kind.fetch(wanted) if wanted else []
        for score, record in zip(_scores(kind, model, query, words, records), records, strict=True):
            scored.append((score, kind, record))
    scored.sort(key=lambda item: (-item[0], item[1].name, -item[2].pk))
    return [kind.suggestion(record, score) for score, kind, record in scored[:limit]]


def _scores(kind: Kind, model: Embedder, query: np.ndarray, words: set[str], records) -> list:
    if not records:
        return []
    texts = [kind.text_of(record) for record in records]
    stored = [kind.stored_vector(record, model.name) for record in records]
    have = [i for i, blob in enumerate(stored) if blob is not None]
    missing = [i for i, blob in enumerate(stored) if blob is None]
    meaning = np.zeros(len(records), dtype=np.float32)
    meaning[have] = cosines(query, int8_vectors([stored[i] for i in have]))
    if missing:
        meaning[missing] = model.embed([texts[i] for i in missing]) @ query
    return [
        float(cosine) + LEXICAL_WEIGHT * overlap(words, content_words(text))
        for cosine, text in zip(meaning, texts, strict=True)
    ]
