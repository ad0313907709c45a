import factory

from articles.actions import fill_derived_fields
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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A row as add_article would leave it, without asking for a user with the right.
        article = model_class(*args, **kwargs)
        fill_derived_fields(article)
        article.save(force_insert=True)
        return article
