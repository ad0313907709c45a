"""generate_data: a reproducible dataset whose rows hold together like real ones."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from articles.models import Article
from claims.models import Claim, Evidence, Mention
from lib.search import search
from sources.models import Source

pytestmark = pytest.mark.django_db


def generate(claims: int, seed: int = 1) -> str:
    out = StringIO()
    call_command("generate_data", claims=claims, seed=seed, stdout=out)
    return out.getvalue()


def test_it_builds_claims_in_the_demos_proportions():
    report = generate(1000)
    assert "Generated 1,000 claims" in report
    assert Claim.objects.count() == 1000
    assert Article.objects.count() == 200 and Source.objects.count() == 500
    assert 1100 <= Mention.objects.count() <= 1300
    assert 1500 <= Evidence.objects.count() <= 2500
    published = Claim.objects.filter(status="published").count()
    assert 200 <= published <= 400


def test_every_mention_quotes_its_article_and_every_count_is_true():
    generate(300)
    for mention in Mention.objects.select_related("article")[:200]:
        assert mention.article.text[mention.start : mention.end] == mention.quote
    wrong = Claim.objects.annotate(
        real_evidence=Count("evidence", distinct=True),
        real_contradicting=Count(
            "evidence", filter=Q(evidence__stance="contradicts"), distinct=True
        ),
        real_mentions=Count("mentions", distinct=True),
    ).exclude(
        evidence_count=F("real_evidence"),
        contradicts_count=F("real_contradicting"),
        mention_count=F("real_mentions"),
    )
    assert not wrong.exists()


def test_the_same_seed_gives_the_same_claims():
    generate(50, seed=5)
    first = list(Claim.objects.order_by("pk").values_list("text", "status"))
    Claim.objects.all().delete()
    generate(50, seed=5)
    assert list(Claim.objects.order_by("pk").values_list("text", "status")) == first


def test_generated_rows_are_searchable_and_new_rows_do_not_collide():
    generate(500)
    assert search(Claim.objects.all(), "artillery")
    Claim.objects.create(text="Made after the load.")  # its id must be free


def test_at_least_one_claim_is_asked_for():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 1"):
        generate(0)


def test_every_index_and_constraint_is_back_after_the_load():
    from django.db import connection

    from claims.management.commands.generate_data import LOADED

    def schema():
        with connection.cursor() as cursor:
            return {
                model._meta.db_table: connection.introspection.get_constraints(
                    cursor, model._meta.db_table
                )
                for model in LOADED
            }

    before = schema()
    assert any(len(constraints) > 3 for constraints in before.values())
    generate(20)
    assert schema() == before


def test_published_claims_have_their_publication_and_a_public_page(client):
    from claims.models import Publication

    generate(200)
    published = Claim.objects.filter(status="published")
    assert Publication.objects.current().count() == published.count() > 0
    claim = published.filter(evidence_count__gt=0).first()
    publication = claim.publications.get()
    assert (publication.claim_text, publication.rating_id) == (claim.text, claim.rating_id)
    assert len(publication.evidence) == claim.evidence_count
    response = client.get(f"/public/claims/{claim.pk}/")
    assert response.status_code == 200
    assert publication.evidence[0]["title"] in response.content.decode()


def test_search_text_is_built_as_the_actions_build_it():
    generate(50)
    claims = list(Claim.objects.order_by("pk").values_list("pk", "search_document"))
    Claim.objects.update(search_document="")
    Claim.objects.all().refresh_search_documents()
    assert list(Claim.objects.order_by("pk").values_list("pk", "search_document")) == claims
