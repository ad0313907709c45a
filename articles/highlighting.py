"""Cut a text into runs so that overlapping and nested spans can each be shown as marks.

No Django imports: the reader template turns the runs into <mark> elements.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    text: str
    start: int
    spans: tuple[Hashable, ...]  # keys of the spans covering this run, outermost first


def split_into_runs(text: str, spans: Iterable[tuple[Hashable, int, int]]) -> list[Run]:
    """Split text at every span boundary; each run lists the spans that cover all of it.

    spans are (key, start, end) with 0 <= start < end <= len(text). Spans that start
    earlier (or, at the same start, end later) come first, so the outermost is first.
    """
    ordered = sorted(spans, key=lambda span: (span[1], -span[2]))
    boundaries = sorted({0, len(text), *(s for _, s, _ in ordered), *(e for _, _, e in ordered)})
    runs = []
    for start, end in zip(boundaries, boundaries[1:], strict=False):
        covering = tuple(key for key, s, e in ordered if s <= start and end <= e)
        runs.append(Run(text=text[start:end], start=start, spans=covering))
    return runs
