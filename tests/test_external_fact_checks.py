"""External fact-checks: reading the formats in the wild, importing them idempotently, refusing
bad files whole and bad records one by one, the pages, the background import, and linking."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims import actions as claim_actions
from claims.history import claim_history
from claims.models import ExternalCheckLink
from sources import actions, factchecks
from sources.factchecks import FileRefused
from sources.models import ExternalFactCheck, FactCheckImport
from tests.factories.claims import ClaimFactory, publish
from tests.factories.sources import OutletFactory

MB = 1_048_576


def review(**fields) -> dict:
    """A well-formed ClaimReview, as a fact-checker's page embeds it; fields override."""
    data = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checker.example/checks/bridge",
        "claimReviewed": "The new bridge halved commute times.",
        "datePublished": "2024-03-05",
        "author": {
            "@type": "Organization",
            "name": "Example Checker",
            "url": "https://checker.example/",
        },
        "reviewRating": {"@type": "Rating", "alternateName": "Mostly false"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "The Mayor"},
            "datePublished": "2024-03-01",
        },
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def parse(data, format="auto"):
    if not isinstance(data, bytes | str):
        data = json.dumps(data)
    return factchecks.parse(data, format=format, max_bytes=5 * MB)


# Reading: the shapes ClaimReview comes in.


class TestClaimReviewShapes:
    def test_a_single_review_becomes_one_record_with_every_field(self):
        [record] = parse(review()).records
        assert record.claim_reviewed == "The new bridge halved commute times."
        assert record.review_url == "https://checker.example/checks/bridge"
        assert record.rating_label == "Mostly false" and record.rating_family == "mostly_false"
        assert record.reviewer_name == "Example Checker"
        assert record.reviewer_domain == "checker.example"
        assert record.claimant == "The Mayor"
        assert str(record.claim_date) == "2024-03-01" and str(record.review_date) == "2024-03-05"

    def test_a_list_a_graph_and_a_data_feed_with_wrapped_items_are_all_read(self):
        one = review(url="https://checker.example/1", claimReviewed="One.")
        two = review(url="https://checker.example/2", claimReviewed="Two.")
        feed = {
            "@context": "http://schema.org",
            "@type": "DataFeed",
            "dataFeedElement": [{"@type": "DataFeedItem", "item": [one]}, two],
        }
        for shape in ([one, two], {"@context": "https://schema.org", "@graph": [one, two]}, feed):
            assert [r.claim_reviewed for r in parse(shape).records] == ["One.", "Two."]

    def test_our_own_feed_is_read_back(self):
        from claims.claimreview import Verdict, claim_review, data_feed

        verdict = Verdict(
            url="https://desk.example/public/claims/1/",
            claim="Unemployment fell.",
            label="False",
            published_on=__import__("datetime").date(2024, 1, 2),
            organisation="Our Desk",
        )
        feed = data_feed(
            [claim_review(verdict, with_context=False)],
            modified=__import__("django.utils.timezone").utils.timezone.now(),
        )
        [record] = parse(feed).records
        assert (record.claim_reviewed, record.rating_label, record.reviewer_name) == (
            "Unemployment fell.",
            "False",
            "Our Desk",
        )

    def test_creative_work_authors_as_a_list_and_an_alternate_name_only_rating_are_read(self):
        data = review(
            author=[{"@type": "Organization", "name": "First Desk"}, {"name": "Second"}],
            itemReviewed={"@type": "CreativeWork", "author": {"name": "Facebook posts"}},
            reviewRating={"alternateName": "Pants on Fire"},
        )
        [record] = parse(data).records
        assert record.reviewer_name == "First Desk"
        assert record.claimant == "Facebook posts"
        assert record.rating_family == "false"

    def test_a_review_without_claim_reviewed_is_refused_with_its_reason_and_the_rest_taken(self):
        parsed = parse([review(claimReviewed=None), review(url="https://checker.example/ok")])
        assert len(parsed.records) == 1
        assert [str(r) for r in parsed.refusals] == [
            "Record 1: it has no claimReviewed (the claim it checks)"
        ]

    def test_script_blocks_one_per_line_are_read_and_a_broken_block_refused_alone(self):
        text = (
            f'<script type="application/ld+json">{json.dumps(review())}</script>\n'
            '<script type="application/ld+json">{not json</script>\n'
        )
        parsed = parse(text)
        assert len(parsed.records) == 1
        assert "script block 2 is not JSON" in str(parsed.refusals[0])

    def test_a_wayback_copy_is_stored_under_the_original_url_with_the_copy_beside_it(self):
        wayback = (
            "https://web.archive.org/web/20201130144023/https://checkyourfact.com/2020/11/03/x/"
        )
        [record] = parse(review(url=wayback)).records
        assert record.review_url == "https://checkyourfact.com/2020/11/03/x"
        assert record.archive_url == wayback.removesuffix("/")


class TestHostileRecords:
    def test_a_javascript_url_is_refused(self):
        parsed = parse(review(url="javascript:alert(1)"))
        assert parsed.records == []
        assert "review URL is refused" in parsed.refusals[0].reason

    def test_markup_is_kept_as_text_and_control_characters_and_nul_are_dropped(self):
        claim = "<script>alert(1)</script>\x00 Claim\u202e with\x07 controls"
        [record] = parse(review(claimReviewed=claim)).records
        assert record.claim_reviewed == "<script>alert(1)</script> Claim with controls"

    def test_a_claim_too_long_to_be_a_claim_is_refused_and_other_long_fields_are_cut(self):
        parsed = parse(
            [
                review(claimReviewed="word " * 5000),
                review(url="https://checker.example/long", headline="t" * 10_000),
            ]
        )
        assert "the longest taken is 5,000" in parsed.refusals[0].reason
        assert len(parsed.records[0].title) == factchecks.TITLE_MAX_LENGTH

    def test_nul_in_the_audit_copy_is_dropped_so_every_database_stores_it(self):
        [record] = parse(review(extra="a\x00b")).records
        assert record.raw["extra"] == "ab"


class TestWholeFileRefusals:
    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"{not json", "not JSON"),
            (b"42", "single int value"),
            (b'"a string"', "single str value"),
            (b"", "empty"),
            (b"\xff\xfe\x00", "not UTF-8"),
            (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
            (b"<html><p>no blocks</p></html>", "no <script"),
            (b'{"@type": "WebPage"}', "holds no fact-check"),
        ],
    )
    def test_a_malformed_file_is_refused_whole_with_a_message(self, data, message):
        with pytest.raises(FileRefused, match=message):
            parse(data)

    def test_a_50_mb_file_is_refused_before_it_is_read(self):
        with pytest.raises(FileRefused, match="The file is 50.0 MB; the limit is 5.0 MB"):
            parse(b" " * (50 * MB))


def test_rating_families_put_the_worlds_labels_on_one_scale():
    families = {
        label: factchecks.rating_family(label)
        for label in [
            "FALSE",
            "Half True",
            "Mostly true",
            "Refuted",
            "Supported",
            "Falso",
            "Not Enough Evidence",
            "Conflicting Evidence/Cherrypicking",
            "Will military drills end?",
            "",
        ]
    }
    assert families == {
        "FALSE": "false",
        "Half True": "mixed",
        "Mostly true": "mostly_true",
        "Refuted": "false",
        "Supported": "true",
        "Falso": "false",
        "Not Enough Evidence": "unproven",
        "Conflicting Evidence/Cherrypicking": "mixed",
        "Will military drills end?": "other",
        "": "other",
    }


# Importing: idempotent, with history, all or nothing for a malformed file.


def run_command(path, *args) -> str:
    out = StringIO()
    call_command("import_fact_checks", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class TestRealData:
    def test_every_datacommons_record_is_taken_and_a_second_import_changes_nothing(
        self, shared_data
    ):
        files = sorted((shared_data / "claimreview").iterdir())
        assert len(files) == 2
        first = [run_command(path) for path in files]
        assert all("3 taken, 0 updated, 0 unchanged, 0 skipped, 0 refused." in out for out in first)
        history = ExternalFactCheck.history.count()
        second = [run_command(path) for path in files]
        assert all(
            "0 taken, 0 updated, 3 unchanged, 0 skipped, 0 refused." in out for out in second
        )
        assert ExternalFactCheck.objects.count() == 6
        assert ExternalFactCheck.history.count() == history == 6
        labels = set(ExternalFactCheck.objects.values_list("rating_label", flat=True))
        assert labels == {"Pants on Fire", "Half True", "Will military drills end?", "FALSE"}

    def test_all_500_averitec_claims_are_read_repeats_skipped_and_a_second_import_unchanged(
        self, shared_data
    ):
        path = shared_data / "averitec" / "dev.json"
        assert len(json.loads(path.read_text())) == 500
        out = run_command(path)
        # 11 claims are annotated again, word for word, from the same article: one review each.
        assert "(averitec): 489 taken, 0 updated, 0 unchanged, 11 skipped, 0 refused." in out
        assert out.count("skipped: Record") == 11
        again = run_command(path, "--format", "averitec")
        assert "0 taken, 0 updated, 489 unchanged, 11 skipped, 0 refused." in again
        assert ExternalFactCheck.objects.count() == 489
        check = ExternalFactCheck.objects.get(
            claim_reviewed__startswith="In a letter to Steve Jobs"
        )
        assert check.rating_label == "Refuted" and check.rating_family == "false"
        assert check.reviewer_domain == "checkyourfact.com"
        assert check.archive_url.startswith("https://web.archive.org/web/")
        assert check.summary.startswith("The answer and sources show")
        assert "questions" not in check.raw and check.raw["label"] == "Refuted"

    def test_the_fact_check_tools_sample_gives_one_record_per_review(self, shared_data):
        out = run_command(shared_data / "factchecktools" / "sample.json")
        assert "(factchecktools): 4 taken, 0 updated, 0 unchanged, 0 skipped, 0 refused." in out
        hot_water = ExternalFactCheck.objects.filter(claimant="Social media posts")
        assert sorted(hot_water.values_list("language", "rating_label")) == [
            ("en", "False"),
            ("pt-BR", "Falso"),
        ]
        assert str(hot_water.get(language="pt-BR").review_date) == "2024-03-07"


@pytest.mark.django_db
class TestImportAction:
    def test_a_reviewer_whose_domain_is_an_outlet_is_linked_to_it(self, source_admin):
        outlet = OutletFactory(name="Example Checker Ltd", domain="checker.example")
        actions.import_fact_check_file(json.dumps(review()), by=source_admin)
        check = ExternalFactCheck.objects.get()
        assert check.reviewer_outlet == outlet
        assert (
            check.checked_line == "Checked by Example Checker Ltd as Mostly false on 5 March 2024"
        )

    def test_changed_data_updates_the_record_with_history(self, source_admin):
        actions.import_fact_check_file(json.dumps(review()), by=source_admin)
        changed = review(reviewRating={"alternateName": "False"})
        report = actions.import_fact_check_file(json.dumps(changed), by=source_admin)
        assert (report.taken, report.updated, report.unchanged) == (0, 1, 0)
        check = ExternalFactCheck.objects.get()
        assert (check.rating_label, check.rating_family, check.version) == ("False", "false", 2)
        latest = check.history.first()
        assert latest.history_user == source_admin
        assert "rating" in latest.history_change_reason

    def test_one_article_checking_two_claims_gives_two_records(self, source_admin):
        two = [review(claimReviewed="First claim."), review(claimReviewed="Second claim.")]
        report = actions.import_fact_check_file(json.dumps(two), by=source_admin)
        assert report.taken == 2 and ExternalFactCheck.objects.count() == 2

    def test_a_malformed_file_stores_nothing(self, source_admin):
        with pytest.raises(FileRefused):
            actions.import_fact_check_file(b"[1, 2", by=source_admin)
        assert not ExternalFactCheck.objects.exists()

    def test_bad_records_are_refused_with_reasons_while_good_ones_are_taken(self, source_admin):
        records = [review(claimReviewed=None), review(url="ftp://x.example/a"), review()]
        report = actions.import_fact_check_file(json.dumps(records), by=source_admin)
        assert report.taken == 1 and len(report.refused) == 2
        assert "no claimReviewed" in report.refused[0]
        assert "only http and https" in report.refused[1]

    def test_a_researcher_may_not_import(self, researcher):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            actions.import_fact_check_file(json.dumps(review()), by=researcher)
        assert not ExternalFactCheck.objects.exists()

    def test_the_command_refuses_a_50_mb_file_before_reading_it(self, tmp_path):
        path = tmp_path / "huge.json"
        with path.open("wb") as file:
            file.truncate(50 * MB)  # sparse: its size is 50 MB, nothing is written
        with pytest.raises(CommandError, match="50.0 MB; the limit is 5.0 MB"):
            run_command(path)
        assert not ExternalFactCheck.objects.exists()

    def test_the_command_says_why_a_file_is_not_json(self, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text("{oops")
        with pytest.raises(CommandError, match="not JSON"):
            run_command(path)


# The pages.


def upload(content: bytes | str, name="reviews.json") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="application/json")


@pytest.mark.django_db
class TestImportPage:
    def test_a_small_file_is_imported_at_once_and_its_report_shown(self, login, source_admin):
        records = json.dumps([review(), review(url="javascript:alert(1)")])
        response = login(source_admin).post(
            reverse("sources:factcheck_import"), {"file": upload(records), "format": "auto"}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "1 taken, 0 updated, 0 unchanged, 0 skipped, 1 refused." in page
        assert "Record 2 (" in page and "its review URL is refused: only http and https" in page
        assert ExternalFactCheck.objects.count() == 1

    def test_a_50_mb_upload_is_refused_with_a_message_and_nothing_stored(self, login, source_admin):
        big = upload(b" " * (50 * MB))
        response = login(source_admin).post(
            reverse("sources:factcheck_import"), {"file": big, "format": "auto"}
        )
        assert response.status_code == 400
        assert (
            "The file is 50 MB; the limit is 5 MB. Nothing was imported"
            in response.content.decode()
        )
        assert not ExternalFactCheck.objects.exists() and not FactCheckImport.objects.exists()

    def test_a_file_that_is_not_json_is_refused_and_the_form_says_why(self, login, source_admin):
        response = login(source_admin).post(
            reverse("sources:factcheck_import"), {"file": upload("{oops"), "format": "auto"}
        )
        assert response.status_code == 400
        assert "The file is not JSON" in response.content.decode()
        assert not ExternalFactCheck.objects.exists()

    def test_hostile_text_is_shown_escaped_on_the_list_and_the_detail(self, login, source_admin):
        actions.import_fact_check_file(
            json.dumps(review(claimReviewed='<script>alert("x")</script> said')), by=source_admin
        )
        check = ExternalFactCheck.objects.get()
        client = login(source_admin)
        for url in (reverse("sources:factchecks"), check.get_absolute_url()):
            page = client.get(url).content.decode()
            assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; said" in page
            assert '<script>alert("x")' not in page


@pytest.mark.django_db
class TestListPage:
    @pytest.fixture
    def checks(self, source_admin):
        records = [
            review(url="https://checker.example/a", claimReviewed="Vaccines cause autism."),
            review(
                url="https://other.example/b",
                claimReviewed="The river flooded twice.",
                author={"name": "Other Desk", "url": "https://other.example/"},
                reviewRating={"alternateName": "True"},
            ),
        ]
        actions.import_fact_check_file(json.dumps(records), by=source_admin)

    def test_search_and_filters_narrow_the_list(self, login, researcher, checks):
        client = login(researcher)
        url = reverse("sources:factchecks")
        assert "Vaccines cause autism" in client.get(url, {"q": "vaccines"}).content.decode()
        assert "river" not in client.get(url, {"q": "vaccines"}).content.decode()
        by_reviewer = client.get(url, {"reviewer": "other.example"}).content.decode()
        assert "river flooded" in by_reviewer and "Vaccines" not in by_reviewer
        by_rating = client.get(url, {"rating": "true"}).content.decode()
        assert "river flooded" in by_rating and "Vaccines" not in by_rating

    def test_the_htmx_fragment_is_the_list_alone(self, login, researcher, checks):
        response = login(researcher).get(
            reverse("sources:factchecks"), headers={"HX-Request": "true"}
        )
        page = response.content.decode()
        assert page.lstrip().startswith('<div id="factcheck-list">') and "<h1>" not in page

    def test_the_list_costs_the_same_queries_for_one_row_and_for_fifty(
        self, login, researcher, source_admin
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = login(researcher)
        url = reverse("sources:factchecks")

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            return len(captured)

        actions.import_fact_check_file(json.dumps(review()), by=source_admin)
        one = queries()
        many = [review(url=f"https://checker.example/{n}") for n in range(49)]
        actions.import_fact_check_file(json.dumps(many), by=source_admin)
        assert queries() == one


@pytest.mark.django_db
class TestBackgroundImport:
    def test_a_large_file_is_imported_by_a_task_and_its_page_shows_the_progress(
        self, login, source_admin, settings, monkeypatch
    ):
        settings.FACT_CHECK_IMPORT_INLINE_MAX_BYTES = 100
        monkeypatch.setattr(actions, "IMPORT_BATCH", 2)
        noted = []
        note = actions._note_progress
        monkeypatch.setattr(
            actions,
            "_note_progress",
            lambda run, n, report: (noted.append(n), note(run, n, report)),
        )
        records = [review(url=f"https://checker.example/{n}") for n in range(5)]
        records.append(review(claimReviewed=None))
        client = login(source_admin)
        response = client.post(
            reverse("sources:factcheck_import"),
            {"file": upload(json.dumps(records), "big.json"), "format": "auto"},
        )
        run = FactCheckImport.objects.get()
        assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
        # Tests run tasks at once: the import is done; it noted its progress batch by batch.
        assert noted == [3, 5, 6]
        assert (run.status, run.processed, run.total, run.payload) == ("done", 6, 6, "")
        assert run.report["taken"] == 5 and len(run.report["refused"]) == 1
        page = client.get(run.get_absolute_url()).content.decode()
        assert "6 of 6 records looked at" in page and "5 taken" in page
        fragment = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
        assert fragment.content.decode().lstrip().startswith('<div id="import-status"')

    def test_a_queued_import_polls_its_page(self, login, source_admin):
        run = FactCheckImport.objects.create(file_name="x.json", total=10, processed=4)
        page = login(source_admin).get(run.get_absolute_url()).content.decode()
        assert 'hx-trigger="every 2s"' in page and "4 of 10 records looked at" in page

    def test_an_unexpected_error_ends_the_import_as_failed(self, monkeypatch, source_admin):
        from sources import tasks

        def broken(*args, **kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr(actions, "import_fact_checks", broken)
        parsed = actions.read_fact_check_file(json.dumps(review()))
        run = actions.queue_fact_check_import(
            json.dumps(review()), by=source_admin, format="auto", file_name="x", parsed=parsed
        )
        run.refresh_from_db()
        assert run.status == "failed" and run.message == tasks.IMPORT_UNEXPECTED

    def test_a_stopped_worker_ends_the_import_as_failed(self, source_admin):
        from sources import tasks

        run = FactCheckImport.objects.create(file_name="x.json", status="running")
        tasks.recover_fact_check_import(run.pk)
        run.refresh_from_db()
        assert run.status == "failed" and run.message == tasks.IMPORT_WORKER_STOPPED


# Linking a claim to external fact-checks.


@pytest.fixture
def external_check(db, source_admin) -> ExternalFactCheck:
    actions.import_fact_check_file(json.dumps(review()), by=source_admin)
    return ExternalFactCheck.objects.get()


@pytest.mark.django_db
class TestLinking:
    def test_a_researcher_links_a_claim_by_number_and_the_claim_page_says_checked_elsewhere(
        self, login, researcher, external_check
    ):
        claim = ClaimFactory(created_by=researcher)
        client = login(researcher)
        response = client.post(
            reverse("claims:external_check_link", args=[claim.pk]),
            {"external_check": str(external_check.pk)},
        )
        assert response.status_code == 302
        page = client.get(claim.get_absolute_url()).content.decode()
        assert "Checked elsewhere" in page
        assert "Checked by Example Checker as Mostly false on 5 March 2024" in page
        assert 'href="https://checker.example/checks/bridge"' in page
        history = [entry.what for entry in claim_history(claim)]
        assert history[0].startswith("linked an external fact-check: Checked by Example Checker")

    def test_a_claim_is_linked_by_the_review_url_too(self, login, researcher, external_check):
        claim = ClaimFactory()
        login(researcher).post(
            reverse("claims:external_check_link", args=[claim.pk]),
            {"external_check": "http://www.checker.example/checks/bridge?utm_source=x"},
        )
        assert list(claim.external_checks.all()) == [external_check]

    def test_an_unknown_number_is_refused_on_the_form(self, login, researcher, external_check):
        claim = ClaimFactory()
        response = login(researcher).post(
            reverse("claims:external_check_link", args=[claim.pk]), {"external_check": "999999"}
        )
        assert response.status_code == 400
        assert "There is no external fact-check number 999999." in response.content.decode()

    def test_linking_twice_is_refused(self, researcher, external_check):
        claim = ClaimFactory()
        claim_actions.link_external_check(claim, external_check, by=researcher)
        with pytest.raises(claim_actions.Invalid, match="already linked"):
            claim_actions.link_external_check(claim, external_check, by=researcher)
        assert ExternalCheckLink.objects.count() == 1

    def test_a_published_claim_is_not_linked_or_unlinked(self, researcher, external_check):
        claim = ClaimFactory()
        link = claim_actions.link_external_check(claim, external_check, by=researcher)
        claim = publish(claim)
        with pytest.raises(claim_actions.Refused, match="reopen it"):
            claim_actions.unlink_external_check(link, by=researcher)
        other = ClaimFactory()
        publish(other)
        with pytest.raises(claim_actions.Refused, match="reopen it"):
            claim_actions.link_external_check(other, external_check, by=researcher)
        assert ExternalCheckLink.objects.count() == 1

    def test_unlinking_keeps_the_fact_check_and_says_so_in_the_history(
        self, login, researcher, external_check
    ):
        claim = ClaimFactory()
        link = claim_actions.link_external_check(claim, external_check, by=researcher)
        response = login(researcher).post(reverse("claims:external_check_unlink", args=[link.pk]))
        assert response.status_code == 302
        assert not ExternalCheckLink.objects.exists() and ExternalFactCheck.objects.exists()
        assert claim_history(claim)[0].what.startswith("unlinked an external fact-check")

    def test_the_fact_check_page_lists_the_claims_linked_to_it(
        self, login, researcher, external_check
    ):
        claim = ClaimFactory(text="The bridge halved commutes, said the mayor.")
        claim_actions.link_external_check(claim, external_check, by=researcher)
        page = login(researcher).get(external_check.get_absolute_url()).content.decode()
        assert "The bridge halved commutes, said the mayor." in page
