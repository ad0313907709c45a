"""The demo loader: the worked example, truthfully, and nothing new on a second run."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import override_settings

from articles.models import Article
from claims.models import Claim, Evidence, Mention

pytestmark = pytest.mark.django_db


def load_demo():
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=StringIO())


def snapshot() -> dict[str, list]:
    """Every row of every project model, as values, so any change shows."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app_label in ("articles", "claims", "sources", "auth")
        for model in apps.get_app_config(app_label).get_models()
    }


def test_running_it_twice_changes_nothing():
    load_demo()
    first = snapshot()
    load_demo()
    assert snapshot() == first


def test_it_refuses_to_run_with_debug_off():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.filter(username="researcher").exists()


def test_it_creates_the_three_demo_users_in_their_roles():
    load_demo()
    roles = {user.username: {g.name for g in user.groups.all()} for user in User.objects.all()}
    assert roles == {
        "researcher": {"Researcher"},
        "reviewer": {"Reviewer"},
        "admin": {"Source admin"},
    }
    assert User.objects.get(username="admin").is_superuser


def test_the_headline_claim_is_mentioned_in_the_title_line_and_the_body():
    load_demo()
    article = Article.objects.get()
    headline_claim = Claim.objects.get(text__startswith="North Korean troops are actively")
    starts = sorted(headline_claim.mentions.values_list("start", flat=True))
    assert len(starts) == 2
    assert starts[0] == 0 and article.text.startswith(article.title)


def test_every_mention_points_at_its_quote():
    load_demo()
    mentions = Mention.objects.select_related("article")
    assert mentions.count() >= 6
    for mention in mentions:
        assert mention.article.text[mention.start : mention.end] == mention.quote


def test_the_example_has_claims_in_every_state_and_evidence_both_ways():
    load_demo()
    assert Claim.objects.count() >= 5
    assert set(Claim.objects.values_list("status", flat=True)) == set(Claim.Status.values)
    headline = Claim.objects.get(text__startswith="North Korean troops are actively")
    stances = set(headline.evidence.values_list("stance", flat=True))
    assert stances == {Evidence.Stance.CONTRADICTS, Evidence.Stance.CONTEXT}
    later = headline.evidence.filter(source__published_on__gt=headline.claimed_on)
    assert later.exists(), "evidence published after the claim is part of the example"
