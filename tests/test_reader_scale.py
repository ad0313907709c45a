"""The reader of an article with ten thousand mentions: a fixed number of queries, every mark."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, Mention
from tests.factories.articles import ArticleFactory

pytestmark = pytest.mark.django_db

WORD = "claim "


def article_with_mentions(count: int):
    article = ArticleFactory(text=WORD * (count * 2))
    claims = Claim.objects.bulk_create(Claim(text=f"Claim {n}.") for n in range(100))
    mentions = []
    for n in range(count):
        start = n * 2 * len(WORD)
        # Every tenth mention also covers its neighbour, so marks nest and overlap too.
        end = start + len(WORD) * (3 if n % 10 == 0 else 1) - 1
        end = min(end, len(article.text))
        mentions.append(
            Mention(
                claim=claims[n % 100],
                article=article,
                start=start,
                end=end,
                quote=article.text[start:end],
            )
        )
    Mention.objects.bulk_create(mentions)
    return article


def render(client, article) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reader:article", args=[article.pk]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_ten_thousand_mentions_cost_the_queries_of_ten(login, researcher):
    client = login(researcher)
    few, _ = render(client, article_with_mentions(10))
    many, page = render(client, article_with_mentions(10_000))
    assert many == few
    assert page.count("<mark ") == 10_000
    assert page.count(" nested") == 1_000  # every tenth mention holds the next one
