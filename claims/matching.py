"""Has this been checked before? The claims closest in meaning to a text, best first.

`suggest(text)` is the one interface. It ranks candidates from two places, fused by a weighted
score: the nearest claims by embedding (claims.embedding: a scan of every claim's binary code in
a process-level index, then the exact cosine of the best CANDIDATES from their stored int8
values) and the best full-text matches (the search index of lib.search, any word of the text).
Each candidate scores its cosine plus LEXICAL_WEIGHT times the share of content words it has in
common with the text; at CONFIDENT or above a suggestion is "confident" (bench/matching.md says
how that line was drawn). Another kind of candidate (external fact-checks) adds its own Source.
"""

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection

from lib.search import fts5_query

from .embedding import CodeIndex, Embedder, WordLlamaEmbedder, code_of, cosines, int8_vectors
from .models import Claim, ClaimEmbedding

# How many nearest codes go on to the exact cosine, and how many full-text matches join them.
CANDIDATES = 100
TEXT_CANDIDATES = 20
# Full-text candidates are ranked among the first this many rows that have any of the words.
TEXT_SCANNED = 500
LEXICAL_WEIGHT = 0.25
CONFIDENT = 0.75
MAX_QUERY_CHARACTERS = 2000

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

    kind: str  # "claim"; external fact-checks will add theirs
    id: int
    text: str
    url: str
    status: str  # for a claim, its workflow state, as shown
    state: str  # the same as a code (status-<state> in the CSS), or ""
    verdict: str  # the published verdict's label, or ""
    tone: str  # the verdict's colour family (Rating.tone), or ""
    date: object  # a datetime.date: when published, else when the claim was made
    checked_by: str  # who gave the verdict (or, unpublished, who tagged it)
    score: float
    confident: bool


_embedder: Embedder | None = None
_embedder_lock = threading.Lock()


def embedder() -> Embedder:
    """The process's embedder, loaded on first use (about half a second)."""
    global _embedder
    if _embedder is None:
        with _embedder_lock:
            if _embedder is None:
                _embedder = WordLlamaEmbedder(settings.MATCHING_MODEL_DIR)
    return _embedder


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


# The process's index of claim codes, per database (tests use another than the server's).
_indexes: dict[str, CodeIndex] = {}
_indexes_lock = threading.Lock()


def claim_index() -> CodeIndex:
    """Every claim's code in memory, brought up to date with one query for rows added since."""
    key = f"{connection.alias}:{connection.settings_dict['NAME']}"
    with _indexes_lock:
        index = _indexes.setdefault(key, CodeIndex())
    with index.lock:
        rows = ClaimEmbedding.objects.filter(pk__gt=index.last_row, model=embedder().name)
        index.add(list(rows.order_by("pk").values_list("pk", "claim_id", "code")))
    return index


def forget_indexes() -> None:
    """Drop the in-memory indexes: the next suggestion reads every code again (for tests)."""
    with _indexes_lock:
        _indexes.clear()


def _text_candidates(text: str, limit: int) -> list[int]:
    """Claims whose search document has any of the text's content words, best first."""
    words = sorted(content_words(text))[:32]
    if not words:
        return []
    table = Claim._meta.db_table
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
                """,  # noqa: S608 - the table name comes from the model, words are parameters
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


def suggest(text: str, *, limit: int = 5, exclude_claim: int | None = None) -> list[Suggestion]:
    """The `limit` existing claims closest to `text`, best first (three or four queries).

    Candidates are fetched with their stored vectors; one without (a claim written before its
    vector, by a bulk load) is embedded on the spot.
    """
    text = " ".join(text.split())[:MAX_QUERY_CHARACTERS]
    if not text or limit < 1:
        return []
    model = embedder()
    query = model.embed([text])[0]
    nearest = claim_index().nearest(code_of(query), CANDIDATES + 1)
    wanted = dict.fromkeys([*nearest, *_text_candidates(text, TEXT_CANDIDATES)])
    wanted.pop(exclude_claim, None)
    claims = list(
        Claim.objects.filter(pk__in=list(wanted))
        .select_related("claimant", "rating", "reviewer", "created_by", "embedding")
        .order_by("pk")
    )
    if not claims:
        return []
    scores = _scores(model, query, content_words(text), claims)
    ranked = sorted(zip(scores, claims, strict=True), key=lambda pair: (-pair[0], -pair[1].pk))
    return [_suggestion(claim, score) for score, claim in ranked[:limit]]


def _scores(model: Embedder, query: np.ndarray, words: set[str], claims: Sequence[Claim]):
    stored = [_stored_vector(claim, model.name) for claim in claims]
    missing = [i for i, blob in enumerate(stored) if blob is None]
    matrix = int8_vectors([blob for blob in stored if blob is not None])
    meaning = np.zeros(len(claims), dtype=np.float32)
    have = [i for i, blob in enumerate(stored) if blob is not None]
    meaning[have] = cosines(query, matrix)
    if missing:
        meaning[missing] = model.embed([claims[i].text for i in missing]) @ query
    return [
        float(cosine) + LEXICAL_WEIGHT * overlap(words, content_words(claim.text))
        for cosine, claim in zip(meaning, claims, strict=True)
    ]


def _stored_vector(claim: Claim, model_name: str) -> bytes | None:
    try:
        embedding = claim.embedding
    except ClaimEmbedding.DoesNotExist:
        return None
    return bytes(embedding.vector) if embedding.model == model_name else None


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_username()


def _suggestion(claim: Claim, score: float) -> Suggestion:
    published = claim.is_published and claim.rating is not None
    return Suggestion(
        kind="claim",
        id=claim.pk,
        text=claim.text,
        url=claim.get_absolute_url(),
        status=claim.get_status_display(),
        state=claim.status,
        verdict=claim.rating.label if published else "",
        tone=claim.rating.tone if published else "",
        date=claim.published_at.date() if published and claim.published_at else claim.claimed_on,
        checked_by=_person(claim.reviewer if published else claim.created_by),
        score=round(score, 3),
        confident=score >= CONFIDENT,
    )
