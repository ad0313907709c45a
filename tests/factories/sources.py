import factory

from claims.models import Evidence
from sources.actions import fill_derived_fields
from sources.models import Outlet, Source

from .derived import DerivedDataFactory


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    domain = factory.Sequence(lambda n: f"outlet{n}.example")
    reliability = Outlet.Reliability.RELIABLE


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://news{n}.example/story/{n}")
    title = factory.Sequence(lambda n: f"Report number {n}")
    outlet = factory.SubFactory(OutletFactory)
    type = Source.Type.NEWS

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A row as add_source would leave it, without asking for a user with the right.
        source = model_class(*args, **kwargs)
        fill_derived_fields(source)
        source.save(force_insert=True)
        return source


class EvidenceFactory(DerivedDataFactory):
    class Meta:
        model = Evidence

    claim = factory.SubFactory("tests.factories.claims.ClaimFactory")
    source = factory.SubFactory(SourceFactory)
    stance = Evidence.Stance.SUPPORTS
    excerpt = "A short passage that bears on the claim."
