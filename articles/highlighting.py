"""Cut a text into runs so that overlapping and nested spans can each be shown as marks.

No Django imports: the reader template turns the runs into <mark> elements. The work grows with
the text and the number of spans (a sweep over sorted boundaries with a heap), never with their
product, so an article with ten thousand mentions costs ten times one with a thousand.
"""

import heapq
from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    text: str
    start: int
    innermost: Hashable | None  # the span that began last among those covering the run
    depth: int  # how many spans cover the run


def split_into_runs(text: str, spans: Iterable[tuple[Hashable, int, int]]) -> list[Run]:
    """Split text at every span boundary; each run names its innermost span and its depth.

    spans are (key, start, end) with 0 <= start < end <= len(text). The innermost span is the
    one that starts latest (at the same start, the one that ends first).
    """
    ordered = sorted(spans, key=lambda span: (span[1], -span[2]))
    boundaries = sorted({0, len(text), *(s for _, s, _ in ordered), *(e for _, _, e in ordered)})
    ends = sorted(end for _, _, end in ordered)
    active = []  # heap of (-start, end, order, key); spans that ended are dropped lazily
    runs = []
    next_span = next_end = 0
    for start, end in zip(boundaries, boundaries[1:], strict=False):
        while next_span < len(ordered) and ordered[next_span][1] <= start:
            key, span_start, span_end = ordered[next_span]
            heapq.heappush(active, (-span_start, span_end, next_span, key))
            next_span += 1
        while next_end < len(ends) and ends[next_end] <= start:
            next_end += 1
        while active and active[0][1] <= start:
            heapq.heappop(active)
        innermost = active[0][3] if active else None
        runs.append(Run(text[start:end], start, innermost, next_span - next_end))
    return runs
