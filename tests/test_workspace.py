"""The claim workspace and its colour language: verdict tones, the legend, the two columns."""

import pytest

from claims.models import Rating, tone_between

pytestmark = pytest.mark.django_db


class TestRatingTone:
    def test_every_step_of_the_default_scale_has_its_own_tone(self):
        tones = {rating.label: rating.tone for rating in Rating.objects.all()}
        assert tones == {
            "True": "true",
            "Mostly true": "mostly-true",
            "Partly true": "partly-true",
            "Misleading": "misleading",
            "Mostly false": "mostly-false",
            "False": "false",
            "Unverified": "unverified",
        }

    def test_a_label_naming_a_tone_needs_no_query(self, django_assert_num_queries):
        rating = Rating(label="Mostly False", position=90, value=None)
        with django_assert_num_queries(0):
            assert rating.tone == "mostly-false"

    def test_a_custom_label_is_placed_by_its_value_on_the_scale(self):
        Rating.objects.all().delete()
        for position, (label, value) in enumerate(
            [("Correct", 10), ("Half right", 5), ("Wrong", 0), ("Satire", None)], start=1
        ):
            Rating.objects.create(label=label, position=position, value=value)
        tones = {rating.label: rating.tone for rating in Rating.objects.all()}
        assert tones == {
            "Correct": "true",
            "Half right": "partly-true",  # halfway rounds towards the true end
            "Wrong": "false",
            "Satire": "unverified",
        }

    def test_values_are_banded_between_best_and_worst(self):
        assert [tone_between(v, best=6, worst=1) for v in range(6, 0, -1)] == [
            "true",
            "mostly-true",
            "partly-true",
            "misleading",
            "mostly-false",
            "false",
        ]
        assert tone_between(99, best=6, worst=1) == "true"  # off the scale: its nearest end
        assert tone_between(3, best=3, worst=3) == "unverified"  # one step is no scale
        assert tone_between(3, best=None, worst=None) == "unverified"
