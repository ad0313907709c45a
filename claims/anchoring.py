"""Where a quote sits in a text: W3C TextPosition and TextQuote selectors (no Django imports).

Offsets are Unicode code points of the canonical text, start inclusive and end exclusive.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import NamedTuple

CONTEXT_LENGTH = 32
# Approximate matching: shorter quotes match too much by accident to be moved on a guess.
FUZZY_MIN_LENGTH = 12
# A quote with up to about a fifth of it edited is still the same quote (a difflib-style ratio:
# twice the unchanged characters over both lengths).
FUZZY_MIN_RATIO = 0.8
# Verbatim pieces of the quote and its context vote for where it went; at most this many of
# the best-voted places get the costlier alignment (its cost grows with the quote's length).
SEED_LENGTH = 8
FUZZY_CANDIDATES = 5


class AnchorError(ValueError):
    """A span that does not fit the text it claims to point into."""


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


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
    """Where the anchor's quote is in an edited text, or None when it is gone (an orphan).

    The exact quote comes first: of its occurrences, the one best bordered by the old prefix and
    suffix, then the one nearest the old start. So the old position is kept unless another
    occurrence is better bordered: after an edit the context is better evidence than an offset.
    Failing that, a quote of FUZZY_MIN_LENGTH or more with small edits is found approximately;
    the new anchor quotes the new text.
    """
    if not anchor.quote:
        return None
    start = _find_exact(
        new_text, TextQuote(anchor.quote, anchor.prefix, anchor.suffix), anchor.start
    )
    if start is not None:
        return anchor_at(new_text, start, start + len(anchor.quote))
    return _find_approximate(new_text, anchor)


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


def _find_approximate(text: str, anchor: Anchor) -> Anchor | None:
    """The span most like the quote, near places where pieces of it or its context survive."""
    if len(anchor.quote) < FUZZY_MIN_LENGTH:
        return None
    old = anchor.prefix + anchor.quote + anchor.suffix
    quote_start, quote_end = len(anchor.prefix), len(anchor.prefix) + len(anchor.quote)
    slack = len(anchor.quote) // 5 + 1
    best, best_rank = None, None
    for guess in _likely_starts(text, old, quote_start, slack, anchor.start):
        # Only a window around the guess is aligned: difflib over the whole text would be slow.
        low = max(0, guess - quote_start - slack)
        window = text[low : guess - quote_start + len(old) + slack]
        span = _follow_span(old, window, quote_start, quote_end)
        if span is None:
            continue
        start, end, kept_in_quote, kept = span
        ratio = 2 * kept_in_quote / (len(anchor.quote) + end - start)
        rank = (kept, -abs(low + start - anchor.start))
        if ratio >= FUZZY_MIN_RATIO and (best_rank is None or rank > best_rank):
            best = anchor_at(text, *_snap_to_words(text, low + start, low + end, anchor))
            best_rank = rank
    return best


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
    chosen, top = [], max(votes.values(), default=0)
    for guess in sorted(votes, key=lambda g: (-votes[g], abs(g - near))):
        # Places with under half the best vote are chance hits of common pieces.
        if len(chosen) == FUZZY_CANDIDATES or votes[guess] * 2 < top:
            break
        # Guesses a few characters apart (an edit splits the vote) share one window.
        if all(abs(guess - other) > slack for other in chosen):
            chosen.append(guess)
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
