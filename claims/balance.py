"""The evidence balance: which way a claim's evidence leans, weighted by outlet reliability.

Each supporting or contradicting item counts with the weight of its outlet's reliability rating
(below); context counts nowhere. The score is (supporting - contradicting) / (supporting +
contradicting), from -1 (all weight contradicts) to +1 (all weight supports). A source with no
outlet counts as unrated. Deprecated outlets weigh nothing: they are shown, never counted.
Below MINIMUM_WEIGHT on the two sides together the balance leans nowhere: too little evidence.
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
# The least weight, both sides together, that may lean a claim either way: one reliable source,
# or two unrated ones. A single unrated or unreliable item is a lead to check, not a balance.
MINIMUM_WEIGHT = 1.0
TOO_LITTLE = "Too little evidence"


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
    def counts(self) -> str:
        """'2 supporting, 1 contradicting, 0 context': one string, not three numbers to localise."""
        return (
            f"{self.supports} supporting, {self.contradicts} contradicting, {self.context} context"
        )

    @property
    def weight(self) -> float:
        """The weight of the supporting and contradicting items together."""
        return self.support_weight + self.contradict_weight

    minimum_weight = MINIMUM_WEIGHT  # for templates, which cannot read module constants

    @property
    def too_little(self) -> bool:
        # Rounded: ten unreliable items (0.1 each) add up to 0.9999999999999999 in floats.
        return 0 < round(self.weight, 6) < MINIMUM_WEIGHT

    @property
    def score(self) -> float | None:
        """From -1 to +1; None when nothing weighs or too little to lean either way."""
        if not self.weight or self.too_little:
            return None
        return (self.support_weight - self.contradict_weight) / self.weight

    @property
    def label(self) -> str:
        if self.too_little:
            return TOO_LITTLE
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
        if self.too_little:
            return "balance-too-little"
        return "balance-" + self.label.lower().replace(" ", "-")
