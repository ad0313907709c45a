"""Sentences as compact vectors, and the brute-force scan over them: the matcher's arithmetic.

A sentence becomes a unit vector of DIMENSIONS floats (an Embedder), stored twice in small
form: its signs as CODE_BYTES bytes (a binary code, compared by Hamming distance, for the scan
over every record) and its values as int8 (for the exact cosine of the few candidates the scan
keeps). Below every app, so that any app's actions can embed what they store (claims, and
external fact-checks in the register); claims.matching does the ranking.
"""

import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from django.core.management.base import BaseCommand
from django.db.models import Q

DIMENSIONS = 256
CODE_BYTES = DIMENSIONS // 8
WORDS_PER_CODE = CODE_BYTES // 8  # the code as uint64 words, for a fast XOR and popcount


class Embedder(Protocol):
    """Turns sentences into unit vectors of DIMENSIONS floats; `name` says which model did."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class WordLlamaEmbedder:
    """wordllama's l2_supercat model at 256 dimensions, from the files in its wheel, offline.

    wordllama 0.4 looks for the tokenizer the wheel ships (in `wordllama/tokenizers/`) under
    `wordllama/tokenizer/`, which does not exist, then in `<cache_dir>/tokenizers/`, then
    downloads it. So the tokenizer is copied from the wheel into cache_dir once, where the second
    look finds it, and downloads are off: loading never touches the network.
    """

    CONFIG = "l2_supercat"
    name = f"wordllama-0.4 {CONFIG} {DIMENSIONS}"

    def __init__(self, cache_dir: Path):
        self.cache_dir = Path(cache_dir)
        self._model = None
        self._lock = threading.Lock()

    def prepare_cache_dir(self) -> None:
        import wordllama

        from_wheel = Path(wordllama.__file__).parent / "tokenizers"
        wanted = self.cache_dir / "tokenizers"
        filename = f"{self.CONFIG}_tokenizer_config.json"
        if not (wanted / filename).exists():
            wanted.mkdir(parents=True, exist_ok=True)
            # Copied under another name and renamed, so a concurrent reader never sees half.
            partial = wanted / f"{filename}.{os.getpid()}.{threading.get_ident()}.partial"
            shutil.copyfile(from_wheel / filename, partial)
            partial.replace(wanted / filename)

    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from wordllama import WordLlama

                    self.prepare_cache_dir()
                    self._model = WordLlama.load(
                        config=self.CONFIG,
                        dim=DIMENSIONS,
                        cache_dir=self.cache_dir,
                        disable_download=True,
                    )
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = self.model().embed(list(texts), norm=True, batch_size=512)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)


def compact(vectors: np.ndarray) -> list[tuple[bytes, bytes]]:
    """Each vector as (binary code, int8 values): the two forms the database keeps."""
    vectors = np.asarray(vectors, dtype=np.float32)
    codes = np.packbits(vectors > 0, axis=1)
    # Scaled so the largest value is 127: cosine ignores the scale, and the values keep 8 bits.
    peaks = np.abs(vectors).max(axis=1, keepdims=True)
    peaks[peaks == 0] = 1
    values = np.rint(vectors / peaks * 127).astype(np.int8)
    return [(code.tobytes(), value.tobytes()) for code, value in zip(codes, values, strict=True)]


def code_of(vector: np.ndarray) -> np.ndarray:
    """One vector's binary code as WORDS_PER_CODE uint64 words."""
    return np.packbits(np.asarray(vector) > 0).view(np.uint64)


def int8_vectors(blobs: Sequence[bytes]) -> np.ndarray:
    """Stored int8 values as an (n, DIMENSIONS) float32 matrix."""
    if not blobs:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(-1, DIMENSIONS).astype(np.float32)


def cosines(query: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The cosine of the query with each row of matrix."""
    if not len(matrix):
        return np.zeros(0, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1) * max(float(np.linalg.norm(query)), 1e-9)
    norms[norms == 0] = 1
    return (matrix @ query) / norms


_embedder: Embedder | None = None
_embedder_lock = threading.Lock()


def embedder() -> Embedder:
    """The process's embedder (settings.MATCHING_MODEL_DIR), loaded on first use (half a second)."""
    global _embedder
    if _embedder is None:
        with _embedder_lock:
            if _embedder is None:
                from django.conf import settings

                _embedder = WordLlamaEmbedder(settings.MATCHING_MODEL_DIR)
    return _embedder


class CodeIndex:
    """Binary codes of many items, scanned whole for the nearest by Hamming distance.

    The codes are kept word by word (WORDS_PER_CODE contiguous uint64 arrays), so the scan is a
    few passes of XOR and popcount over flat memory: about 7 ms for a million on one core, where
    the same over rows of four words took 35. Items are added in batches (a re-embedded item's
    new code replaces its old one); the arrays grow by doubling, so adding a few costs only them.
    `last_row` is the highest stored row id seen: the caller asks the database for rows above it.
    A deleted item's code stays until the process restarts; its record is simply not found.
    """

    def __init__(self):
        self.ids = np.zeros(0, dtype=np.int64)
        self.codes = np.zeros((WORDS_PER_CODE, 0), dtype=np.uint64)
        self.size = 0
        self.last_row = 0
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return self.size

    def add(self, rows: Sequence[tuple[int, int, bytes]]) -> None:
        """Store (row id, item id, code) rows, in row order: an item's latest row wins.

        No dictionary of positions (a million entries would cost a process about 100 MB): an
        item already held is found by comparing the ids array, once per batch.
        """
        if not rows:
            return
        row_ids, item_ids, codes = zip(*rows, strict=True)
        items = np.asarray(item_ids, dtype=np.int64)
        words = np.frombuffer(b"".join(bytes(code) for code in codes), dtype=np.uint64)
        words = words.reshape(len(items), WORDS_PER_CODE)
        # The last row of each item in the batch (rows come oldest first).
        _, from_end = np.unique(items[::-1], return_index=True)
        latest = np.sort(len(items) - 1 - from_end)
        items, words = items[latest], words[latest]
        if self.size:
            held = np.flatnonzero(np.isin(self.ids[: self.size], items))
            if len(held):
                order = np.argsort(items)
                found = order[np.searchsorted(items[order], self.ids[held])]
                self.codes[:, held] = words[found].T
                fresh = ~np.isin(items, self.ids[held])
                items, words = items[fresh], words[fresh]
        if len(items):
            self._grow(self.size + len(items))
            end = self.size + len(items)
            self.ids[self.size : end] = items
            self.codes[:, self.size : end] = words.T
            self.size = end
        self.last_row = max(self.last_row, *row_ids)

    def _grow(self, needed: int) -> None:
        if needed <= len(self.ids):
            return
        capacity = max(needed, 2 * len(self.ids), 1024)
        ids = np.zeros(capacity, dtype=np.int64)
        codes = np.zeros((WORDS_PER_CODE, capacity), dtype=np.uint64)
        ids[: self.size], codes[:, : self.size] = self.ids[: self.size], self.codes[:, : self.size]
        self.ids, self.codes = ids, codes

    def nearest(self, code: np.ndarray, k: int) -> list[int]:
        """The ids of the k items whose codes differ from `code` in fewest bits, nearest first."""
        if not self.size or k < 1:
            return []
        distances = np.bitwise_count(self.codes[0, : self.size] ^ code[0]).astype(np.uint16)
        for word in range(1, WORDS_PER_CODE):
            distances += np.bitwise_count(self.codes[word, : self.size] ^ code[word])
        # The k-th smallest distance from a histogram (257 bins), cheaper than a partition.
        within = np.searchsorted(np.cumsum(np.bincount(distances)), min(k, self.size))
        chosen = np.flatnonzero(distances <= within)
        chosen = chosen[np.argsort(distances[chosen], kind="stable")][:k]
        return self.ids[chosen].tolist()


class EmbedMissing(BaseCommand):
    """A backfill command: embed every row of `records` without a vector from the current model.

    In batches by primary key, so a stopped run carries on where it stopped when run again; each
    app's command names its model, its embedding action and what to call its rows.
    """

    records: type
    embed: Callable[[list[int]], int]  # the app's action: embeds these rows, says how many
    noun = "records"
    BATCH = 2000

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=self.BATCH)
        parser.add_argument("--all", action="store_true", help="Embed every one afresh.")

    def handle(self, *args, batch: int, all: bool, **options):
        name = embedder().name
        todo = self.records.objects.all()
        if not all:
            todo = todo.filter(Q(embedding__isnull=True) | ~Q(embedding__model=name))
        started, done, after = time.perf_counter(), 0, 0
        while True:
            # Keyset over the primary key: each batch is found by the index, never by an OFFSET.
            pks = list(
                todo.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch]
            )
            if not pks:
                break
            done += self.embed(pks)
            after = pks[-1]
            if options["verbosity"] > 1:
                self.stdout.write(f"{done:,} {self.noun} embedded, up to #{after}")
        seconds = time.perf_counter() - started
        self.stdout.write(f"Embedded {done:,} {self.noun} with {name} in {seconds:.1f} s.")
