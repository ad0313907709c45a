"""Re-anchoring never guesses: properties over generated news articles and edits to them.

The articles, edits and ground truths come from tests/anchoring_cases.py. In the adversarial
families a mention is never placed by itself on other words than its own: it is held for a
person (CONFIRM), left an orphan, or, where its words are still in the text, placed on them.
Ordinary edits place every mention by itself, on its own words; only a passage shorter than
SHORT_PASSAGE may be held instead, its own place offered first, when its sentence changed on
one side (a neighbouring sentence added, a typo fixed beside it).

Each example is a seed for the generator; the examples are the same on every run.
"""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.anchoring import APPROXIMATE, CONFIRM, PLACED, SHORT_PASSAGE, Anchor, place
from tests.anchoring_cases import ORDINARY, Case, make_case, outcome

seeds = st.integers(min_value=0, max_value=2**32 - 1)
adversarial = settings(max_examples=100, deadline=None, derandomize=True, database=None)
ordinary = settings(max_examples=50, deadline=None, derandomize=True, database=None)


def case_of(family: str, seed: int) -> Case:
    return make_case(family, random.Random(seed))  # noqa: S311 - a generated case, not a secret


def offered(case: Case, candidates: tuple[Anchor, ...]) -> bool:
    return case.expected in [(candidate.start, candidate.end) for candidate in candidates]


@adversarial
@given(seeds)
def test_a_short_phrase_whose_sentence_was_deleted_never_moves_to_another_use(seed):
    case = case_of("repeated-phrase", seed)
    assert case.expected is None
    placement = place(case.new_text, case.anchor)
    assert outcome(case, placement) in ("held", "orphaned")
    # The phrase is still used elsewhere: a person is shown where.
    assert placement.kind == CONFIRM
    assert case.anchor.quote in [candidate.quote for candidate in placement.candidates]


@adversarial
@given(seeds)
def test_a_deleted_figure_never_moves_to_a_near_duplicate(seed):
    case = case_of("near-duplicate-number", seed)
    assert case.expected is None
    assert outcome(case) in ("held", "orphaned")


@adversarial
@given(seeds)
def test_a_claim_negated_in_place_is_never_followed_by_itself(seed):
    case = case_of("negation-in-place", seed)
    assert case.expected is None
    assert outcome(case) in ("held", "orphaned")


@adversarial
@given(seeds)
def test_a_deleted_claim_never_moves_to_its_rebuttal(seed):
    case = case_of("rebuttal-left", seed)
    assert case.expected is None
    assert outcome(case) in ("held", "orphaned")


@adversarial
@given(seeds)
def test_a_typo_fixed_in_the_body_never_moves_the_mention_to_the_pull_quote(seed):
    case = case_of("quote-box-copy", seed)
    placement = place(case.new_text, case.anchor)
    assert outcome(case, placement) in ("correct", "held")
    if placement.kind == CONFIRM:
        assert offered(case, placement.candidates)


@pytest.mark.parametrize("family", ORDINARY)
@ordinary
@given(seed=seeds)
def test_ordinary_edits_place_the_mention_by_itself_on_its_own_words(family, seed):
    case = case_of(family, seed)
    placement = place(case.new_text, case.anchor)
    if placement.kind == CONFIRM and len(case.anchor.quote) < SHORT_PASSAGE:
        # A short passage whose sentence changed beside it on one side (a neighbouring sentence
        # or paragraph, a typo) could be another use of the same words: offered first, not moved.
        assert placement.reason.endswith("unchanged on one side only")
        assert offered(case, placement.candidates[:1])
        return
    assert placement.kind in (PLACED, APPROXIMATE), placement.reason
    assert (placement.anchor.start, placement.anchor.end) == case.expected
    # Only an edit of the quote's own words makes it approximate.
    if family != "typo-inside":
        assert placement.kind == PLACED
