"""The review workflow: its states and steps, assignment, the history, no lost updates.

The four-eyes rule has its own module (test_four_eyes.py); who may take which step in which
state, through the pages, is in test_write_actions.py.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse

from claims import actions
from claims.history import claim_history
from claims.models import Claim, Rating
from lib.versioning import StaleEdit
from tests.conftest import make_user
from tests.factories.claims import ClaimFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 10, 20)
ALL_STATES = list(Claim.Status)


@pytest.fixture
def second_reviewer(db):
    return make_user("wanda", "Reviewer")


@pytest.fixture
def misleading(db):
    return Rating.objects.get(label="Misleading")


def claim_in(status: str, created_by=None) -> Claim:
    claim = ClaimFactory(created_by=created_by)
    if status == "published":
        claim.rating = Rating.objects.get(label="False")
        claim.reviewer = make_user(f"earlier-{claim.pk}", "Reviewer")
    claim.status = status
    claim.save()
    return claim


def take(step: str, claim: Claim, user, rating=None):
    """Take one step with the arguments it needs."""
    match step:
        case "submit":
            return actions.submit_for_review(claim, by=user)
        case "start_review":
            return actions.start_review(claim, by=user)
        case "assign":
            return actions.assign_reviewer(
                claim, reviewer=make_user(f"assignee-{claim.pk}", "Reviewer"), by=user
            )
        case "return_to_researcher":
            return actions.return_to_researcher(claim, by=user, note="Needs a source.")
        case "publish":
            return actions.publish_verdict(
                claim,
                by=user,
                rating=rating or Rating.objects.get(label="Misleading"),
                rationale="Because.",
                as_of=TODAY,
                without_evidence=True,
            )
        case "reopen":
            return actions.reopen(claim, by=user, note="New evidence.")


ALLOWED = [(step, start) for step, (starts, _) in actions.STEPS.items() for start in sorted(starts)]
FORBIDDEN = [
    (step, start)
    for step, (starts, _) in actions.STEPS.items()
    for start in ALL_STATES
    if start not in starts
]


class TestTheStateMachine:
    @pytest.mark.parametrize(("step", "start"), ALLOWED)
    def test_every_allowed_step_leads_where_it_should(self, step, start, reviewer, researcher):
        claim = claim_in(start, created_by=researcher)
        before = claim.version
        result = take(step, claim, reviewer)
        claim.refresh_from_db()
        assert claim.status == actions.STEPS[step][1] == result.status
        assert claim.version == before + 1

    @pytest.mark.parametrize(("step", "start"), FORBIDDEN)
    def test_every_other_step_is_refused_and_changes_nothing(
        self, step, start, reviewer, researcher
    ):
        claim = claim_in(start, created_by=researcher)
        with pytest.raises(actions.Refused, match="is not possible: the claim is"):
            take(step, claim, reviewer)
        claim.refresh_from_db()
        assert claim.status == start and claim.version == 1

    def test_the_tables_cover_every_pair(self):
        assert len(ALLOWED) + len(FORBIDDEN) == len(actions.STEPS) * len(ALL_STATES) == 24

    @pytest.mark.parametrize(
        "step", ["start_review", "assign", "return_to_researcher", "publish", "reopen"]
    )
    def test_researchers_take_no_reviewer_step(self, step, researcher):
        start = sorted(actions.STEPS[step][0])[0]
        claim = claim_in(start)
        with pytest.raises(actions.NoRight, match="You may not"):
            take(step, claim, researcher)

    def test_a_return_and_a_reopening_need_a_note(self, reviewer):
        with pytest.raises(actions.Invalid, match="note is required"):
            actions.return_to_researcher(claim_in("submitted"), by=reviewer, note="  ")
        with pytest.raises(actions.Invalid, match="note is required"):
            actions.reopen(claim_in("published"), by=reviewer, note="")

    def test_publishing_records_the_verdict_and_its_reviewer(self, reviewer, misleading):
        claim = claim_in("in_review")
        actions.publish_verdict(
            claim,
            by=reviewer,
            rating=misleading,
            rationale=" Why. ",
            as_of=TODAY,
            without_evidence=True,
        )
        claim.refresh_from_db()
        assert (claim.rating, claim.rationale, claim.verdict_as_of) == (misleading, "Why.", TODAY)
        assert claim.reviewer == reviewer and claim.published_at is not None

    def test_a_reviewer_can_assign_another_reviewer_but_not_a_researcher(
        self, reviewer, second_reviewer, researcher
    ):
        claim = claim_in("submitted")
        with pytest.raises(actions.Invalid, match="Choose a reviewer from the list"):
            actions.assign_reviewer(claim, by=reviewer, reviewer=researcher)
        actions.assign_reviewer(claim, by=reviewer, reviewer=second_reviewer)
        claim.refresh_from_db()
        assert (claim.status, claim.reviewer) == ("in_review", second_reviewer)

    def test_a_claim_in_review_is_reassigned_and_the_history_says_by_whom(
        self, reviewer, second_reviewer
    ):
        claim = claim_in("submitted")
        actions.start_review(claim, by=reviewer)
        actions.assign_reviewer(claim, by=reviewer, reviewer=second_reviewer)
        claim.refresh_from_db()
        assert (claim.status, claim.reviewer) == ("in_review", second_reviewer)
        assert claim.history.latest().history_change_reason == "Assigned to wanda by victor"
        with pytest.raises(actions.Invalid, match="already assigned to wanda"):
            actions.assign_reviewer(claim, by=reviewer, reviewer=second_reviewer)

    def test_publishing_freezes_the_claim_and_reopening_records_when(self, reviewer):
        claim = claim_in("in_review")
        take("publish", claim, reviewer)
        with pytest.raises(actions.Refused, match="This fact-check is published: reopen it"):
            actions.edit_claim(
                claim, text="New.", claimant_name="", claimed_on=None, by=reviewer, seen_version=2
            )
        actions.reopen(claim, by=reviewer, note="A new report.")
        claim.refresh_from_db()
        assert claim.reopened_at is not None and claim.reviewer == reviewer


class TestStaleSteps:
    def test_a_step_on_a_version_that_is_gone_is_refused(self, reviewer, second_reviewer):
        claim = claim_in("submitted")
        actions.start_review(claim, by=reviewer, seen_version=1)
        with pytest.raises(StaleEdit, match="Someone else changed this after you opened it"):
            actions.return_to_researcher(claim, by=second_reviewer, note="x", seen_version=1)


class TestTheHistory:
    def test_it_tells_every_step_in_plain_words_naming_each_user(
        self, researcher, reviewer, second_reviewer, misleading
    ):
        claim = ClaimFactory(created_by=researcher)
        actions.submit_for_review(claim, by=researcher)
        actions.start_review(claim, by=reviewer)
        actions.return_to_researcher(claim, by=reviewer, note="Add the Pentagon source.")
        actions.submit_for_review(claim, by=researcher)
        actions.start_review(claim, by=second_reviewer)
        take("publish", claim, second_reviewer, rating=misleading)
        actions.reopen(claim, by=reviewer, note="A new report.")
        told = [(entry.who, entry.what) for entry in reversed(claim_history(claim))]
        assert told[1:] == [
            ("rosa", "Submitted for review"),
            ("victor", "Started review"),
            ("victor", "Returned to researcher: Add the Pentagon source."),
            ("rosa", "Submitted for review"),
            ("wanda", "Started review"),
            ("wanda", "Published verdict: Misleading"),
            ("victor", "Reopened: A new report."),
        ]

    def test_assigning_names_who_assigned_whom(self, reviewer, second_reviewer):
        claim = claim_in("submitted")
        actions.assign_reviewer(claim, by=reviewer, reviewer=second_reviewer)
        assert claim_history(claim)[0].what == "Assigned to wanda by victor"

    def test_edits_to_the_claim_and_its_evidence_are_told(self, login, researcher):
        from tests.factories.sources import EvidenceFactory

        claim = ClaimFactory(text="Old words.", created_by=researcher)
        client = login(researcher)
        client.post(
            reverse("claims:edit", args=[claim.pk]),
            {"text": "New words.", "claimant_name": "", "claimed_on": "", "seen_version": 1},
        )
        claim.refresh_from_db()
        assert claim.text == "New words."
        evidence = EvidenceFactory(claim=claim, stance="supports")
        client.post(
            reverse("claims:evidence_edit", args=[evidence.pk]),
            {"stance": "context", "excerpt": evidence.excerpt, "note": "", "seen_version": 1},
        )
        history = client.get(reverse("claims:history", args=[claim.pk])).content.decode()
        assert "changed the claim: claim “Old words.” → “New words.”" in history
        assert "stance “supports” → “context”" in history
        assert "<strong>rosa</strong>" in history


class TestEditingAClaim:
    def url(self, claim):
        return reverse("claims:edit", args=[claim.pk])

    def test_a_stale_edit_is_refused_and_shows_what_changed(self, login, researcher, reviewer):
        claim = ClaimFactory(text="Original wording.")
        data = {"claimant_name": "", "claimed_on": "", "seen_version": 1}
        assert (
            login(reviewer).post(self.url(claim), {**data, "text": "Victor's."}).status_code == 302
        )
        response = login(researcher).post(self.url(claim), {**data, "text": "Rosa's."})
        html = response.content.decode()
        assert response.status_code == 400
        assert "Someone else changed this after you opened it" in html
        assert "victor changed claim: “Original wording.” → “Victor&#x27;s.”" in html
        assert "Rosa&#x27;s." in html, "what Rosa typed is kept"
        claim.refresh_from_db()
        assert claim.text == "Victor's."

    def test_a_published_claim_must_be_reopened_before_it_is_edited(self, login, researcher):
        claim = claim_in("published")
        response = login(researcher).get(self.url(claim))
        assert response.status_code == 409
        assert "This fact-check is published: reopen it" in response.content.decode()

    def test_tags_are_edited_with_the_claim_and_found_by_search(self, login, researcher):
        from lib.search import search

        claim = ClaimFactory(text="Grain shipments resumed.")
        data = {"text": claim.text, "claimant_name": "", "claimed_on": "", "seen_version": 1}
        response = login(researcher).post(
            self.url(claim), {**data, "tag_names": "Black Sea,  grain deal , black sea"}
        )
        assert response.status_code == 302
        assert sorted(claim.tags.values_list("name", flat=True)) == ["Black Sea", "grain deal"]
        assert [hit.object for hit in search(Claim.objects.all(), "black sea")] == [claim]
        form = login(researcher).get(self.url(claim)).content.decode()
        assert 'value="Black Sea, grain deal"' in form


@pytest.mark.usefixtures("postgresql", "migration_rows")
@pytest.mark.django_db(transaction=True)
class TestConcurrencyOnPostgreSQL:
    """Threads on their own connections, racing for one row: exactly one wins."""

    def race(self, *attempts):
        barrier = threading.Barrier(len(attempts))
        outcomes = [None] * len(attempts)

        def run(index, attempt):
            barrier.wait()
            try:
                attempt()
                outcomes[index] = "won"
            except (actions.Refused, StaleEdit) as error:
                outcomes[index] = type(error).__name__
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=pair) for pair in enumerate(attempts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    def test_two_reviewers_publish_at_once_and_one_is_told(self, researcher, reviewer):
        second = make_user("wanda", "Reviewer")
        claim = claim_in("in_review", created_by=researcher)
        false, misleading = (
            Rating.objects.get(label="False"),
            Rating.objects.get(label="Misleading"),
        )

        def publish(user, rating):
            return lambda: actions.publish_verdict(
                Claim.objects.get(pk=claim.pk),
                by=user,
                rating=rating,
                rationale=f"By {user}",
                as_of=TODAY,
                seen_version=1,
                without_evidence=True,
            )

        outcomes = self.race(publish(reviewer, false), publish(second, misleading))
        assert sorted(outcomes) == ["StaleEdit", "won"]
        claim.refresh_from_db()
        assert claim.version == 2
        assert claim.publications.count() == 1
        winner = reviewer if outcomes[0] == "won" else second
        assert claim.reviewer == winner and claim.rationale == f"By {winner}"
        assert claim.history.filter(history_change_reason__startswith="Published").count() == 1

    def test_two_editors_save_the_same_claim_and_nothing_is_lost(self, researcher, reviewer):
        from claims.forms import ClaimForm

        claim = ClaimFactory(text="Original.")

        def save(text, user):
            def attempt():
                data = {"text": text, "claimant_name": "", "claimed_on": "", "seen_version": 1}
                form = ClaimForm(data, instance=Claim.objects.get(pk=claim.pk))
                # Both forms pass their checks before either saves: the action must refuse.
                assert form.is_valid(), form.errors
                barrier_point.wait()
                actions.edit_claim(
                    Claim.objects.get(pk=claim.pk),
                    text=text,
                    claimant_name="",
                    claimed_on=None,
                    by=user,
                    seen_version=1,
                )

            return attempt

        barrier_point = threading.Barrier(2)
        outcomes = self.race(save("First editor.", researcher), save("Second editor.", reviewer))
        assert sorted(outcomes) == ["StaleEdit", "won"]
        claim.refresh_from_db()
        assert claim.version == 2
        assert claim.text == ("First editor." if outcomes[0] == "won" else "Second editor.")


class TestAssigningAReviewer:
    def test_a_reviewer_assigns_the_claim_to_another_from_the_claim_page(
        self, login, reviewer, second_reviewer, researcher
    ):
        claim = claim_in("submitted")
        client = login(reviewer)
        page = client.get(claim.get_absolute_url()).content.decode()
        assert f'<option value="{second_reviewer.pk}">wanda</option>' in page
        assert f'<option value="{researcher.pk}">' not in page, "only reviewers are offered"
        url = reverse("claims:step", args=[claim.pk, "assign"])
        client.post(url, {"seen_version": 1, "reviewer": second_reviewer.pk})
        claim.refresh_from_db()
        assert (claim.status, claim.reviewer) == ("in_review", second_reviewer)
        assert claim.history.latest().history_change_reason == "Assigned to wanda by victor"

    @pytest.mark.parametrize("value", ["researcher", "abc", "", "99999", "1.5"])
    def test_anything_but_a_reviewer_from_the_list_is_refused_with_a_message(
        self, value, login, reviewer, researcher
    ):
        claim = claim_in("submitted")
        url = reverse("claims:step", args=[claim.pk, "assign"])
        chosen = researcher.pk if value == "researcher" else value
        response = login(reviewer).post(url, {"seen_version": 1, "reviewer": chosen})
        assert response.status_code == 400
        assert "Choose a reviewer from the list." in response.content.decode()
        claim.refresh_from_db()
        assert (claim.status, claim.version) == ("submitted", 1)


def test_the_slower_of_two_publishers_is_told_and_keeps_the_rationale(
    login, reviewer, second_reviewer
):
    claim = claim_in("in_review")
    url = reverse("claims:publish", args=[claim.pk])
    misleading = Rating.objects.get(label="Misleading")
    data = {
        "rating": misleading.pk,
        "as_of": "2024-10-20",
        "seen_version": 1,
        "without_evidence": "on",
    }
    assert login(reviewer).post(url, {**data, "rationale": "First."}).status_code == 302
    response = login(second_reviewer).post(url, {**data, "rationale": "Wanda's reasons."})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this after you opened it" in html
    assert "Your rationale, not saved" in html and "Wanda&#x27;s reasons." in html
    claim.refresh_from_db()
    assert (claim.rationale, claim.reviewer) == ("First.", reviewer)
