"""Where a quote sits in a text: W3C TextPosition and TextQuote selectors (no Django imports).

Offsets are Unicode code points of the canonical text, start inclusive and end exclusive.

After an edit, `place` finds where a mention's words went and says how sure that is: a mention
moves by itself only when the evidence is unambiguous; otherwise a person is asked to confirm
one of a few candidate places, or it is an orphan when none is left.
"""

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property, lru_cache
from typing import NamedTuple

CONTEXT_LENGTH = 32
# Approximate matching: shorter quotes match too much by accident to be moved unless their
# context vouches on both sides.
FUZZY_MIN_LENGTH = 12
# A quote with up to about a fifth of it edited is still the same quote (a difflib-style ratio:
# twice the unchanged characters over both lengths).
FUZZY_MIN_RATIO = 0.8
# Passages less alike than that, down to this, are still offered to a person, and still make a
# place with the quote's old context doubtful (a short quote with a typo fixed, a rewording).
SIMILAR_MIN_RATIO = 0.6
# Verbatim pieces of the quote and its context vote for where it went; at most this many of
# the best-voted places get the costlier alignment (its cost grows with the quote's length).
SEED_LENGTH = 8
FUZZY_CANDIDATES = 5
# Context that vouches for a place: this many folded characters of the old prefix or suffix
# still bordering it (about three words); see "context agrees" below. MIN_CONTEXT characters
# make a place possible, not certain.
STRONG_CONTEXT = 16
MIN_CONTEXT = 8
# A passage shorter than this recurs too easily to be moved unless its context is confirmed.
SHORT_PASSAGE = 24
# Places offered to a person who confirms a mention.
MAX_CANDIDATES = 5

# The kinds of Placement.
PLACED = "placed"  # moved by itself: the passage, unchanged or with new typography, unambiguously
APPROXIMATE = "approximate"  # moved by itself to a slightly edited passage; show it for a check
CONFIRM = "confirm"  # not moved: a person picks one of the candidates, or none
ORPHANED = "orphaned"  # not moved: nothing like the passage is left in the text


class AnchorError(ValueError):
    """A span that does not fit the text it claims to point into."""


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Placement:
    """Where a mention goes in an edited text, and why.

    anchor quotes the new text for PLACED and APPROXIMATE, and is None otherwise; candidates
    (best first, at most MAX_CANDIDATES) are the places a person may choose from for CONFIRM.
    """

    kind: str
    anchor: Anchor | None = None
    candidates: tuple[Anchor, ...] = ()
    reason: str = ""


class TextPosition(NamedTuple):
    start: int
    end: int


class TextQuote(NamedTuple):
    exact: str
    prefix: str = ""
    suffix: str = ""


def anchor_at(text: str, start: int, end: int) -> Anchor:
    """The anchor for text[start:end], with prefix and suffix computed from the text itself."""
    if not 0 <= start < end <= len(text):
        raise AnchorError(
            f"The span {start}–{end} does not fit inside a text of {len(text)} characters."
        )
    return Anchor(
        start=start,
        end=end,
        quote=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
    )


def check_anchor(text: str, start: int, end: int, quote: str) -> Anchor:
    """The anchor at these offsets, provided the text there is exactly the quote."""
    anchor = anchor_at(text, start, end)
    if anchor.quote != quote:
        raise AnchorError(
            f"The text at {start}–{end} is {anchor.quote!r}, not the quote {quote!r}."
        )
    return anchor


def utf16_to_codepoints(text: str, offset: int) -> int:
    """The code-point offset for a UTF-16 one, the unit of a browser's DOM selection."""
    units = text.encode("utf-16-le")
    if not 0 <= offset <= len(units) // 2:
        raise AnchorError(f"The offset {offset} is outside the text.")
    try:
        return len(units[: 2 * offset].decode("utf-16-le"))
    except UnicodeDecodeError:
        # The cut leaves the first half of an astral character (emoji and the like).
        raise AnchorError(f"The offset {offset} falls inside a character.") from None


def codepoints_to_utf16(text: str, offset: int) -> int:
    """The UTF-16 offset for a code-point one: astral characters take two units."""
    if not 0 <= offset <= len(text):
        raise AnchorError(f"The offset {offset} is outside the text.")
    return offset + sum(ord(char) > 0xFFFF for char in text[:offset])


def reanchor(new_text: str, anchor: Anchor) -> Anchor | None:
    """The anchor's new place when `place` moves it by itself (approximately or not), else None."""
    placement = place(new_text, anchor)
    return placement.anchor if placement.kind in (PLACED, APPROXIMATE) else None


def place(new_text: str, anchor: Anchor) -> Placement:
    """Where the anchor's passage is in an edited text; moved only on unambiguous evidence.

    Texts are compared folded (see fold_typography); when a place's context agrees, and when
    it is confirmed, is told in the comment above _Side. The kinds:
      PLACED: the text at the old offsets is still the quote and its context agrees; or one
        occurrence of the quote (folded) has its context agreeing (and confirmed, if the quote
        is shorter than SHORT_PASSAGE), and no other place agrees (another occurrence, or a
        similar passage that says the same: same figures, negations), nor has its old context
        vouching on both sides though its sentence changed beside it.
      APPROXIMATE: no occurrence agrees; one similar passage does, FUZZY_MIN_RATIO alike, its
        edit changed no number and added or removed no negation, and its context vouches on
        both sides (or is confirmed, if the edit only fixed typos in a quote FUZZY_MIN_LENGTH
        long or more); no occurrence of the quote elsewhere is plausible, and no place is
        doubted as above.
      CONFIRM: anything else with candidates, best first: occurrences and similar passages
        (SIMILAR_MIN_RATIO alike).
      ORPHANED: no candidate at all.
    """
    if not anchor.quote:
        return Placement(ORPHANED, reason="the mention quotes nothing")
    text = _fold(new_text)
    old = _OldPassage(anchor)
    if new_text[anchor.start : anchor.end] == anchor.quote:
        here = _Candidate(text, old, anchor.start, anchor.end)
        if here.agrees:
            return Placement(PLACED, here.anchor, reason="the passage is still in its place")
    exact, whole_words = [], []
    for start in _occurrences(text.flat, old.quote):
        span = text.original_start(start), text.original_end(start + len(old.quote))
        span = _spaced_like(text.original, *span, anchor.quote)
        exact.append(_Candidate(text, old, *span))
        # Part of a longer word ("pres" in "press", a typo fixed) may be a similar passage's.
        if _snap_to_words(text.original, *span, anchor) == span:
            whole_words.append(exact[-1])
    similar = _similar_candidates(text, old, anchor, whole_words)
    # A similar passage that says something else (another figure, a negation) is not a rival.
    agreeing = [c for c in exact + similar if c.agrees and not c.meaning_change]
    # Nor is a place whose sentence changed beside it, unless its old context vouches for it on
    # both sides: then the change is as likely an edit of the mention's own sentence.
    doubted = [
        c
        for c in exact + similar
        if c.before.vouches and c.after.vouches and not c.agrees and not c.meaning_change
    ]
    if len(agreeing) == 1 and not doubted:
        [chosen] = agreeing
        if chosen.exact and (chosen.confirmed or len(old.quote) >= SHORT_PASSAGE):
            return Placement(PLACED, chosen.anchor, reason=_exact_reason(chosen, len(exact)))
        # Words rewritten (more than typos), or a short quote, could make another sentence
        # alike by accident: the context must then vouch on both sides.
        both_sides = chosen.before.vouches and chosen.after.vouches
        slight = len(old.quote) >= FUZZY_MIN_LENGTH and _typos_only(old.quote, chosen.folded)
        if (
            not chosen.exact
            and chosen.ratio >= FUZZY_MIN_RATIO
            and (both_sides or (slight and chosen.confirmed))
            and not any(c.plausible for c in exact)
        ):
            return Placement(
                APPROXIMATE,
                chosen.anchor,
                reason=f"an edited passage ({chosen.ratio:.0%} alike) is the only place with "
                "its old context",
            )
    near = text.folded_start(min(anchor.start, len(new_text)))
    ranked = sorted(exact + similar, key=lambda c: c.rank(near), reverse=True)
    candidates = tuple(c.anchor for c in ranked[:MAX_CANDIDATES])
    if not candidates:
        return Placement(ORPHANED, reason="neither the passage nor a similar one is in the text")
    reason = _doubt(old, agreeing, doubted, exact, similar)
    return Placement(CONFIRM, candidates=candidates, reason=reason)


def fold_typography(text: str) -> str:
    """The text as it is compared after an edit: curly quotes and apostrophes straight, dashes
    and minus signs as hyphens, and every run of whitespace (NBSP and line breaks too) one space.
    """
    return _fold(text).flat


def position_from_selector(selector: dict) -> TextPosition:
    """A W3C TextPositionSelector's start and end, checked."""
    _check_type(selector, "TextPositionSelector")
    for name in ("start", "end"):
        value = selector.get(name)
        # JSON true is a Python int; it is not an offset.
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise AnchorError(
                f"A TextPositionSelector needs a non-negative integer {name}, not {value!r}."
            )
    if selector["start"] > selector["end"]:
        raise AnchorError("A TextPositionSelector's start must not come after its end.")
    return TextPosition(selector["start"], selector["end"])


def quote_from_selector(selector: dict) -> TextQuote:
    """A W3C TextQuoteSelector's exact, prefix and suffix (empty when absent), checked."""
    _check_type(selector, "TextQuoteSelector")
    exact = selector.get("exact")
    if not isinstance(exact, str) or not exact:
        raise AnchorError(f"A TextQuoteSelector needs a non-empty string exact, not {exact!r}.")
    for name in ("prefix", "suffix"):
        if not isinstance(selector.get(name, ""), str):
            raise AnchorError(f"A TextQuoteSelector's {name} must be a string.")
    return TextQuote(exact, selector.get("prefix", ""), selector.get("suffix", ""))


def anchor_from_selectors(text: str, selectors: list[dict]) -> Anchor | None:
    """The anchor a target's selectors describe, or None when the quote is not in the text.

    The position is trusted only when the text there is the quote (positions go stale first);
    otherwise the exact quote is looked up by its prefix and suffix. Other selector types are
    ignored; of several of one type, the first counts.
    """
    positions = [position_from_selector(s) for s in selectors if _type(s) == "TextPositionSelector"]
    quotes = [quote_from_selector(s) for s in selectors if _type(s) == "TextQuoteSelector"]
    position = positions[0] if positions else None
    quote = quotes[0] if quotes else None
    fits = position is not None and 0 <= position.start < position.end <= len(text)
    if fits and (quote is None or text[position.start : position.end] == quote.exact):
        return anchor_at(text, *position)
    if quote is None:
        return None
    start = _find_exact(text, quote, position.start if position else 0)
    return None if start is None else anchor_at(text, start, start + len(quote.exact))


def certain_anchor_from_selectors(text: str, selectors: list[dict]) -> Anchor:
    """The anchor a target's selectors describe when it is certain; AnchorError says why not.

    The rules of anchor_from_selectors, without its guesses: a position counts only when the
    text there is the quote (a position alone cannot be checked), and a quote found elsewhere
    counts only when it occurs once, or when its prefix and suffix border one occurrence better
    than every other.
    """
    quotes = [quote_from_selector(s) for s in selectors if _type(s) == "TextQuoteSelector"]
    positions = [position_from_selector(s) for s in selectors if _type(s) == "TextPositionSelector"]
    if not quotes:
        raise AnchorError(
            "It gives a position but no quote, so the words there cannot be checked."
            if positions
            else "It has no TextQuoteSelector (nor TextPositionSelector) to find the passage by."
        )
    quote, position = quotes[0], positions[0] if positions else None
    if position is not None and text[position.start : position.end] == quote.exact:
        return anchor_at(text, *position)
    starts = list(_occurrences(text, quote.exact))
    if not starts:
        raise AnchorError(f"The quote “{_clip(quote.exact)}” is not in the text.")
    scores = sorted(
        ((_context_score(text, s, s + len(quote.exact), quote), s) for s in starts), reverse=True
    )
    if len(scores) > 1 and scores[0][0] == scores[1][0]:
        raise AnchorError(
            f"The quote “{_clip(quote.exact)}” occurs {len(starts)} times and its prefix and "
            "suffix do not tell which one is meant."
        )
    start = scores[0][1]
    return anchor_at(text, start, start + len(quote.exact))


def _clip(quote: str, length: int = 60) -> str:
    return quote if len(quote) <= length else quote[: length - 1] + "…"


def selectors_for(anchor: Anchor) -> list[dict]:
    """The W3C TextPositionSelector and TextQuoteSelector that describe an anchor."""
    return [
        {"type": "TextPositionSelector", "start": anchor.start, "end": anchor.end},
        {
            "type": "TextQuoteSelector",
            "exact": anchor.quote,
            "prefix": anchor.prefix,
            "suffix": anchor.suffix,
        },
    ]


def _type(selector: object) -> object:
    return selector.get("type") if isinstance(selector, dict) else None


def _check_type(selector: object, expected: str) -> None:
    if _type(selector) != expected:
        raise AnchorError(f"Expected a {expected}, not {_type(selector)!r}.")


def _occurrences(text: str, needle: str) -> Iterator[int]:
    """Every start of needle in text, overlapping ones included."""
    start = text.find(needle)
    while start >= 0:
        yield start
        start = text.find(needle, start + 1)


def _shared_head(a: str, b: str) -> int:
    """How many leading characters two strings share."""
    for count, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return count
    return min(len(a), len(b))


def _context_score(text: str, start: int, end: int, quote: TextQuote) -> int:
    """How many characters of the old prefix and suffix still border text[start:end]."""
    before = text[max(0, start - len(quote.prefix)) : start]
    after = text[end : end + len(quote.suffix)]
    return _shared_head(before[::-1], quote.prefix[::-1]) + _shared_head(after, quote.suffix)


def _find_exact(text: str, quote: TextQuote, near: int) -> int | None:
    """The start of the best-bordered occurrence of the exact quote, the nearest on ties."""

    def rank(start: int) -> tuple[int, int]:
        return _context_score(text, start, start + len(quote.exact), quote), -abs(start - near)

    return max(_occurrences(text, quote.exact), key=rank, default=None)


# Folding: typography an edit may change without changing the words.

_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)
_ODD_WHITESPACE = re.compile(r"\s\s+|[^\S ]")  # what is not already one plain space
_LONG_WHITESPACE = re.compile(r"\s\s+")
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


class _Folded:
    """A text folded for comparison, and the way back to the original's offsets.

    flat has every whitespace run as one space; marked is the same but for runs holding a line
    break, which are "\\n" there (where a sentence certainly ends). The text is kept as segments:
    a stretch of other characters maps one to one, a whitespace run maps to one character.
    """

    def __init__(self, original: str):
        translated = original.translate(_TYPOGRAPHY)
        self.original, self.length = original, len(original)
        self.flat = _ODD_WHITESPACE.sub(" ", translated)
        # Only runs of two or more characters shift the offsets.
        self.folded_starts, self.original_starts, self.run_lengths = [], [], []
        done = folded = 0
        for run in _LONG_WHITESPACE.finditer(translated):
            if run.start() > done:
                self._segment(folded, done, 0)
                folded += run.start() - done
            self._segment(folded, run.start(), run.end() - run.start())
            folded += 1
            done = run.end()
        if done < len(translated) or not self.folded_starts:
            self._segment(folded, done, 0)
        marked = list(self.flat) if _LINE_BREAK.search(translated) else self.flat
        for line_break in _LINE_BREAK.finditer(translated):
            marked[self.folded_start(line_break.start())] = "\n"
        self.marked = "".join(marked)

    def _segment(self, folded: int, original: int, run_length: int) -> None:
        self.folded_starts.append(folded)
        self.original_starts.append(original)
        self.run_lengths.append(run_length)

    def original_start(self, folded: int) -> int:
        """The original offset where the folded character at this offset begins."""
        if folded >= len(self.flat):
            return self.length
        k = bisect_right(self.folded_starts, folded) - 1
        return self.original_starts[k] + (folded - self.folded_starts[k])

    def original_end(self, folded_end: int) -> int:
        """The original offset just after the folded characters before folded_end."""
        if folded_end <= 0:
            return 0
        k = bisect_right(self.folded_starts, folded_end - 1) - 1
        if self.run_lengths[k]:
            return self.original_starts[k] + self.run_lengths[k]
        return self.original_starts[k] + (folded_end - self.folded_starts[k])

    def folded_start(self, original: int) -> int:
        """The folded offset of the character holding this original offset."""
        if original >= self.length:
            return len(self.flat)
        k = bisect_right(self.original_starts, original) - 1
        if self.run_lengths[k]:
            return self.folded_starts[k]
        return self.folded_starts[k] + (original - self.original_starts[k])

    def folded_end(self, original_end: int) -> int:
        """The folded offset just after the character before this original offset."""
        return 0 if original_end <= 0 else self.folded_start(original_end - 1) + 1


@lru_cache(maxsize=4)
def _fold(text: str) -> _Folded:
    # Every mention of an article is placed in the same new text: it is folded once.
    return _Folded(text)


class _OldPassage:
    """A mention's prefix, quote and suffix, folded together so that they fold as in a text."""

    def __init__(self, anchor: Anchor):
        whole = _Folded(anchor.prefix + anchor.quote + anchor.suffix)
        quote_start = whole.folded_start(len(anchor.prefix))
        quote_end = whole.folded_end(len(anchor.prefix) + len(anchor.quote))
        self.anchor = anchor
        self.prefix, self.quote = whole.flat[:quote_start], whole.flat[quote_start:quote_end]
        self.suffix = whole.flat[quote_end:]
        self.prefix_marked = whole.marked[:quote_start]
        self.suffix_marked = whole.marked[quote_end:]
        # A context shorter than CONTEXT_LENGTH ran into the start or the end of the old text.
        self.prefix_at_edge = len(anchor.prefix) < CONTEXT_LENGTH
        self.suffix_at_edge = len(anchor.suffix) < CONTEXT_LENGTH
        self.prefix_reach = _sentence_reach(self.prefix_marked, True, self.prefix_at_edge, "")
        self.suffix_reach = _sentence_reach(
            self.suffix_marked, False, self.suffix_at_edge, self.quote
        )


def _sentence_reach(marked: str, before: bool, at_edge: bool, quote: str) -> int | None:
    """How many characters of a context, from the passage outward, reach to the end of the
    passage's sentence and the break after it (or to the edge of the text); None when the
    context was cut before the sentence ended."""
    if not before and _ENDS_SENTENCE.search(quote) and marked[:1] in ("", " ", "\n"):
        return 0
    ends = list(_SENTENCE_END.finditer(marked + ("\n" if at_edge and not before else "")))
    if ends:
        return len(marked) - ends[-1].start() if before else min(len(marked), ends[0].end())
    return len(marked) if at_edge else None


# Words that carry meaning an edit must not change unseen.

_WORD = re.compile(r"\d+(?:[.,:]\d+)*|\w+(?:'\w+)*")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*[ \n]|\n")
_ENDS_SENTENCE = re.compile(r"[.!?][\"')\]]*$")
# Words whose change turns a claim into another claim. Digits count as numbers wherever they are.
# fmt: off
NEGATIONS = frozenset({
    "not", "no", "never", "nor", "none", "neither", "without", "nobody", "nothing", "nowhere",
    "cannot",
})
NUMBER_WORDS = frozenset({
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion",
    "billions", "trillion", "trillions", "dozen", "dozens", "half",
})
# fmt: on


def _words(text: str) -> list[str]:
    return [word.casefold() for word in _WORD.findall(text)]


def _is_number(word: str) -> bool:
    return word in NUMBER_WORDS or any(char.isdigit() for char in word)


def _is_negation(word: str) -> bool:
    return word in NEGATIONS or word.endswith("n't")


@lru_cache(maxsize=4096)
def _typo_apart(a: str, b: str) -> bool:
    """Whether two words differ by a slip of the keyboard: one or two letters inserted,
    deleted, replaced or swapped (one for words of five letters or fewer)."""
    limit = 1 if max(len(a), len(b)) <= 5 else 2
    if abs(len(a) - len(b)) > limit:
        return False
    # Optimal string alignment distance (Damerau-Levenshtein without repeated edits).
    before, row = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row[-1] <= limit


def _own_sentence(marked: str, before: bool, quote: str) -> tuple[str, bool]:
    """The part of a context in the passage's own sentence, and whether a sentence end (or a
    line break) bounds it. before: the context precedes the passage; else it follows the quote,
    which may itself end the sentence."""
    if not before and _ENDS_SENTENCE.search(quote) and marked[:1] in ("", " ", "\n"):
        return "", True
    ends = list(_SENTENCE_END.finditer(marked))
    if not ends:
        return marked, False
    return (marked[ends[-1].end() :], True) if before else (marked[: ends[0].start()], True)


def _outward(part: str, before: bool, cut: bool) -> list[str]:
    """A context's words from the passage outward; the farthest left out when it may have been
    cut in two."""
    words = _words(part)
    if before:
        return (words[1:] if cut else words)[::-1]
    return words[:-1] if cut else words


def _word_change(old: str, new: str, before: bool, old_cut: bool, new_cut: bool) -> str:
    """How the passage's own sentence changed next to it, from the old and the new part of it
    in a context; "" for no change or typing slips. A changed number or negation always counts,
    and is told before other changes."""
    old_words, new_words = _outward(old, before, old_cut), _outward(new, before, new_cut)
    reading = ""
    for was, now in zip(old_words, new_words, strict=False):
        if was == now:
            continue
        if (_is_number(was) or _is_number(now)) and not _number_word_slip(was, now):
            return f"a number next to it changed: {was} → {now}"
        if _is_negation(now) != _is_negation(was):
            word = now if _is_negation(now) else was
            told = "was added next to it" if _is_negation(now) else "next to it was removed"
            reading = f"a negation {told} ({word})"
            break  # told as it is below, if the alignment shows it more exactly
        if not _typo_apart(was, now):
            reading = reading or f"its sentence reads differently next to it: {was} → {now}"
    # Words added or removed shift the pairs: figures and negations are looked for in what an
    # alignment of the two parts shows inserted or deleted, over the stretch both cover, and in
    # words beyond all of the old side of the sentence.
    common = min(len(old), len(new))
    old_near = old[len(old) - common :] if before else old[:common]
    new_near = new[len(new) - common :] if before else new[:common]
    # Where either part was cut, a word at the far end of either may be a fragment.
    cut = old_cut or new_cut or len(old) != len(new)
    added, removed = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_near, new_near, False).get_opcodes():
        if tag != "equal":
            removed += _touched(old_near, i1, i2, before, cut)
            added += _touched(new_near, j1, j2, before, cut)
    if not old_cut and len(new_words) > len(old_words):
        added += new_words[len(old_words) :]
        reading = reading or (
            f"its sentence reads differently next to it: {new_words[len(old_words)]} was added"
        )
    for was in list(removed):
        now = next((now for now in added if _number_word_slip(was, now)), None)
        if now is not None:
            removed.remove(was)
            added.remove(now)
    for kind, test in (("negation", _is_negation), ("number", _is_number)):
        was, now = Counter(filter(test, removed)), Counter(filter(test, added))
        if now - was:
            return f"a {kind} was added next to it ({next(iter(now - was))})"
        if was - now:
            return f"a {kind} next to it was removed ({next(iter(was - now))})"
    return reading


def _typos_only(old: str, new: str) -> bool:
    """Whether new is old with, at most, slips of the keyboard in some of its words."""
    old_words, new_words = _words(old), _words(new)
    return len(old_words) == len(new_words) and all(
        was == now or _typo_apart(was, now) for was, now in zip(old_words, new_words, strict=True)
    )


def _number_word_slip(was: str, now: str) -> bool:
    """Whether a number word was mistyped or its typo fixed ("mililon" to "million"): the other
    word is no number, and one slip of the keyboard away."""
    words = was + now
    return words.isalpha() and _is_number(was) != _is_number(now) and _typo_apart(was, now)


def _touched(part: str, start: int, end: int, before: bool, cut: bool) -> list[str]:
    """The words of part that overlap part[start:end], leaving out one at the far end from the
    passage when the part was cut."""
    words = []
    for match in _WORD.finditer(part):
        far = match.start() == 0 if before else match.end() == len(part)
        if match.start() < end and match.end() > start and not (cut and far):
            words.append(match.group().casefold())
    return words


def _meaning_change(old_quote: str, new_quote: str) -> str:
    """What an edit of the quote changed that a reader must see: numbers and negations."""
    old_words, new_words = _words(old_quote), _words(new_quote)
    old_numbers = [w for w in old_words if _is_number(w)]
    new_numbers = [w for w in new_words if _is_number(w)]
    if old_numbers != new_numbers:
        for was, now in zip(old_numbers, new_numbers, strict=False):
            if was != now:
                return f"the edit changed a number: {was} → {now}"
        if len(new_numbers) > len(old_numbers):
            return f"the edit added a number: {new_numbers[len(old_numbers)]}"
        return f"the edit removed a number: {old_numbers[len(new_numbers)]}"
    old_negations = Counter(filter(_is_negation, old_words))
    new_negations = Counter(filter(_is_negation, new_words))
    if old_negations.total() < new_negations.total():
        return f"the edit added a negation ({next(iter(new_negations - old_negations))})"
    if old_negations.total() > new_negations.total():
        return f"the edit removed a negation ({next(iter(old_negations - new_negations))})"
    return ""


# What "its context agrees" means.
#
# A place's context is compared with the old prefix and suffix, both folded, on each side:
#   - the side vouches for the place when at least STRONG_CONTEXT characters of the old context
#     still border it unchanged (or all of it, if folding left it shorter, MIN_CONTEXT or more).
#     A context the old text's edge cut short vouches whole when the place is at the same edge
#     of the new text (the passage still begins or ends the text).
#   - the side contradicts the place when the passage's own sentence changed next to it: among
#     the words of the context up to a sentence end or a line break, compared pairwise from the
#     passage outward, a word changed by more than a typing slip, or a number or a negation was
#     changed, added or removed.
# The context agrees when at least one side vouches and neither side contradicts. So text added
# or removed beyond the passage's sentence, reordered paragraphs and fixed typos keep agreeing;
# another sentence that shares the passage, or the passage's sentence negated or with another
# figure, does not. A place bordered by exactly the old prefix and suffix agrees whatever their
# length (a short text, or one mostly whitespace).
#
# Agreeing on one side is not always enough. A passage shorter than SHORT_PASSAGE is moved only
# when its context is also "confirmed": it vouches on both sides, or on one side while the rest
# of the passage's sentence is unchanged on both sides up to the break that ends it (so a clause
# that recurs with a few of the same words beside it is not taken for the passage). A similar
# passage needs its context vouching on both sides, or confirmed when the edit fixed only typos.
# A place whose context does not agree is still "plausible" when MIN_CONTEXT characters of the
# old context border it on one side and neither side contradicts.


class _Side:
    """What one side of a place's context says about it."""

    def __init__(self, run: int, vouches: bool, sentence_kept: bool, change: Callable[[], str]):
        self.run = run  # old context characters still bordering the place, outward
        self.vouches = vouches
        self.supports = vouches or run >= MIN_CONTEXT
        # The rest of the passage's sentence on this side, and the break that ends it, are as
        # they were.
        self.sentence_kept = sentence_kept
        self._change = change

    @cached_property
    def change(self) -> str:
        """How the passage's own sentence changed next to it, "" when it did not. (Worked out
        only when asked: a short quote may occur thousands of times.)"""
        return self._change()


class _Candidate:
    """A place for the old passage in the new text, and what its surroundings say."""

    def __init__(self, text: _Folded, old: _OldPassage, start: int, end: int):
        # start and end are offsets in the original new text.
        self.text, self.old, self.start, self.end = text, old, start, end
        self.folded_start, self.folded_end = text.folded_start(start), text.folded_end(end)
        self.exact = self.folded == old.quote
        self.ratio = 1.0

    @cached_property
    def anchor(self) -> Anchor:
        return anchor_at(self.text.original, self.start, self.end)

    @cached_property
    def before(self) -> _Side:
        return self._side(before=True)

    @cached_property
    def after(self) -> _Side:
        return self._side(before=False)

    def _side(self, before: bool) -> _Side:
        old, text = self.old, self.text
        if before:
            context, marked, old_at_edge = old.prefix, old.prefix_marked, old.prefix_at_edge
            low, high = max(0, self.folded_start - len(context)), self.folded_start
            new_at_edge = low == 0
            run = _shared_head(context[::-1], text.flat[low:high][::-1])
        else:
            context, marked, old_at_edge = old.suffix, old.suffix_marked, old.suffix_at_edge
            low, high = self.folded_end, min(len(text.flat), self.folded_end + len(context))
            new_at_edge = high == len(text.flat)
            run = _shared_head(context, text.flat[low:high])
        whole = run == len(context)
        if old_at_edge:
            vouches = run >= STRONG_CONTEXT or (whole and new_at_edge and high - low == run)
        else:
            vouches = run >= STRONG_CONTEXT or (whole and run >= MIN_CONTEXT)
        reach = old.prefix_reach if before else old.suffix_reach
        sentence_kept = reach is not None and run >= reach
        if sentence_kept and reach == len(context) and old_at_edge:
            # The old sentence began (or ended) the text: the new one must too, or be bounded.
            beyond = text.marked[max(0, low - 2) : low] if before else text.marked[high : high + 2]
            sentence_kept = high - low == run and (
                (new_at_edge and not beyond) or _SENTENCE_END.search(beyond + " ") is not None
            )

        def change() -> str:
            # An old context cut short by the text's edge holds all of its side of the sentence:
            # the new side is read as far as a full context, to see words added there.
            start, end = low, high
            if old_at_edge:
                start = max(0, self.folded_start - CONTEXT_LENGTH) if before else start
                end = end if before else min(len(text.flat), self.folded_end + CONTEXT_LENGTH)
            old_part, old_bounded = _own_sentence(marked, before, old.quote)
            new_part, new_bounded = _own_sentence(text.marked[start:end], before, self.folded)
            # Whether the new window cut a word in two can be seen; for the old one, it cannot.
            beyond = text.flat[start - 1 : start] if before else text.flat[end : end + 1]
            return _word_change(
                old_part,
                new_part,
                before,
                old_cut=not (old_at_edge or old_bounded),
                new_cut=not new_bounded and beyond.isalnum(),
            )

        return _Side(run, vouches, sentence_kept, change)

    @property
    def folded(self) -> str:
        return self.text.flat[self.folded_start : self.folded_end]

    @property
    def agrees(self) -> bool:
        before, after = self.before, self.after
        if (before.vouches or after.vouches) and not before.change and not after.change:
            return True
        return self.surroundings_kept

    @cached_property
    def surroundings_kept(self) -> bool:
        """Whether the text either side is, character for character, the old prefix and suffix."""
        text, old = self.text.original, self.old.anchor
        return (
            text[max(0, self.start - CONTEXT_LENGTH) : self.start] == old.prefix
            and text[self.end : self.end + CONTEXT_LENGTH] == old.suffix
        )

    @property
    def confirmed(self) -> bool:
        """Whether the context vouches on both sides, or on one side with the passage's whole
        sentence as it was (what is left of it on either side, up to its end)."""
        before, after = self.before, self.after
        if before.vouches and after.vouches:
            return True
        return (before.vouches or after.vouches) and before.sentence_kept and after.sentence_kept

    @property
    def plausible(self) -> bool:
        """Whether its context, though it does not agree, leaves the place possible."""
        before, after = self.before, self.after
        return (before.supports or after.supports) and not before.change and not after.change

    @cached_property
    def meaning_change(self) -> str:
        return "" if self.exact else _meaning_change(self.old.quote, self.folded)

    def rank(self, near: int) -> tuple:
        """Better places first: more context kept, then more alike, then nearer."""
        before, after = self.before, self.after
        return (
            self.agrees,
            before.vouches + after.vouches,
            before.run + after.run,
            self.exact,
            self.ratio,
            -abs(self.folded_start - near),
        )


def _similar_candidates(
    text: _Folded, old: _OldPassage, anchor: Anchor, exact: list[_Candidate]
) -> list[_Candidate]:
    """Passages like the quote, near places where pieces of it or of its context survive: the
    best-kept one of any that overlap, and none over the given occurrences of the quote."""
    passage = old.prefix + old.quote + old.suffix
    quote_start, quote_end = len(old.prefix), len(old.prefix) + len(old.quote)
    slack = len(old.quote) // 5 + 1
    near = text.folded_start(min(anchor.start, text.length))
    found: list[tuple[int, _Candidate]] = []
    for guess in _likely_starts(text.flat, passage, quote_start, slack, near):
        # Only a window around the guess is aligned: difflib over the whole text would be slow.
        low = max(0, guess - quote_start - slack)
        window = text.flat[low : guess - quote_start + len(passage) + slack]
        span = _follow_span(passage, window, quote_start, quote_end)
        if span is None:
            continue
        start, end, kept_in_quote, kept = span
        start, end = text.original_start(low + start), text.original_end(low + end)
        start, end = _snap_to_words(text.original, start, end, anchor)
        start, end = _spaced_like(text.original, start, end, anchor.quote)
        if start >= end:
            continue
        candidate = _Candidate(text, old, start, end)
        # Alike as it finally is, whole words and all.
        candidate.ratio = 2 * kept_in_quote / (len(old.quote) + len(candidate.folded))
        if candidate.ratio < SIMILAR_MIN_RATIO:
            continue
        if any(_overlap(candidate, other) for other in exact):
            continue  # an occurrence of the quote, or an edit around one: judged as that
        rivals = [other for other_kept, other in found if _overlap(candidate, other)]
        if all(kept > other_kept for other_kept, other in found if other in rivals):
            found = [(k, c) for k, c in found if c not in rivals] + [(kept, candidate)]
    return [candidate for _, candidate in found]


def _spaced_like(original: str, start: int, end: int, quote: str) -> tuple[int, int]:
    """The span with no more whitespace at either end than the quote has there (a folded space
    stands for a whole run, which the context may share)."""
    leading = len(quote) - len(quote.lstrip())
    trailing = len(quote) - len(quote.rstrip())
    words_start = start
    while words_start < end and original[words_start].isspace():
        words_start += 1
    words_end = end
    while words_end > words_start and original[words_end - 1].isspace():
        words_end -= 1
    return max(start, words_start - leading), min(end, words_end + trailing)


def _overlap(a: _Candidate, b: _Candidate) -> bool:
    return a.start < b.end and b.start < a.end


def _exact_reason(chosen: _Candidate, occurrences: int) -> str:
    typography = "" if chosen.anchor.quote == chosen.old.anchor.quote else " (in new typography)"
    if occurrences == 1:
        return f"the passage occurs once{typography}, with its old context"
    return f"the passage occurs {occurrences} times{typography}; one has its old context"


def _doubt(old: _OldPassage, agreeing: list, doubted: list, exact: list, similar: list) -> str:
    """Why a person must confirm: several places fit, or the one that fits changed too much, or
    none fits."""
    if agreeing and doubted:
        why = doubted[0].before.change or doubted[0].after.change
        return f"another place has its old context on both sides, but {why}"
    if len(agreeing) > 1:
        if all(c.exact for c in agreeing):
            return f"the passage occurs {len(agreeing)} times with its old context"
        return f"{len(agreeing)} places have the passage or one like it, and its old context"
    if agreeing:
        [chosen] = agreeing
        if chosen.exact:
            return "the passage is short, and its sentence is unchanged on one side only"
        if chosen.ratio < FUZZY_MIN_RATIO:
            return f"the passage was edited too much to move by itself ({chosen.ratio:.0%} alike)"
        if any(c.plausible for c in exact):
            return (
                "an edited passage has its old context, but the passage itself is still "
                "elsewhere, where part of its context fits"
            )
        return "the passage was edited, and its sentence is unchanged on one side only"
    changed = [c for c in similar if c.agrees and c.meaning_change]
    if changed:
        return changed[0].meaning_change
    if exact:
        if len(exact) == 1:
            [only] = exact
            why = only.before.change or only.after.change
            if why:
                return f"the passage occurs once, but {why}"
            return "the passage occurs once, but not with its old context"
        return f"the passage occurs {len(exact)} times and none has its old context"
    if len(similar) == 1:
        return "a similar passage was found, but not with its old context"
    return f"{len(similar)} similar passages were found, none with its old context"


def _snap_to_words(text: str, start: int, end: int, anchor: Anchor) -> tuple[int, int]:
    """Keep whole words at the ends of a quote that began and ended on word boundaries.

    Character-level alignment can cut a rewritten word in two ("rose" to "grew" ends at "gre").
    """
    if anchor.quote[0].isalnum() and not anchor.prefix[-1:].isalnum():
        while start > 0 and text[start - 1].isalnum():
            start -= 1
    if anchor.quote[-1].isalnum() and not anchor.suffix[:1].isalnum():
        while end < len(text) and text[end].isalnum():
            end += 1
    return start, end


def _likely_starts(text: str, old: str, quote_start: int, slack: int, near: int) -> list[int]:
    """Where the quote may start now, by votes of verbatim pieces of it and its context."""
    # Short pieces in short texts, so that an edit cannot leave too few of them intact.
    size = max(3, min(SEED_LENGTH, len(old) // 6))
    votes = Counter()
    for offset in range(0, len(old) - size + 1, size):
        for found in _occurrences(text, old[offset : offset + size]):
            votes[found - offset + quote_start] += 1
    # Guesses a few characters apart (an edit before a piece shifts its vote) are one place: its
    # votes are summed, and its most voted guess stands for it.
    places: list[list[int]] = []
    for guess in sorted(votes):
        if places and guess - places[-1][-1] <= slack:
            places[-1].append(guess)
        else:
            places.append([guess])
    tally = [(sum(votes[g] for g in guesses), guesses) for guesses in places]
    top = max((total for total, _ in tally), default=0)
    chosen = []
    for total, guesses in sorted(tally, key=lambda t: (-t[0], min(abs(g - near) for g in t[1]))):
        # Places with under half the best vote are chance hits of common pieces.
        if len(chosen) == FUZZY_CANDIDATES or total * 2 < top:
            break
        chosen.append(max(guesses, key=lambda g: (votes[g], -abs(g - near))))
    return chosen


def _follow_span(old: str, new: str, start: int, end: int) -> tuple[int, int, int, int] | None:
    """Where old[start:end] went in new, how many of its characters and of old's are unchanged.

    Each boundary follows the character it borders, so text inserted just outside stays outside.
    """
    new_start = new_end = None
    kept_in_span = kept = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            kept += i2 - i1
            kept_in_span += max(0, min(i2, end) - max(i1, start))
        if i1 <= start < i2:
            new_start = j1 + (start - i1) if tag == "equal" else j1
        if i1 < end <= i2:
            new_end = j1 + (end - i1) if tag == "equal" else j2
    if new_start is None or new_end is None or new_start >= new_end:
        return None
    return new_start, new_end, kept_in_span, kept
