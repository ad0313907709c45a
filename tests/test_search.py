"""One search box over claims, articles and sources, on PostgreSQL and on SQLite alike."""

import pytest
from django.db import connection
from django.urls import reverse

from claims import actions
from claims.models import Claim, Claimant
from lib.search import first_searched_word, fts5_query, search
from sources import actions as register
from sources.models import Outlet, Source
from tests.factories.articles import ArticleFactory
from tests.factories.claims import (
    ClaimantFactory,
    ClaimFactory,
    MentionFactory,
    publish,
)
from tests.factories.derived import rederive
from tests.factories.sources import OutletFactory, SourceFactory

pytestmark = pytest.mark.django_db

HOSTILE = ["'\"():*&|!", "NOT", "-", '"', "OR OR", "a:b", "*", "foo AND (bar", "\\", "%_"]


def found(model, words: str) -> set[str]:
    return {str(hit.object) for hit in search(model.objects.all(), words)}


@pytest.fixture
def desk(db):
    zelensky = ClaimantFactory(name="Volodymyr Zelensky")
    troops = ClaimFactory(
        text="North Korean troops are fighting alongside Russian forces.", claimant=zelensky
    )
    troops.tags.create(name="Kursk offensive")
    rederive(troops.pk)  # tagged directly here: the actions compute it after every write
    shells = ClaimFactory(text="North Korea supplies artillery shells to Russia.")
    strikes = ClaimFactory(text="Ukraine may strike deep into Russian territory.")
    article = ArticleFactory(
        title="Pyongyang's soldiers", text="Reporters saw convoys near the border at dawn."
    )
    MentionFactory(claim=strikes, article=article, start=0, length=25)
    outlet = OutletFactory(name="Ukrainska Pravda", domain="pravda.com.ua")
    SourceFactory(title="Kremlin denial", url="https://kremlin.example/denial", outlet=outlet)
    return {"troops": troops, "shells": shells, "strikes": strikes}


class TestWhatIsFound:
    def test_claims_by_their_words_quotes_claimant_and_tags(self, desk):
        assert found(Claim, "artillery") == {str(desk["shells"])}
        assert found(Claim, "convoys") == {str(desk["strikes"])}, "a mention's quote"
        assert found(Claim, "zelensky") == {str(desk["troops"])}
        assert found(Claim, "kursk") == {str(desk["troops"])}

    def test_stemming_finds_other_forms_of_a_word(self, desk):
        assert found(Claim, "supplied") == {str(desk["shells"])}

    def test_articles_by_title_and_text_and_sources_by_title_url_and_outlet(self, desk):
        from articles.models import Article

        assert found(Article, "pyongyang") == {"Pyongyang's soldiers"}
        assert found(Article, "dawn") == {"Pyongyang's soldiers"}
        assert found(Source, "denial") == {"Kremlin denial"}
        assert found(Source, "ukrainska") == {"Kremlin denial"}
        assert found(Source, "kremlin.example") == {"Kremlin denial"}

    @pytest.mark.parametrize(
        ("words", "expected"),
        [
            ("north korea", {"shells"}),  # "Korean" is another word than "Korea"
            ("north korean", {"troops"}),
            ('"artillery shells"', {"shells"}),
            ('"shells artillery"', set()),
            ("artillery OR territory", {"shells", "strikes"}),
            ("north -artillery", {"troops"}),
            ("russia OR russian", {"troops", "shells", "strikes"}),
            ("zebra", set()),
        ],
    )
    def test_web_search_syntax(self, words, expected, desk):
        assert found(Claim, words) == {str(desk[name]) for name in expected}

    @pytest.mark.parametrize("words", HOSTILE)
    def test_hostile_input_is_only_words(self, words, desk, login, researcher):
        found(Claim, words)  # must not raise
        response = login(researcher).get(reverse("search"), {"q": words})
        assert response.status_code == 200

    def test_the_best_match_comes_first(self, desk):
        ClaimFactory(text="Shells, shells and more artillery shells.")
        hits = search(Claim.objects.all(), "shells")
        assert str(hits[0].object) == "Shells, shells and more artillery shells."


class TestKeptCurrentOnWrite:
    """The actions rebuild a claim's search document whenever what it reads changes."""

    def test_an_edited_claim_is_found_by_its_new_words_only(self, desk, researcher):
        claim = desk["shells"]
        actions.edit_claim(
            claim,
            text="North Korea sends rockets to Russia.",
            claimant_name=claim.claimant.name,
            claimed_on=None,
            by=researcher,
            seen_version=claim.version,
        )
        assert found(Claim, "rockets") == {"North Korea sends rockets to Russia."}
        assert found(Claim, "artillery") == set()

    def test_a_deleted_claim_is_gone(self, desk, admin_user):
        actions.delete_claim(desk["shells"], by=admin_user)
        assert found(Claim, "artillery") == set()

    def test_new_mentions_tags_and_claimant_names_are_searchable(self, desk, researcher):
        claim = desk["shells"]
        actions.edit_claim(
            claim,
            text=claim.text,
            claimant_name=claim.claimant.name,
            claimed_on=None,
            tags=["Munitions"],
            by=researcher,
            seen_version=claim.version,
        )
        assert found(Claim, "munitions") == {str(claim)}
        zelensky = Claimant.objects.get(name="Volodymyr Zelensky")
        actions.save_claimant(
            zelensky, name="President Zelensky", kind="person", description="", by=researcher
        )
        assert found(Claim, "president") == {str(desk["troops"])}
        article = ArticleFactory(text="Trains carried crates north.")
        actions.add_mention(claim, article, start=0, end=len(article.text), by=researcher)
        assert found(Claim, "crates") == {str(claim)}
        actions.delete_mention(claim.mentions.get(), by=researcher, seen_version=1)
        assert found(Claim, "crates") == set()

    def test_a_renamed_tag_finds_its_claims(self, desk, admin_user):
        from claims.models import Tag

        actions.save_tag(Tag.objects.get(name="Kursk offensive"), name="Kursk", by=admin_user)
        assert found(Claim, "kursk") == {str(desk["troops"])}
        assert found(Claim, "offensive") == set()

    def test_a_renamed_outlet_finds_its_sources(self, desk, source_admin):
        outlet = Outlet.objects.get(name="Ukrainska Pravda")
        register.edit_outlet(
            outlet, by=source_admin, seen_version=1, changes={"name": "Pravda Ukraine"}
        )
        assert found(Source, "ukraine") == {"Kremlin denial"}
        source = Source.objects.get(title="Kremlin denial")
        assert source.search_document == register.source_search_document(source)

    def test_the_database_keeps_the_index_itself(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT count(*) FROM pg_indexes WHERE indexname IN "
                    "('claims_claim_search', 'articles_article_search', 'sources_source_search')"
                )
                assert cursor.fetchone()[0] == 3
            else:
                # A later migration that rebuilds one of these tables drops its triggers.
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                triggers = {name for (name,) in cursor.fetchall()}
                for table in ("claims_claim", "articles_article", "sources_source"):
                    for event in ("insert", "update", "delete"):
                        assert f"{table}_fts_{event}" in triggers


class TestTheSearchPage:
    def test_it_shows_each_kind_with_marked_snippets(self, desk, login, researcher):
        html = login(researcher).get(reverse("search"), {"q": "artillery"}).content.decode()
        claims = html.split('id="results-claims"')[1].split("</section>")[0]
        assert "<mark>artillery</mark>" in claims
        assert "No articles match." in html and "No sources match." in html

    def test_html_in_a_document_is_escaped_in_its_snippet(self, login, researcher):
        ClaimFactory(text="Claim with <script>alert(1)</script> inside about rockets.")
        html = login(researcher).get(reverse("search"), {"q": "rockets"}).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html

    def test_each_claim_shows_its_status_and_a_published_verdict(self, login, researcher):
        draft = ClaimFactory(text="Draft about dirigibles & balloons.")
        published = publish(ClaimFactory(text="Published about dirigibles."), rating="False")
        html = login(researcher).get(reverse("search"), {"q": "dirigibles"}).content.decode()
        assert (
            f'<li><a href="{draft.get_absolute_url()}">Draft about dirigibles &amp; balloons.</a>'
            '\n        <span class="badge status-draft">Draft</span>\n'
        ) in html
        assert (
            f'<li><a href="{published.get_absolute_url()}">Published about dirigibles.</a>\n'
            '        <span class="badge status-published">Published</span>'
            ' <span class="badge verdict-false">False</span>\n'
        ) in html

    def test_htmx_gets_only_the_results(self, desk, login, researcher):
        response = login(researcher).get(
            reverse("search"), {"q": "russia"}, headers={"HX-Request": "true"}
        )
        assert response.content.decode().strip().startswith('<div id="results">')

    def test_a_word_deep_in_a_long_article_is_marked_in_its_snippet(self, login, researcher):
        # The database cuts the snippet from a window of the text, found from the word typed.
        filler = "The harbour was quiet that morning and nothing moved. " * 4000
        ArticleFactory(title="Long report", text=f"{filler}A zeppelin landed. {filler}")
        html = login(researcher).get(reverse("search"), {"q": "zeppelin"}).content.decode()
        articles = html.split('id="results-articles"')[1].split("</section>")[0]
        assert "Long report" in articles and "<mark>zeppelin</mark> landed" in articles

    def test_a_stemmed_form_still_finds_and_marks_a_short_claim(self, login, researcher):
        ClaimFactory(text="Both policies were dropped last spring.")
        html = login(researcher).get(reverse("search"), {"q": "policy"}).content.decode()
        assert "<mark>policies</mark>" in html

    def test_outsiders_are_refused(self, login, outsider):
        assert login(outsider).get(reverse("search"), {"q": "x"}).status_code == 403

    def test_its_queries_do_not_grow_with_the_results(self, login, researcher):
        from django.test.utils import CaptureQueriesContext

        def queries():
            with CaptureQueriesContext(connection) as captured:
                login(researcher).get(reverse("search"), {"q": "rockets"})
            return len(captured)

        ClaimFactory(text="rockets one")
        one = queries()
        ClaimFactory.create_batch(30, text="more rockets")
        assert queries() == one


class TestWhereASnippetIsLookedFor:
    @pytest.mark.parametrize(
        ("words", "expected"),
        [
            ("Zeppelin landed", "zeppelin"),
            ('-hoax "Artillery shells"', "artillery"),
            ("OR -x rockets", "rockets"),
            ("-only", ""),
            ("'\"():*", ""),
        ],
    )
    def test_the_first_word_a_result_must_contain(self, words, expected):
        assert first_searched_word(words) == expected


class TestTheSQLiteTranslation:
    @pytest.mark.parametrize(
        ("words", "expected"),
        [
            ("north korea", '"north" "korea"'),
            ('"artillery shells" russia', '"artillery shells" "russia"'),
            ("a OR b", '"a" OR "b"'),
            ("north -shells", '"north" NOT "shells"'),
            ("-shells", None),
            ("OR", None),
            ("'\"():*&|!", None),
            ('foo" AND (bar', '"foo" "AND" "bar"'),
            ("NEAR(a b)", '"NEAR a" "b"'),
        ],
    )
    def test_web_search_syntax_becomes_quoted_fts5(self, words, expected):
        assert fts5_query(words) == expected
