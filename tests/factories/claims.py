import factory

from claims.models import Claim, Claimant, Mention

from .articles import ArticleFactory


class ClaimantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claimant

    name = factory.Sequence(lambda n: f"Claimant {n}")


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    text = factory.Sequence(lambda n: f"Unemployment fell to {n} per cent last year.")
    claimant = factory.SubFactory(ClaimantFactory)


class MentionFactory(factory.django.DjangoModelFactory):
    """A mention of the first `length` characters after `start` of its article's text."""

    class Meta:
        model = Mention
        exclude = ["length"]

    claim = factory.SubFactory(ClaimFactory)
    article = factory.SubFactory(ArticleFactory)
    start = 0
    length = 20
    end = factory.LazyAttribute(lambda m: m.start + m.length)
    quote = factory.LazyAttribute(lambda m: m.article.text[m.start : m.end])
