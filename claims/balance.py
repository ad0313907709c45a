"""The evidence balance: which way a claim's evidence leans, weighted by outlet reliability.

Each supporting or contradicting item counts with the weight of its outlet's reliability rating
(below); context counts nowhere. The score is (supporting - contradicting) / (supporting +
contradicting), from -1 (all weight contradicts) to +1 (all weight supports). A source with no
outlet counts as unrated. Deprecated outlets weigh nothing: they are shown, never counted.
"""

from collections.abc import Iterable
from dataclasses import dataclass

# Keys are sources.models.Reliability values; a test checks that every rating has a weight.
RELIABILITY_WEIGHT = {
    "reliable": 1.0,
    "no_consensus": 0.5,
    "unrated": 0.5,
    "unreliable": 0.1,
    "deprecated": 0.0,
}
UNRATED = "unrated"
# How far the score must lean before the balance is called one-sided rather than contested.
ONE_SIDED = 0.6


@dataclass(frozen=True)
class EvidenceBalance:
    supports: int = 0
    contradicts: int = 0
    context: int = 0
    support_weight: float = 0.0
    contradict_weight: float = 0.0

    @classmethod
    def of(cls, items: Iterable[tuple[str, str | None]]) -> "EvidenceBalance":
        """The balance of (stance, outlet reliability or None) pairs."""
        counts = {"supports": 0, "contradicts": 0, "context": 0}
        weights = {"supports": 0.0, "contradicts": 0.0, "context": 0.0}
        for stance, reliability in items:
            counts[stance] += 1
            weights[stance] += RELIABILITY_WEIGHT[reliability or UNRATED]
        return cls(
            supports=counts["supports"],
            contradicts=counts["contradicts"],
            context=counts["context"],
            support_weight=weights["supports"],
            contradict_weight=weights["contradicts"],
        )

    @property
    def total(self) -> int:
        return self.supports + self.contradicts + self.context

    @property
    def score(self) -> float | None:
        weighed = self.support_weight + self.contradict_weight
        if not weighed:
            return None
        return (self.support_weight - self.contradict_weight) / weighed

    @property
    def label(self) -> str:
        score = self.score
        if score is None:
            return "No evidence either way" if self.total else "No evidence yet"
        if score >= ONE_SIDED:
            return "Leans supported"
        if score <= -ONE_SIDED:
            return "Leans contradicted"
        return "Contested"

    @property
    def css_class(self) -> str:
        return "balance-" + self.label.lower().replace(" ", "-")
