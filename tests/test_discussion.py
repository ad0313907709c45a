"""Talking and hand-offs on a claim: the discussion, @mentions, return notes, the queue, search."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import actions
from claims.models import COMMENT_MAX_LENGTH, Comment, Notification, Rating
from claims.notifications import mentioned_names
from tests.conftest import make_user
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, MentionFactory, publish
from tests.factories.sources import EvidenceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def claim(researcher):
    return ClaimFactory(created_by=researcher, text="Wages rose faster than prices.")


def comment_url(claim) -> str:
    return reverse("claims:comment_add", args=[claim.pk])


class TestWhoMayComment:
    @pytest.mark.parametrize("role", ["researcher", "reviewer", "source_admin"])
    def test_every_role_may_comment(self, role, request, login, claim):
        user = request.getfixturevalue(role)
        response = login(user).post(comment_url(claim), {"body": "Which index?"})
        comment = Comment.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"{claim.get_absolute_url()}#comment-{comment.pk}"
        assert (comment.author, comment.body) == (user, "Which index?")

    def test_anonymous_visitors_are_sent_to_log_in(self, login, claim):
        response = login(None).post(comment_url(claim), {"body": "Hello"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert not Comment.objects.exists()

    def test_a_user_without_a_role_is_refused(self, login, outsider, claim):
        assert login(outsider).post(comment_url(claim), {"body": "Hello"}).status_code == 403
        assert not Comment.objects.exists()

    def test_the_action_refuses_a_user_without_the_right(self, outsider, claim):
        with pytest.raises(actions.NoRight):
            actions.add_comment(claim, body="Hello", by=outsider)

    def test_a_published_claim_may_still_be_discussed(self, login, researcher, claim):
        publish(claim)
        response = login(researcher).post(comment_url(claim), {"body": "A reader wrote in."})
        assert response.status_code == 302
        assert Comment.objects.get().claim == claim

    def test_the_form_is_offered_only_to_those_who_may_comment(self, login, researcher, claim):
        reader = make_user("reader")
        reader.user_permissions.add(Permission.objects.get(codename="view_claim"))
        assert 'name="body"' in login(researcher).get(claim.get_absolute_url()).content.decode()
        page = login(reader).get(claim.get_absolute_url()).content.decode()
        assert 'id="discussion"' in page and 'name="body"' not in page
        assert login(reader).post(comment_url(claim), {"body": "Hi"}).status_code == 403


class TestBadInput:
    def test_an_empty_comment_is_refused_with_a_message(self, login, researcher, claim):
        response = login(researcher).post(comment_url(claim), {"body": "   "})
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()
        assert not Comment.objects.exists()

    def test_a_long_comment_is_refused_and_kept_as_typed(self, login, researcher, claim):
        body = "word " * 1100
        response = login(researcher).post(comment_url(claim), {"body": body})
        page = response.content.decode()
        assert response.status_code == 400
        assert f"A comment has at most {COMMENT_MAX_LENGTH:,} characters" in page
        assert body.strip() in page  # nothing typed is lost
        assert not Comment.objects.exists()

    def test_with_htmx_the_thread_comes_back_with_the_error_and_the_words(
        self, login, researcher, claim
    ):
        body = "x" * (COMMENT_MAX_LENGTH + 1)
        response = login(researcher).post(comment_url(claim), {"body": body}, headers=HTMX)
        page = response.content.decode()
        assert response.status_code == 200  # htmx swaps only a success
        assert page.strip().startswith('<section id="discussion"')
        assert "at most 5,000 characters" in page and body in page

    def test_a_comment_on_a_claim_that_does_not_exist_is_not_found(self, login, researcher):
        response = login(researcher).post(
            reverse("claims:comment_add", args=[999999]), {"body": "Hi"}
        )
        assert response.status_code == 404


class TestThread:
    def test_the_claim_page_shows_the_comments_oldest_first(
        self, login, researcher, reviewer, claim
    ):
        actions.add_comment(claim, body="First, the figures.", by=researcher)
        actions.add_comment(claim, body="Second, the source.", by=reviewer)
        page = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert page.index("First, the figures.") < page.index("Second, the source.")
        assert 'Discussion <span class="count">(2)</span>' in page
        # Right after the review section, before the history.
        assert (
            page.index('id="workflow"')
            < page.index('id="discussion"')
            < page.index('id="history-heading"')
        )

    def test_with_htmx_a_comment_swaps_in_the_thread_alone(self, login, researcher, claim):
        response = login(researcher).post(comment_url(claim), {"body": "On it."}, headers=HTMX)
        page = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in page
        assert page.strip().startswith('<section id="discussion"') and "On it." in page

    def test_without_javascript_the_form_posts_to_the_page(self, login, researcher, claim):
        page = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert f'method="post" action="{comment_url(claim)}"' in page
        assert f'hx-post="{comment_url(claim)}"' in page

    def test_markup_in_a_comment_is_shown_as_text(self, login, researcher, claim):
        actions.add_comment(claim, body="<script>alert(1)</script>", by=researcher)
        page = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_the_claim_page_costs_the_same_for_1_comment_as_for_50(
        self, login, researcher, reviewer, claim
    ):
        client = login(researcher)
        actions.add_comment(claim, body="One", by=reviewer)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(claim.get_absolute_url()).status_code == 200
            return len(captured)

        one = queries()
        for n in range(49):
            author = make_user(f"talker{n}", "Researcher")
            actions.add_comment(claim, body=f"Comment {n}", by=author)
        assert queries() == one


class TestMentions:
    def test_names_are_read_without_trailing_punctuation(self):
        assert mentioned_names("Ask @rosa, then @victor. Not me@mail.example; @rosa again") == [
            "rosa",
            "victor",
        ]

    def test_a_mention_tells_that_user_once(self, researcher, reviewer, claim):
        comment = actions.add_comment(claim, body="@victor can you check? @victor!", by=researcher)
        assert list(comment.mentioned.all()) == [reviewer]
        notification = Notification.objects.get(recipient=reviewer)
        assert notification.kind == "mentioned" and notification.actor == researcher
        assert "rosa mentioned you" in notification.text

    def test_a_mentioned_writer_gets_one_notification_not_two(self, researcher, reviewer, claim):
        actions.add_comment(claim, body="@rosa the source is paywalled.", by=reviewer)
        assert list(
            Notification.objects.filter(recipient=researcher).values_list("kind", flat=True)
        ) == ["mentioned"]

    def test_nobody_unknown_inactive_without_access_or_oneself_is_told(
        self, researcher, outsider, claim
    ):
        make_user("gone", "Reviewer", is_active=False)
        body = "@nobody @gone @otto @rosa"
        comment = actions.add_comment(claim, body=body, by=researcher)
        assert list(comment.mentioned.all()) == []
        assert not Notification.objects.exists()

    def test_mentions_link_to_nothing(self, login, researcher, reviewer, claim):
        actions.add_comment(claim, body="@victor please look", by=researcher)
        page = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert "<p>@victor please look</p>" in page

    def test_those_in_the_conversation_hear_of_a_new_comment(self, researcher, reviewer, claim):
        third = make_user("wanda", "Reviewer")
        actions.add_comment(claim, body="I think it is false.", by=third)
        actions.add_comment(claim, body="Why?", by=reviewer)

        def heard(user) -> int:
            return Notification.objects.filter(recipient=user, kind="commented").count()

        # The claim's writer hears of both; wanda, in the conversation, of victor's only;
        # victor spoke after her, so of nothing.
        assert (heard(researcher), heard(third), heard(reviewer)) == (2, 1, 0)


def returned(claim, reviewer, note="Find the office's own figure.\nThen resubmit."):
    actions.submit_for_review(claim, by=claim.created_by)
    actions.start_review(claim, by=reviewer)
    actions.return_to_researcher(claim, by=reviewer, note=note)
    claim.refresh_from_db()
    return claim


class TestReturnNotes:
    def test_the_note_is_at_the_top_of_a_returned_claim(self, login, researcher, reviewer, claim):
        returned(claim, reviewer)
        page = login(researcher).get(claim.get_absolute_url()).content.decode()
        assert "Returned by victor on" in page
        assert "Find the office&#x27;s own figure." in page
        assert page.index("<h1") < page.index("Returned by victor") < page.index('class="facts"')

    def test_the_latest_note_stands_until_the_claim_is_submitted_again(
        self, login, researcher, reviewer, claim
    ):
        returned(claim, reviewer, note="First note")
        returned(claim, reviewer, note="Second note")
        client = login(researcher)
        page = client.get(claim.get_absolute_url()).content.decode()
        note = page.split('class="notice return-note"')[1].split("</div>")[0]
        assert "Second note" in note and "First note" not in note
        actions.submit_for_review(claim, by=researcher)
        assert "Returned by" not in client.get(claim.get_absolute_url()).content.decode()

    def test_a_draft_never_returned_has_no_note(self, login, researcher, claim):
        assert "Returned by" not in login(researcher).get(claim.get_absolute_url()).content.decode()

    def test_my_claims_marks_a_returned_claim_with_the_notes_first_line(
        self, login, researcher, reviewer, claim
    ):
        returned(claim, reviewer)
        ClaimFactory(created_by=researcher, text="Never submitted.")
        page = login(researcher).get(reverse("claims:mine")).content.decode()
        assert page.count('class="badge status-returned">Returned</span>') == 1
        assert "by victor: Find the office&#x27;s own figure." in page
        assert "Then resubmit." not in page

    def test_my_claims_costs_the_same_for_1_returned_claim_as_for_20(
        self, login, researcher, reviewer
    ):
        client = login(researcher)
        returned(ClaimFactory(created_by=researcher), reviewer)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("claims:mine")).status_code == 200
            return len(captured)

        one = queries()
        for claim in ClaimFactory.create_batch(19, created_by=researcher):
            returned(claim, reviewer)
        assert queries() == one


class TestReviewQueue:
    def test_each_claim_shows_its_article_evidence_balance_and_waiting_time(
        self, login, reviewer, researcher
    ):
        claim = ClaimFactory(created_by=researcher, status="submitted")
        article = ArticleFactory(title="Budget speech coverage")
        MentionFactory(claim=claim, article=article)
        MentionFactory(claim=claim, article=ArticleFactory(title="A later article"))
        EvidenceFactory(claim=claim, stance="supports")
        EvidenceFactory(claim=claim, stance="supports")
        EvidenceFactory(claim=claim, stance="contradicts")
        claim.submitted_at = timezone.now() - datetime.timedelta(days=3)
        claim.save()
        page = login(reviewer).get(reverse("claims:queue")).content.decode()
        assert "in “Budget speech coverage”" in page and "A later article" not in page
        assert "2 supporting · 1 contradicting · 0 context" in page
        assert 'class="balance balance-' in page
        assert "Waiting 3\xa0days" in page

    def test_a_claim_in_review_shows_them_too(self, login, reviewer, researcher):
        ClaimFactory(
            status="in_review",
            reviewer=reviewer,
            submitted_at=timezone.now(),
            created_by=researcher,
        )
        page = login(reviewer).get(reverse("claims:queue")).content.decode()
        assert "in no article yet" in page and "0 supporting" in page

    def test_the_same_queries_for_1_claim_as_for_50(self, login, reviewer):
        client = login(reviewer)

        def queued(count):
            for claim in ClaimFactory.create_batch(count, status="submitted"):
                MentionFactory(claim=claim)
                EvidenceFactory(claim=claim)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("claims:queue")).status_code == 200
            return len(captured)

        queued(1)
        one = queries()
        queued(49)
        ClaimFactory.create_batch(10, status="in_review", reviewer=reviewer)
        assert queries() == one


class TestSearchResults:
    def test_each_claim_shows_its_status_and_a_published_verdict(self, login, researcher):
        draft = ClaimFactory(text="Turnout was the highest ever recorded.")
        published = publish(ClaimFactory(text="Turnout fell below half."))
        page = login(researcher).get(reverse("search"), {"q": "turnout"}).content.decode()
        assert '<span class="badge status-draft">Draft</span>' in page
        assert '<span class="badge status-published">Published</span>' in page
        assert 'class="badge verdict-' in page and ">False</span>" in page
        assert draft.pk and published.rating == Rating.objects.get(label="False")

    def test_the_same_queries_for_1_claim_as_for_20(self, login, researcher):
        client = login(researcher)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("search"), {"q": "ballots"}).status_code == 200
            return len(captured)

        publish(ClaimFactory(text="Ballots were lost."))
        one = queries()
        for n in range(19):
            publish(ClaimFactory(text=f"Ballots number {n} were lost."))
        assert queries() == one
