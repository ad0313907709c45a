"""Notifications: who is told of each hand-off, the e-mail after commit, the inbox, the count."""

import datetime

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import actions
from claims.models import Notification, Rating
from tests.conftest import make_user
from tests.factories.claims import ClaimFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2024, 10, 20)


@pytest.fixture
def wanda(db):
    return make_user("wanda", "Reviewer", email="wanda@desk.example")


@pytest.fixture
def claim(researcher):
    return ClaimFactory(created_by=researcher, text="Inflation halved in a year.")


def told(user) -> list[tuple[str, int]]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", "claim_id"))


def in_review(claim, reviewer):
    actions.submit_for_review(claim, by=claim.created_by)
    actions.start_review(claim, by=reviewer)
    claim.refresh_from_db()
    return claim


class TestWhoIsTold:
    def test_a_submission_tells_every_reviewer_once_and_not_the_researcher(
        self, claim, researcher, reviewer, wanda, source_admin
    ):
        actions.submit_for_review(claim, by=researcher)
        assert told(reviewer) == [("submitted", claim.pk)]
        assert told(wanda) == [("submitted", claim.pk)]
        assert told(researcher) == []
        assert told(source_admin) == []  # not a reviewer

    def test_a_reviewer_submitting_is_not_told_of_their_own_submission(self, reviewer, wanda):
        claim = ClaimFactory(created_by=reviewer)
        actions.submit_for_review(claim, by=reviewer)
        assert told(reviewer) == []
        assert told(wanda) == [("submitted", claim.pk)]

    def test_an_assignment_tells_the_assignee_only(self, claim, reviewer, wanda, researcher):
        in_review(claim, reviewer)
        Notification.objects.all().delete()
        actions.assign_reviewer(claim, reviewer=wanda, by=reviewer)
        assert told(wanda) == [("assigned", claim.pk)]
        assert told(reviewer) == [] and told(researcher) == []
        assert "victor assigned" in Notification.objects.get(recipient=wanda).text

    def test_a_return_tells_the_researcher_with_the_note(self, claim, reviewer, researcher):
        in_review(claim, reviewer)
        actions.return_to_researcher(claim, by=reviewer, note="Find the statistics office figure.")
        notification = Notification.objects.get(recipient=researcher)
        assert notification.kind == "returned" and notification.actor == reviewer
        assert "Find the statistics office figure." in notification.text
        assert told(reviewer) == [("submitted", claim.pk)]  # from the submission only

    def test_a_return_tells_each_researcher_who_wrote_part_of_the_claim(
        self, claim, researcher, reviewer
    ):
        helper = make_user("hana", "Researcher")
        actions.edit_claim(
            claim,
            text="Inflation halved.",
            claimant_name="",
            claimed_on=None,
            by=helper,
            seen_version=None,
        )
        in_review(claim, reviewer)
        actions.return_to_researcher(claim, by=reviewer, note="Source?")
        assert told(researcher) == [("returned", claim.pk)]
        assert told(helper) == [("returned", claim.pk)]

    def test_a_verdict_tells_the_writers_once_each_and_not_the_reviewer(
        self, claim, researcher, reviewer
    ):
        in_review(claim, reviewer)
        actions.publish_verdict(
            claim,
            by=reviewer,
            rating=Rating.objects.get(label="False"),
            rationale="The figures say otherwise.",
            as_of=AS_OF,
            without_evidence=True,
        )
        assert told(researcher) == [("published", claim.pk)]
        assert [kind for kind, _ in told(reviewer)] == ["submitted"]
        assert "False" in Notification.objects.get(recipient=researcher).text

    def test_a_refused_step_tells_nobody(self, claim, researcher, reviewer):
        with pytest.raises(actions.Refused):
            actions.return_to_researcher(claim, by=reviewer, note="Not submitted yet.")
        assert not Notification.objects.exists()

    def test_an_inactive_reviewer_is_not_told(self, claim, researcher, reviewer):
        reviewer.is_active = False
        reviewer.save()
        actions.submit_for_review(claim, by=researcher)
        assert told(reviewer) == []


class TestEmail:
    def test_sent_after_the_commit_to_each_recipient_with_an_address(
        self, claim, researcher, reviewer, wanda, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            actions.submit_for_review(claim, by=researcher)
        assert mailoutbox == []  # nothing is sent before the change is committed
        for callback in callbacks:
            callback()
        # victor has no address: told in the app only.
        assert [message.to for message in mailoutbox] == [["wanda@desk.example"]]
        message = mailoutbox[0]
        assert message.from_email == settings.DEFAULT_FROM_EMAIL
        assert "submitted “Inflation halved in a year.” for review" in message.subject
        assert f"{settings.SITE_URL}/claims/{claim.pk}/" in message.body

    def test_one_message_per_person_so_nobody_sees_who_else_was_told(
        self, claim, researcher, wanda, mailoutbox, django_capture_on_commit_callbacks
    ):
        make_user("xena", "Reviewer", email="xena@desk.example")
        with django_capture_on_commit_callbacks(execute=True):
            actions.submit_for_review(claim, by=researcher)
        assert sorted(message.to for message in mailoutbox) == [
            ["wanda@desk.example"],
            ["xena@desk.example"],
        ]

    def test_nothing_is_sent_for_a_step_rolled_back(
        self, claim, researcher, wanda, mailoutbox, django_capture_on_commit_callbacks
    ):
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            actions.submit_for_review(claim, by=researcher)
            raise RuntimeError("the request failed after the step")
        assert mailoutbox == []
        assert not Notification.objects.exists()

    def test_a_failing_mail_server_does_not_undo_the_step(
        self, claim, researcher, wanda, monkeypatch, caplog, django_capture_on_commit_callbacks
    ):
        from django.core.mail.backends.locmem import EmailBackend

        def refuse(self, messages):
            raise OSError("connection refused")

        monkeypatch.setattr(EmailBackend, "send_messages", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            actions.submit_for_review(claim, by=researcher)
        claim.refresh_from_db()
        assert claim.status == "submitted"
        assert told(wanda) == [("submitted", claim.pk)]
        assert "Could not e-mail 1 notification" in caplog.text


def notify(user, claim, count=1, text="Note", **fields):
    return Notification.objects.bulk_create(
        Notification(recipient=user, claim=claim, kind="mentioned", text=f"{text} {n}", **fields)
        for n in range(count)
    )


class TestInbox:
    @pytest.mark.parametrize("role", ["researcher", "reviewer", "source_admin"])
    def test_every_role_reads_its_own_inbox(self, role, request, login, claim):
        user = request.getfixturevalue(role)
        notify(user, claim, text="Yours")
        notify(make_user("zed", "Reviewer"), claim, text="Someone else's")
        response = login(user).get(reverse("claims:inbox"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Yours" in page and "Someone else" not in page

    def test_anonymous_visitors_are_sent_to_log_in(self, login):
        response = login(None).get(reverse("claims:inbox"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_a_user_without_a_role_is_refused(self, login, outsider):
        assert login(outsider).get(reverse("claims:inbox")).status_code == 403

    def test_newest_first_with_the_unread_marked(self, login, researcher, claim):
        earlier = timezone.now() - datetime.timedelta(days=1)
        old = Notification.objects.create(
            recipient=researcher, claim=claim, kind="returned", text="Old news", read_at=earlier
        )
        Notification.objects.filter(pk=old.pk).update(created_at=earlier)
        Notification.objects.create(
            recipient=researcher, claim=claim, kind="published", text="Fresh news"
        )
        page = login(researcher).get(reverse("claims:inbox")).content.decode()
        assert page.index("Fresh news") < page.index("Old news")
        assert page.count('class="unread-mark"') == 1
        assert page.index('class="unread-mark"') < page.index("Fresh news")

    def test_opening_marks_it_read_and_goes_to_the_claim(self, login, researcher, claim):
        (notification,) = notify(researcher, claim)
        response = login(researcher).post(
            reverse("claims:notification_open", args=[notification.pk])
        )
        assert response.status_code == 302
        assert response["Location"] == claim.get_absolute_url()
        notification.refresh_from_db()
        assert notification.read_at is not None

    def test_opening_someone_elses_is_not_found_and_changes_nothing(
        self, login, researcher, reviewer, claim
    ):
        (notification,) = notify(reviewer, claim)
        response = login(researcher).post(
            reverse("claims:notification_open", args=[notification.pk])
        )
        assert response.status_code == 404
        notification.refresh_from_db()
        assert notification.read_at is None

    def test_opening_takes_a_post_since_it_changes_a_row(self, login, researcher, claim):
        (notification,) = notify(researcher, claim)
        url = reverse("claims:notification_open", args=[notification.pk])
        assert login(researcher).get(url).status_code == 405
        notification.refresh_from_db()
        assert notification.read_at is None

    def test_opening_is_refused_to_the_anonymous_and_outsiders(self, login, outsider, claim):
        (notification,) = notify(outsider, claim)
        url = reverse("claims:notification_open", args=[notification.pk])
        assert login(None).post(url).status_code == 302
        assert login(outsider).post(url).status_code == 403
        notification.refresh_from_db()
        assert notification.read_at is None

    def test_mark_all_read_marks_only_ones_own(self, login, researcher, reviewer, claim):
        notify(researcher, claim, count=3)
        notify(reviewer, claim, count=2)
        response = login(researcher).post(reverse("claims:inbox_read_all"), follow=True)
        assert "Marked 3 notifications read." in response.content.decode()
        assert not Notification.objects.filter(recipient=researcher).unread().exists()
        assert Notification.objects.filter(recipient=reviewer).unread().count() == 2

    def test_the_action_refuses_someone_elses(self, researcher, reviewer, claim):
        (notification,) = notify(reviewer, claim)
        with pytest.raises(actions.NoRight):
            actions.open_notification(notification, by=researcher)

    def test_the_same_queries_for_1_notification_as_for_50(self, login, researcher, claim):
        client = login(researcher)
        notify(researcher, claim)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("claims:inbox")).status_code == 200
            return len(captured)

        one = queries()
        for other in ClaimFactory.create_batch(49):
            notify(researcher, other, actor=researcher)
        assert queries() == one

    def test_pages_of_fifty_newest_first(self, login, researcher, claim):
        notify(researcher, claim, count=60)
        client = login(researcher)
        first = client.get(reverse("claims:inbox")).context["page"]
        assert len(first) == 50
        rest = client.get(reverse("claims:inbox"), {"cursor": first.next_cursor}).context["page"]
        assert len(rest) == 10
        assert {n.pk for n in first}.isdisjoint({n.pk for n in rest})


class TestUnreadCount:
    def test_the_header_shows_the_unread_count_with_words_for_screen_readers(
        self, login, researcher, claim
    ):
        notify(researcher, claim, count=3)
        page = login(researcher).get(reverse("claims:list")).content.decode()
        assert 'Inbox <span aria-hidden="true">(3)</span>' in page
        assert '<span class="visually-hidden">, 3 unread</span>' in page

    def test_no_count_when_all_is_read(self, login, researcher, claim):
        notify(researcher, claim, read_at=timezone.now())
        page = login(researcher).get(reverse("claims:list")).content.decode()
        assert f'<a href="{reverse("claims:inbox")}">Inbox</a>' in page

    def test_a_long_backlog_is_shown_as_99_plus(self, login, researcher, claim):
        notify(researcher, claim, count=120)
        page = login(researcher).get(reverse("claims:list")).content.decode()
        assert "(99+)" in page

    def test_outsiders_have_no_inbox_link(self, login, outsider):
        page = login(outsider).get(reverse("home")).content.decode()
        assert reverse("claims:inbox") not in page

    def test_the_count_costs_one_query_and_never_counts_every_row(self, login, researcher, claim):
        notify(researcher, claim, count=5)
        with CaptureQueriesContext(connection) as captured:
            login(researcher).get(reverse("claims:list"))
        reads = [q["sql"] for q in captured if "claims_notification" in q["sql"]]
        assert len(reads) == 1
        assert "COUNT(" not in reads[0].upper() and "LIMIT 100" in reads[0].upper()


class TestTheCountIsNeverStale:
    """Nothing keeps the count: a page drawn after a hand-off or a reading shows it as it is."""

    def test_the_claim_page_shows_the_new_count_after_a_submission_and_after_reading(
        self, login, researcher, reviewer
    ):
        claim = ClaimFactory(created_by=researcher)
        client = login(reviewer)
        assert "unread" not in client.get(claim.get_absolute_url()).content.decode()
        actions.submit_for_review(claim, by=researcher)
        assert ", 1 unread" in client.get(claim.get_absolute_url()).content.decode()
        notification = Notification.objects.get(recipient=reviewer)
        client.post(reverse("claims:notification_open", args=[notification.pk]))
        assert "unread" not in client.get(claim.get_absolute_url()).content.decode()

    def test_mark_all_read_clears_the_count_on_the_next_page(self, login, researcher, reviewer):
        claim = ClaimFactory(created_by=researcher)
        actions.submit_for_review(claim, by=researcher)
        client = login(reviewer)
        assert ", 1 unread" in client.get(reverse("claims:list")).content.decode()
        client.post(reverse("claims:inbox_read_all"))
        assert "unread" not in client.get(reverse("claims:list")).content.decode()
