"""The evidence balance leans only on enough weight: one unrated source is too little."""

import pytest
from django.urls import reverse

from claims.balance import MINIMUM_WEIGHT, RELIABILITY_WEIGHT, EvidenceBalance
from tests.factories.claims import ClaimFactory, MentionFactory
from tests.factories.sources import EvidenceFactory, OutletFactory


@pytest.mark.parametrize(
    ("items", "label", "css_class"),
    [
        ([("contradicts", None)], "Too little evidence", "balance-too-little"),
        ([("supports", "unrated")], "Too little evidence", "balance-too-little"),
        ([("supports", "no_consensus")], "Too little evidence", "balance-too-little"),
        ([("supports", "unreliable")] * 9, "Too little evidence", "balance-too-little"),
        (
            [("supports", "unrated"), ("contradicts", "unreliable")],
            "Too little evidence",
            "balance-too-little",
        ),
        ([("supports", "unreliable")] * 10, "Leans supported", "balance-leans-supported"),
        ([("contradicts", "unrated")] * 2, "Leans contradicted", "balance-leans-contradicted"),
        ([("supports", "reliable")], "Leans supported", "balance-leans-supported"),
        (
            [("supports", "unrated"), ("contradicts", "unrated")],
            "Contested",
            "balance-contested",
        ),
        ([("context", "unrated")], "No evidence either way", "balance-no-evidence-either-way"),
        ([], "No evidence yet", "balance-no-evidence-yet"),
    ],
)
def test_the_balance_leans_only_from_the_minimum_weight(items, label, css_class):
    balance = EvidenceBalance.of(items)
    assert (balance.label, balance.css_class) == (label, css_class)
    leaning = label in {"Leans supported", "Leans contradicted", "Contested"}
    assert (balance.score is not None) == leaning


def test_one_unrated_source_weighs_less_than_the_minimum_and_one_reliable_does_not():
    assert RELIABILITY_WEIGHT["unrated"] < MINIMUM_WEIGHT <= RELIABILITY_WEIGHT["reliable"]


@pytest.mark.django_db
class TestTooLittleOnThePages:
    def test_the_claim_page_says_too_little_instead_of_a_weighted_balance(self, login, researcher):
        claim = ClaimFactory()
        EvidenceFactory(claim=claim, stance="contradicts", source__outlet=None)
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert 'class="balance balance-too-little"' in html
        assert "Too little evidence" in html
        assert "Leans contradicted" not in html and "weighted balance" not in html
        assert "reliability weight 0.50, at least 1.00 needed to lean either way" in html

    def test_a_reliable_source_is_enough_to_lean(self, login, researcher):
        claim = ClaimFactory()
        EvidenceFactory(claim=claim, stance="contradicts", source__outlet=OutletFactory())
        html = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert "Leans contradicted" in html and "weighted balance -1.00" in html

    def test_the_claim_list_and_the_reader_say_too_little(self, login, researcher):
        mention = MentionFactory()
        EvidenceFactory(claim=mention.claim, stance="supports", source__outlet=None)
        client = login(researcher)
        listed = client.get(reverse("claims:list")).content.decode()
        assert 'class="balance balance-too-little"' in listed
        assert "Too little evidence" in listed
        reader = client.get(mention.article.get_absolute_url()).content.decode()
        assert "Too little evidence" in reader and "Leans supported" not in reader
