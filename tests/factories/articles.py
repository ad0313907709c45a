import factory

from articles.models import Article

from .sources import OutletFactory


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    url = factory.Sequence(lambda n: f"https://paper.example/{n}")
    outlet = factory.SubFactory(OutletFactory)
    text = (
        "The minister said unemployment fell to 4 per cent last year. "
        "Critics say the figure leaves out part-time workers."
    )
