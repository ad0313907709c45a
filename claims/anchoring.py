"""Where a quote sits in a text: W3C TextPosition and TextQuote selectors (no Django imports).

Offsets are Unicode code points of the canonical text, start inclusive and end exclusive.
"""

from dataclasses import dataclass

CONTEXT_LENGTH = 32


class AnchorError(ValueError):
    """A span that does not fit the text it claims to point into."""


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


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
