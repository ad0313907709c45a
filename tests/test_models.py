"""The data model tells the truth: constraints hold in the database, validation on every save."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles import actions as article_actions
from articles.models import Article
from claims.models import EXCERPT_MAX_LENGTH, Claim, Evidence, Mention, Rating
from sources import actions as source_actions
from sources.models import Outlet, Source
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, MentionFactory
from tests.factories.sources import EvidenceFactory, OutletFactory, SourceFactory

pytestmark = pytest.mark.django_db


def rejected_by_database(operation) -> bool:
    try:
        with transaction.atomic():
            operation()
    except IntegrityError:
        return True
    return False


class TestArticle:
    def test_it_stores_a_hash_of_its_text(self, researcher):
        article = article_actions.add_article(by=researcher, title="T", text="Some text.")
        first_hash = article.content_hash
        article = article_actions.revise_text(article, "Other text.", by=researcher, seen_version=1)
        assert len(first_hash) == 64
        assert article.content_hash != first_hash
        assert Article.objects.filter(content_hash=article.content_hash).exists()

    def test_two_articles_cannot_share_a_canonical_url(self):
        ArticleFactory(url="https://paper.example/a")
        assert rejected_by_database(lambda: ArticleFactory(url="https://paper.example/a"))

    def test_many_articles_may_have_no_url(self):
        ArticleFactory(url="")
        ArticleFactory(url="")
        assert Article.objects.filter(url="").count() == 2

    def test_the_database_refuses_an_article_without_text(self):
        article = ArticleFactory()
        assert rejected_by_database(lambda: Article.objects.filter(pk=article.pk).update(text=""))


class TestMention:
    def test_prefix_and_suffix_are_computed_from_the_text(self):
        article = ArticleFactory(text="x" * 40 + "the quote" + "y" * 40)
        mention = MentionFactory(article=article, start=40, length=9)
        assert mention.quote == "the quote"
        assert mention.prefix == "x" * 32
        assert mention.suffix == "y" * 32

    def test_context_is_shorter_at_the_edges_of_the_text(self):
        article = ArticleFactory(text="Short text.")
        mention = MentionFactory(article=article, start=0, length=5)
        assert (mention.prefix, mention.suffix) == ("", " text.")

    def test_a_span_past_the_end_of_the_text_is_refused_on_save(self):
        article = ArticleFactory(text="Ten chars.")
        with pytest.raises(ValidationError, match="does not fit"):
            Mention.objects.create(
                claim=ClaimFactory(), article=article, start=5, end=50, quote="chars."
            )
        assert not Mention.objects.exists()

    def test_a_quote_that_differs_from_the_text_is_refused_on_save(self):
        article = ArticleFactory(text="The minister said unemployment fell.")
        with pytest.raises(ValidationError, match="not the quote"):
            Mention.objects.create(
                claim=ClaimFactory(), article=article, start=4, end=12, quote="premier!"
            )

    def test_the_database_refuses_a_span_that_ends_before_it_starts(self):
        mention = MentionFactory()
        assert rejected_by_database(
            lambda: Mention.objects.filter(pk=mention.pk).update(start=10, end=3)
        )

    def test_the_database_refuses_the_same_span_twice_for_one_claim(self):
        mention = MentionFactory()
        duplicate = Mention(
            claim=mention.claim,
            article=mention.article,
            start=mention.start,
            end=mention.end,
            quote=mention.quote,
        )
        assert rejected_by_database(duplicate.save)

    def test_one_claim_can_be_mentioned_in_several_articles(self):
        claim = ClaimFactory()
        MentionFactory(claim=claim)
        MentionFactory(claim=claim)
        MentionFactory(claim=claim, article=claim.mentions.first().article, start=30)
        assert claim.mentions.count() == 3
        assert claim.mentions.values("article").distinct().count() == 2

    def test_non_latin_text_is_counted_in_code_points(self):
        article = ArticleFactory(text="Президент сказав 🙂 що війська вже там.")
        start = article.text.index("що")
        mention = MentionFactory(article=article, start=start, length=2)
        assert mention.quote == "що"
        assert mention.prefix.endswith("🙂 ")


class TestSource:
    def test_urls_are_stored_in_their_normalised_form(self):
        source = SourceFactory(url="HTTPS://Example.COM:443/story/?utm_source=x#top")
        assert source.url == "https://example.com/story"

    def test_two_spellings_of_one_url_are_one_source(self):
        SourceFactory(url="https://example.com/story")
        assert rejected_by_database(
            lambda: SourceFactory(url="https://EXAMPLE.com/story/?fbclid=abc")
        )

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("ftp://example.com/file", "Only http and https"),
            ("javascript:alert(1)", "Only http and https"),
            ("https://user:pass@example.com/", "user name or password"),
            ("https:///no-host", "no host"),
        ],
    )
    def test_a_url_that_cannot_be_a_source_is_refused_with_a_reason(self, url, message):
        with pytest.raises(ValidationError, match=message):
            SourceFactory(url=url)
        assert not Source.objects.exists()

    def test_the_outlet_is_found_from_the_domain_including_subdomains(self):
        outlet = OutletFactory(domain="kbs.co.kr")
        source = SourceFactory(url="https://world.kbs.co.kr/news?id=1", outlet=None)
        assert source.outlet == outlet

    def test_the_database_refuses_a_url_that_is_not_http(self):
        source = SourceFactory()
        assert rejected_by_database(
            lambda: Source.objects.filter(pk=source.pk).update(url="file:///etc/passwd")
        )


class TestOutlet:
    def test_the_domain_is_kept_in_lower_case_without_www(self, source_admin):
        outlet = source_actions.add_outlet(by=source_admin, name="E", domain=" WWW.Example.ORG")
        assert outlet.domain == "example.org"

    def test_the_database_refuses_an_upper_case_domain(self):
        outlet = OutletFactory()
        assert rejected_by_database(
            lambda: Outlet.objects.filter(pk=outlet.pk).update(domain="Example.org")
        )

    def test_two_outlets_cannot_share_a_domain(self):
        OutletFactory(domain="example.org")
        assert rejected_by_database(lambda: OutletFactory(domain="example.org"))


class TestEvidence:
    def test_a_source_is_cited_once_per_claim_and_stance(self):
        evidence = EvidenceFactory()
        assert rejected_by_database(
            lambda: EvidenceFactory(
                claim=evidence.claim, source=evidence.source, stance=evidence.stance
            )
        )

    def test_the_same_source_may_support_one_claim_and_give_context_to_it(self):
        evidence = EvidenceFactory(stance=Evidence.Stance.SUPPORTS)
        EvidenceFactory(
            claim=evidence.claim, source=evidence.source, stance=Evidence.Stance.CONTEXT
        )
        assert evidence.claim.evidence.count() == 2

    def test_the_database_refuses_an_unknown_stance(self):
        evidence = EvidenceFactory()
        assert rejected_by_database(
            lambda: Evidence.objects.filter(pk=evidence.pk).update(stance="maybe")
        )

    def test_the_database_refuses_an_excerpt_over_the_limit(self):
        assert rejected_by_database(lambda: EvidenceFactory(excerpt="x" * (EXCERPT_MAX_LENGTH + 1)))


class TestClaim:
    def test_the_database_refuses_a_published_claim_without_a_verdict(self):
        claim = ClaimFactory()
        assert rejected_by_database(
            lambda: Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PUBLISHED)
        )

    def test_the_database_refuses_an_unknown_status(self):
        claim = ClaimFactory()
        assert rejected_by_database(lambda: Claim.objects.filter(pk=claim.pk).update(status="x"))

    def test_a_new_claim_is_a_draft_at_version_one(self):
        claim = ClaimFactory()
        assert (claim.status, claim.version) == (Claim.Status.DRAFT, 1)


class TestRatingScale:
    def test_the_default_scale_is_seeded_in_order(self):
        assert list(Rating.objects.values_list("label", flat=True)) == [
            "True",
            "Mostly true",
            "Partly true",
            "Misleading",
            "Mostly false",
            "False",
            "Unverified",
        ]

    def test_only_off_scale_labels_have_no_number(self):
        assert list(Rating.objects.filter(value=None).values_list("label", flat=True)) == [
            "Unverified"
        ]

    def test_the_database_refuses_a_colour_that_is_not_hex(self):
        rating = Rating.objects.first()
        assert rejected_by_database(
            lambda: Rating.objects.filter(pk=rating.pk).update(colour="red")
        )


class TestRoles:
    @staticmethod
    def permissions(role: str) -> set[str]:
        group = Group.objects.get(name=role)
        return {
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }

    def test_researchers_tag_claims_and_add_evidence_but_do_not_give_verdicts(self):
        permissions = self.permissions("Researcher")
        assert {"articles.add_article", "claims.add_mention", "claims.add_evidence"} <= permissions
        assert "claims.review_claim" not in permissions
        assert "sources.change_outlet" not in permissions

    def test_reviewers_can_do_what_researchers_do_and_give_verdicts(self):
        assert self.permissions("Researcher") < self.permissions("Reviewer")
        assert "claims.review_claim" in self.permissions("Reviewer")

    def test_source_admins_keep_the_register_and_the_scale_but_do_not_tag(self):
        permissions = self.permissions("Source admin")
        assert {"sources.change_outlet", "sources.change_source", "claims.change_rating"} <= (
            permissions
        )
        assert "claims.add_claim" not in permissions
