"""The register's one write path: sources.actions, called by pages, the admin and the fetch task."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse

from lib.versioning import StaleEdit, VersionedModelForm
from sources import actions
from sources.extraction import Extracted
from sources.models import Outlet, Source, SourceFetch, SourceSnapshot, text_sha256
from tests.conftest import make_user
from tests.factories.sources import OutletFactory, SourceFactory

pytestmark = pytest.mark.django_db


def latest_record(row):
    return row.history.order_by("-history_id").first()


class TestOutlets:
    def test_a_source_admin_adds_an_outlet_and_the_history_says_who_and_why(self, source_admin):
        outlet = actions.add_outlet(
            by=source_admin, name=" Meduza ", domain="WWW.Meduza.io", reliability="reliable"
        )
        assert (outlet.name, outlet.domain, outlet.version) == ("Meduza", "meduza.io", 1)
        record = latest_record(outlet)
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            source_admin,
            "Added",
        )

    @pytest.mark.parametrize("role", ["researcher", "reviewer", "outsider"])
    def test_only_source_admins_rate_and_edit_outlets(self, role, request):
        user = request.getfixturevalue(role)
        with pytest.raises(PermissionDenied):
            actions.add_outlet(by=user, name="Meduza", domain="meduza.io", reliability="reliable")
        with pytest.raises(PermissionDenied):
            actions.add_outlet(by=user, name="Meduza", domain="meduza.io", notes="State-owned.")
        assert not Outlet.objects.exists()
        outlet = OutletFactory(reliability="reliable")
        with pytest.raises(PermissionDenied):
            actions.edit_outlet(
                outlet, by=user, seen_version=1, changes={"reliability": "deprecated"}
            )
        outlet.refresh_from_db()
        assert (outlet.reliability, outlet.version) == ("reliable", 1)

    @pytest.mark.parametrize("role", ["researcher", "reviewer"])
    def test_the_desk_adds_an_outlet_unrated(self, role, request):
        user = request.getfixturevalue(role)
        outlet = actions.add_outlet(by=user, name="Meduza", domain="meduza.io")
        assert (outlet.reliability, latest_record(outlet).history_user) == ("unrated", user)

    def test_someone_without_a_role_adds_no_outlet(self, outsider):
        with pytest.raises(PermissionDenied):
            actions.add_outlet(by=outsider, name="Meduza")
        assert not Outlet.objects.exists()

    def test_a_domain_another_outlet_has_is_refused_naming_that_outlet(self, source_admin):
        first = OutletFactory(name="Meduza", domain="meduza.io")
        with pytest.raises(actions.DuplicateOutlet) as refusal:
            actions.add_outlet(by=source_admin, name="Meduza again", domain="www.meduza.io")
        assert refusal.value.existing == first
        assert str(refusal.value) == "Another outlet already has this domain: Meduza."
        assert Outlet.objects.count() == 1

    def test_an_edit_raises_the_version_and_the_history_says_what_and_why(self, source_admin):
        outlet = OutletFactory(reliability="reliable")
        actions.edit_outlet(
            outlet,
            by=source_admin,
            seen_version=1,
            changes={"reliability": "unreliable", "notes": "Owned by a party."},
            reason="Edited on the outlet page",
        )
        outlet.refresh_from_db()
        assert (outlet.reliability, outlet.version) == ("unreliable", 2)
        record = latest_record(outlet)
        assert record.history_user == source_admin
        assert record.history_change_reason == "Edited on the outlet page: reliability, notes"

    def test_an_edit_that_changes_nothing_writes_nothing(self, source_admin):
        outlet = OutletFactory(domain="meduza.io")
        actions.edit_outlet(
            outlet, by=source_admin, seen_version=1, changes={"domain": "WWW.meduza.io"}
        )
        outlet.refresh_from_db()
        assert outlet.version == 1 and outlet.history.count() == 1

    def test_a_stale_edit_is_refused_saying_what_changed(self, source_admin):
        outlet = OutletFactory(reliability="reliable")
        edit = {"by": source_admin, "seen_version": 1}
        actions.edit_outlet(outlet, **edit, changes={"reliability": "unreliable"})
        with pytest.raises(StaleEdit) as refusal:
            actions.edit_outlet(outlet, **edit, changes={"reliability": "deprecated"})
        assert "sami changed reliability: “reliable” → “unreliable”." in refusal.value.messages
        outlet.refresh_from_db()
        assert (outlet.reliability, outlet.version) == ("unreliable", 2)

    def test_renaming_an_outlet_reindexes_its_sources(self, source_admin):
        source = SourceFactory(title="Kremlin denial", outlet=OutletFactory(name="Old name"))
        actions.edit_outlet(
            source.outlet, by=source_admin, seen_version=1, changes={"name": "New name"}
        )
        source.refresh_from_db()
        assert source.search_document == actions.source_search_document(source)
        assert "New name" in source.search_document

    def test_fields_people_do_not_edit_are_refused(self, source_admin):
        outlet = OutletFactory()
        with pytest.raises(ValueError, match="version"):
            actions.edit_outlet(outlet, by=source_admin, seen_version=1, changes={"version": 9})

    def test_deleting_says_who_in_the_history(self, source_admin):
        outlet = OutletFactory()
        actions.delete_outlet(outlet, by=source_admin, reason="Merged into another")
        record = Outlet.history.order_by("-history_id").first()
        assert (record.history_type, record.history_user) == ("-", source_admin)
        assert record.history_change_reason == "Merged into another"
        assert not Outlet.objects.exists()


class TestSources:
    def test_adding_by_url_derives_everything_once(self, researcher):
        bbc = OutletFactory(name="BBC", domain="bbc.co.uk")
        source = actions.add_source(
            by=researcher, url="https://WWW.bbc.co.uk/news/world-123/?at_medium=RSS"
        )
        source.refresh_from_db()
        assert source.url == "https://www.bbc.co.uk/news/world-123"
        assert source.url_key == "bbc.co.uk/news/world-123"
        assert source.title == "bbc.co.uk/news/world-123", "a stand-in until fetched"
        assert (source.outlet, source.added_by, source.version) == (bbc, researcher, 1)
        assert source.search_document == f"{source.title}\n{source.url}\nBBC"
        record = latest_record(source)
        assert (record.history_user, record.history_change_reason) == (researcher, "Added")

    def test_a_known_document_is_refused_with_the_existing_source(self, researcher):
        first = SourceFactory(url="https://example.com/story", title="The story")
        with pytest.raises(actions.DuplicateSource) as refusal:
            actions.add_source(by=researcher, url="http://m.example.com/story/#x")
        assert refusal.value.existing == first
        assert str(refusal.value) == "This document is already in the register as “The story”."

    def test_outsiders_may_not_add_sources(self, outsider):
        with pytest.raises(PermissionDenied):
            actions.add_source(by=outsider, url="https://example.com/")
        assert not Source.objects.exists()

    def test_a_researcher_edits_the_sources_they_added_and_no_others(self, researcher, reviewer):
        mine, theirs = SourceFactory(added_by=researcher), SourceFactory(added_by=reviewer)
        actions.edit_source(mine, by=researcher, seen_version=1, changes={"title": "Better"})
        with pytest.raises(PermissionDenied):
            actions.edit_source(theirs, by=researcher, seen_version=1, changes={"title": "Mine"})
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert (mine.title, mine.version) == ("Better", 2)
        assert theirs.version == 1

    def test_a_source_admin_edits_any_source(self, source_admin, researcher):
        source = SourceFactory(added_by=researcher)
        actions.edit_source(
            source, by=source_admin, seen_version=1, changes={"type": "research"}, reason="Why"
        )
        source.refresh_from_db()
        assert (source.type, source.version) == ("research", 2)
        assert latest_record(source).history_change_reason == "Why: type"

    def test_a_new_url_gets_its_key_and_search_text_again(self, researcher):
        source = SourceFactory(added_by=researcher, title="Report")
        actions.edit_source(
            source,
            by=researcher,
            seen_version=1,
            changes={"url": "https://www.paper.example/new/?utm_source=x"},
        )
        source.refresh_from_db()
        assert (source.url, source.url_key) == (
            "https://www.paper.example/new",
            "paper.example/new",
        )
        assert source.search_document == actions.source_search_document(source)

    def test_an_emptied_title_becomes_the_stand_in(self, researcher):
        source = SourceFactory(added_by=researcher, url="https://paper.example/a")
        actions.edit_source(source, by=researcher, seen_version=1, changes={"title": ""})
        source.refresh_from_db()
        assert source.has_stand_in_title

    def test_moving_to_another_sources_url_is_refused_not_an_error(self, researcher):
        other = SourceFactory(url="https://paper.example/taken", title="Taken")
        source = SourceFactory(added_by=researcher)
        with pytest.raises(actions.DuplicateSource) as refusal:
            actions.edit_source(
                source,
                by=researcher,
                seen_version=1,
                changes={"url": "https://www.paper.example/taken"},
            )
        assert refusal.value.existing == other
        source.refresh_from_db()
        assert source.version == 1

    def test_a_stale_edit_is_refused_saying_what_changed(self, researcher, source_admin):
        source = SourceFactory(added_by=researcher, title="Original")
        actions.edit_source(source, by=source_admin, seen_version=1, changes={"title": "First"})
        with pytest.raises(StaleEdit) as refusal:
            actions.edit_source(source, by=researcher, seen_version=1, changes={"title": "Second"})
        assert "sami changed title: “Original” → “First”." in refusal.value.messages
        source.refresh_from_db()
        assert (source.title, source.version) == ("First", 2)

    def test_deleting_needs_the_right_and_says_who(self, researcher, source_admin):
        source = SourceFactory(added_by=researcher)
        with pytest.raises(PermissionDenied):
            actions.delete_source(source, by=researcher)
        actions.delete_source(source, by=source_admin)
        record = Source.history.order_by("-history_id").first()
        assert (record.history_type, record.history_user) == ("-", source_admin)


REPORT = Extracted(
    text="Satellite images show a column of vehicles.",
    title="Troops seen near Kursk",
    authors="Olena Petrenko",
    published_on=datetime.date(2024, 10, 16),
    url="https://paper.example/kursk-troops",
)


class TestFetchingDetails:
    @pytest.fixture
    def requested(self, researcher):
        source = actions.add_source(by=researcher, url="https://paper.example/kursk?utm_x=1")
        return SourceFetch.objects.create(source=source, requested_by=researcher)

    def test_it_fills_what_is_missing_keeps_a_snapshot_and_says_who_asked(
        self, requested, researcher
    ):
        fetch = actions.apply_fetched_details(
            requested, fetched_url="https://paper.example/kursk", extracted=REPORT
        )
        source = Source.objects.get()
        assert fetch.status == "done"
        assert "Filled in: title, author, date, canonical URL." in fetch.outcome
        assert source.title == "Troops seen near Kursk" and source.author == "Olena Petrenko"
        assert (source.url_key, source.version) == ("paper.example/kursk-troops", 2)
        assert source.search_document == actions.source_search_document(source)
        record = latest_record(source)
        assert record.history_user == researcher
        assert record.history_change_reason.startswith("Fetched details: URL, title, author")
        snapshot = SourceSnapshot.objects.get()
        assert snapshot.sha256 == text_sha256(REPORT.text)

    def test_what_a_person_filled_in_is_kept(self, requested, researcher):
        actions.edit_source(
            requested.source, by=researcher, seen_version=1, changes={"title": "My title"}
        )
        actions.apply_fetched_details(requested, fetched_url="https://x.example", extracted=REPORT)
        source = Source.objects.get()
        assert (source.title, source.version) == ("My title", 3)

    def test_a_second_run_of_the_task_changes_nothing_more(self, requested):
        for _ in range(2):
            actions.apply_fetched_details(
                requested, fetched_url="https://x.example", extracted=REPORT
            )
        assert Source.objects.get().version == 2
        assert SourceSnapshot.objects.count() == 1

    def test_a_canonical_url_taken_meanwhile_is_reported_not_an_error(self, requested, monkeypatch):
        SourceFactory(url=REPORT.url, title="Taken")
        # As if the other source was added after the check and before the save.
        monkeypatch.setattr(type(Source.objects), "with_url", lambda manager, url: None)
        fetch = actions.apply_fetched_details(
            requested, fetched_url="https://x.example", extracted=REPORT
        )
        source = Source.objects.get(pk=requested.source_id)
        assert fetch.status == "done"
        assert "Another source took the page's canonical URL meanwhile" in fetch.outcome
        assert (source.url_key, source.version) == ("paper.example/kursk", 2)
        assert source.title == REPORT.title

    def test_a_failure_changes_only_the_request(self, requested):
        fetch = actions.record_fetch_failure(requested, "The server answered 404 Not Found.")
        assert (fetch.status, fetch.outcome) == ("failed", "The server answered 404 Not Found.")
        assert Source.objects.get().version == 1

    def test_only_those_who_may_edit_the_source_may_request_a_fetch(self, researcher, reviewer):
        source = SourceFactory(added_by=reviewer)
        with pytest.raises(PermissionDenied):
            actions.request_fetch(source, by=researcher)
        assert not SourceFetch.objects.exists()

    def test_requesting_queues_the_task(self, reviewer):
        # A private address is refused before anything is sent, so the test stays offline.
        source = SourceFactory(added_by=reviewer, url="http://10.0.0.8/story")
        fetch = actions.request_fetch(source, by=reviewer)
        fetch.refresh_from_db()
        assert fetch.requested_by == reviewer
        assert fetch.status == "failed" and "private or local address" in fetch.outcome


class TestDuplicatesAreAnsweredNotErrors:
    def test_the_same_add_source_form_sent_twice_adds_one_source(self, login, researcher):
        client = login(researcher)
        data = {"url": "https://paper.example/story", "type": "news"}
        assert client.post(reverse("sources:create"), data).status_code == 302
        again = client.post(reverse("sources:create"), data)
        assert again.status_code == 200
        assert "already in the register as “paper.example/story”" in again.content.decode()
        assert Source.objects.count() == 1

    def test_the_same_add_outlet_form_sent_twice_adds_one_outlet(self, login, source_admin):
        client = login(source_admin)
        data = {"name": "Meduza", "domain": "meduza.io", "reliability": "reliable"}
        assert client.post(reverse("sources:outlet_create"), data).status_code == 302
        again = client.post(reverse("sources:outlet_create"), data)
        assert again.status_code == 200
        assert "Another outlet already has this domain: Meduza." in again.content.decode()
        assert Outlet.objects.count() == 1


class TestPagesWriteThroughActions:
    def test_an_edit_on_the_source_page_says_where_in_the_history(self, login, researcher):
        source = SourceFactory(added_by=researcher)
        data = {"url": source.url, "title": "Better", "type": "news", "seen_version": 1}
        login(researcher).post(reverse("sources:edit", args=[source.pk]), data)
        record = latest_record(source)
        assert (record.version, record.history_user) == (2, researcher)
        assert record.history_change_reason == "Edited on the source page: title"

    def test_a_stale_page_edit_says_what_changed(self, login, researcher, source_admin):
        source = SourceFactory(added_by=researcher, title="Original")
        url = reverse("sources:edit", args=[source.pk])
        base = {"url": source.url, "type": "news", "seen_version": 1}
        login(source_admin).post(url, {**base, "title": "First"})
        html = login(researcher).post(url, {**base, "title": "Second"}).content.decode()
        assert "Someone else changed this after you opened it" in html
        assert "sami changed title: “Original” → “First”." in html
        assert 'value="Second"' in html, "what was typed is kept"


@pytest.fixture
def admin_client(login, source_admin):
    return login(source_admin)


def change_data(source: Source, **changes) -> dict:
    return {
        "url": source.url,
        "title": source.title,
        "type": source.type,
        "outlet": source.outlet_id or "",
        "author": source.author,
        "archive_url": "",
        "seen_version": source.version,
        "snapshots-TOTAL_FORMS": 0,
        "snapshots-INITIAL_FORMS": 0,
        **changes,
    }


class TestTheAdminWritesThroughActions:
    def test_an_admin_edit_raises_the_version_and_records_the_reason(
        self, admin_client, source_admin
    ):
        source = SourceFactory(title="Before")
        url = reverse("admin:sources_source_change", args=[source.pk])
        response = admin_client.post(url, change_data(source, title="After"))
        assert response.status_code == 302
        source.refresh_from_db()
        assert (source.title, source.version) == ("After", 2)
        record = latest_record(source)
        assert record.history_user == source_admin
        assert record.history_change_reason == "Edited in the admin: title"

    def test_a_stale_admin_save_is_refused(self, admin_client, researcher):
        source = SourceFactory(title="Before", added_by=researcher)
        opened = change_data(source, title="From the admin")
        actions.edit_source(source, by=researcher, seen_version=1, changes={"title": "Rosa's"})
        url = reverse("admin:sources_source_change", args=[source.pk])
        html = admin_client.post(url, opened).content.decode()
        assert "Someone else changed this after you opened it" in html
        assert "rosa changed title: “Before” → “Rosa&#x27;s”." in html
        source.refresh_from_db()
        assert (source.title, source.version) == ("Rosa's", 2)

    def test_a_stale_save_the_form_missed_is_refused_by_the_action(
        self, admin_client, researcher, monkeypatch
    ):
        # As if the other save landed between the form's check and the admin's save.
        monkeypatch.setattr(VersionedModelForm, "clean", lambda form: form.cleaned_data)
        source = SourceFactory(title="Before", added_by=researcher)
        opened = change_data(source, title="From the admin")
        actions.edit_source(source, by=researcher, seen_version=1, changes={"title": "Rosa's"})
        url = reverse("admin:sources_source_change", args=[source.pk])
        response = admin_client.post(url, opened, follow=True)
        assert response.redirect_chain == [(url, 302)]
        assert "rosa changed title" in response.content.decode()
        source.refresh_from_db()
        assert (source.title, source.version) == ("Rosa's", 2)

    def test_an_admin_add_goes_through_add_source(self, admin_client, source_admin):
        OutletFactory(name="BBC", domain="bbc.co.uk")
        data = change_data(Source(url="https://WWW.bbc.co.uk/news/1?utm_source=x", title="News"))
        response = admin_client.post(reverse("admin:sources_source_add"), data)
        assert response.status_code == 302
        source = Source.objects.get()
        assert (source.url, source.outlet.name) == ("https://www.bbc.co.uk/news/1", "BBC")
        assert source.added_by == source_admin
        assert latest_record(source).history_change_reason == "Added in the admin"

    def test_an_admin_delete_goes_through_delete_source(self, admin_client, source_admin):
        source = SourceFactory()
        url = reverse("admin:sources_source_delete", args=[source.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
        record = Source.history.order_by("-history_id").first()
        assert (record.history_type, record.history_user) == ("-", source_admin)
        assert record.history_change_reason == "Deleted in the admin"

    def test_an_admin_outlet_edit_records_the_reason(self, admin_client, source_admin):
        outlet = OutletFactory(reliability="reliable")
        SourceFactory(outlet=outlet, title="Shown, not editable here")
        url = reverse("admin:sources_outlet_change", args=[outlet.pk])
        page = admin_client.get(url).content.decode()
        assert "Shown, not editable here" in page
        assert 'name="sources-0-title"' not in page, "sources are edited on their own page"
        data = {
            "name": outlet.name,
            "domain": outlet.domain,
            "reliability": "unreliable",
            "notes": "",
            "seen_version": 1,
            "sources-TOTAL_FORMS": 1,
            "sources-INITIAL_FORMS": 1,
        }
        assert admin_client.post(url, data).status_code == 302
        record = latest_record(outlet)
        assert (record.version, record.history_user) == (2, source_admin)
        assert record.history_change_reason == "Edited in the admin: reliability"

    def test_snapshots_are_read_only_even_for_a_superuser(self, login):
        admin_client = login(make_user("ada", is_superuser=True, is_staff=True))
        source = SourceFactory()
        snapshot = SourceSnapshot.objects.create(
            source=source, url=source.url, text="Then", sha256=text_sha256("Then")
        )
        change = reverse("admin:sources_sourcesnapshot_change", args=[snapshot.pk])
        assert admin_client.get(change).status_code == 200
        assert admin_client.post(change, {"text": "Now"}).status_code == 403
        delete = reverse("admin:sources_sourcesnapshot_delete", args=[snapshot.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert admin_client.get(reverse("admin:sources_sourcesnapshot_add")).status_code == 403
        snapshot.refresh_from_db()
        assert snapshot.text == "Then"


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("postgres-only")  # SQLite serialises writers: there is no race to test


@pytest.mark.usefixtures("postgresql", "migration_rows")
@pytest.mark.django_db(transaction=True)
class TestRacesOnPostgreSQL:
    """Threads on their own connections, past every check before either writes: one wins."""

    def race(self, *attempts):
        outcomes = [None] * len(attempts)

        def run(index, attempt):
            try:
                outcomes[index] = attempt()
            except Exception as error:  # noqa: BLE001 - the test reports what each thread met
                outcomes[index] = type(error).__name__
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=pair) for pair in enumerate(attempts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return outcomes

    @pytest.fixture
    def both_past_the_checks(self, monkeypatch):
        """Hold each insert until both threads have checked for a duplicate and found none."""
        barrier = threading.Barrier(2, timeout=10)
        save_first_version = actions.save_first_version

        def held(instance, **kwargs):
            barrier.wait()
            save_first_version(instance, **kwargs)

        monkeypatch.setattr(actions, "save_first_version", held)

    def test_two_identical_add_source_posts_add_one_source(self, both_past_the_checks):
        users = [make_user("rosa", "Researcher"), make_user("raul", "Researcher")]
        clients = [Client() for _ in users]
        for client, user in zip(clients, users, strict=True):
            client.force_login(user)
        data = {"url": "https://paper.example/story", "type": "news"}

        def post(client):
            return lambda: client.post(reverse("sources:create"), data)

        responses = self.race(*(post(client) for client in clients))
        assert sorted(response.status_code for response in responses) == [200, 302]
        refused = next(response for response in responses if response.status_code == 200)
        assert "already in the register as" in refused.content.decode()
        assert Source.objects.count() == 1

    def test_two_identical_add_outlet_posts_add_one_outlet(self, both_past_the_checks):
        admins = [make_user(name, "Source admin") for name in ("sami", "sara")]
        clients = [Client() for _ in admins]
        for client, user in zip(clients, admins, strict=True):
            client.force_login(user)
        data = {"name": "Meduza", "domain": "meduza.io", "reliability": "reliable"}

        def post(client):
            return lambda: client.post(reverse("sources:outlet_create"), data)

        responses = self.race(*(post(client) for client in clients))
        assert sorted(response.status_code for response in responses) == [200, 302]
        refused = next(response for response in responses if response.status_code == 200)
        assert "Another outlet already has this domain: Meduza." in refused.content.decode()
        assert Outlet.objects.count() == 1

    def test_two_edits_of_the_version_both_saw_one_is_refused(self):
        researcher, admin = make_user("rosa", "Researcher"), make_user("sami", "Source admin")
        source = SourceFactory(added_by=researcher)

        def edit(user, title):
            return lambda: actions.edit_source(
                Source.objects.get(pk=source.pk),
                by=user,
                seen_version=1,
                changes={"title": title},
            )

        outcomes = self.race(edit(researcher, "Rosa's"), edit(admin, "Sami's"))
        assert sorted(outcome if isinstance(outcome, str) else "won" for outcome in outcomes) == [
            "StaleEdit",
            "won",
        ]
        source.refresh_from_db()
        assert source.version == 2 and source.history.count() == 2
