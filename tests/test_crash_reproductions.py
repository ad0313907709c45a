"""The crashes found by testing, each answered with a message instead of a server error.

A 117-character note returning a claim overflowed the history's reason on PostgreSQL; two
identical "Add evidence" posts at once broke the unique constraint; "Start review" with a
reviewer that is not a number failed to parse. These run on whichever database the suite runs
on (CI runs both); the races need PostgreSQL's row locks.
"""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from claims import actions
from claims.models import Claim, Evidence
from tests.conftest import make_user
from tests.factories.claims import ClaimFactory
from tests.factories.sources import SourceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
NOTE = (
    "Please add the Pentagon briefing of 23 October and the Seoul intelligence "
    "statement, then send this claim back to me."
)


def submitted_claim(researcher) -> Claim:
    claim = ClaimFactory(created_by=researcher)
    actions.submit_for_review(claim, by=researcher)
    claim.refresh_from_db()
    return claim


def evidence_data(source) -> dict:
    return {
        "source": f"#{source.pk} {source.title}",
        "stance": "contradicts",
        "excerpt": "No units were seen.",
        "note": "",
    }


def test_a_117_character_return_note_is_kept_whole(login, researcher, reviewer):
    assert len(NOTE) == 117
    claim = submitted_claim(researcher)
    url = reverse("claims:step", args=[claim.pk, "return_to_researcher"])
    response = login(reviewer).post(url, {"seen_version": claim.version, "note": NOTE})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "draft"
    assert claim.history.latest().history_change_reason == f"Returned to researcher: {NOTE}"


class TestTheSameEvidenceTwice:
    def test_a_second_identical_post_is_told_it_is_already_there(self, login, researcher):
        claim, source = ClaimFactory(), SourceFactory(title="Pentagon briefing")
        client = login(researcher)
        url = reverse("claims:evidence_add", args=[claim.pk])
        assert client.post(url, evidence_data(source)).status_code == 302
        response = client.post(url, evidence_data(source))
        assert response.status_code == 400
        assert "“Pentagon briefing” is already contradicting evidence for this claim." in (
            response.content.decode()
        )
        again = client.post(url, evidence_data(source), headers=HTMX)
        assert again.status_code == 200 and "is already contradicting evidence" in (
            again.content.decode()
        )
        assert Evidence.objects.count() == 1

    def test_the_action_itself_refuses_it_with_the_same_words(self, researcher):
        claim, source = ClaimFactory(), SourceFactory(title="Pentagon briefing")

        def add():
            return actions.add_evidence(
                claim, source=source, stance="context", excerpt="", note="", by=researcher
            )

        add()
        with pytest.raises(actions.Invalid, match="is already context evidence for this claim"):
            add()


@pytest.mark.usefixtures("postgresql", "migration_rows")
@pytest.mark.django_db(transaction=True)
class TestTheSameEvidenceTwiceAtOnceOnPostgreSQL:
    """Threads on their own connections, as two browser tabs or a double click would be."""

    def test_two_identical_posts_race_and_one_is_told(self, login):
        rosa = make_user("rosa", "Researcher")
        claim, source = ClaimFactory(), SourceFactory(title="Pentagon briefing")
        url = reverse("claims:evidence_add", args=[claim.pk])
        clients = [login(rosa), login(rosa)]
        barrier = threading.Barrier(2)
        answers = []

        def post(client):
            try:
                barrier.wait()
                response = client.post(url, evidence_data(source))
                answers.append((response.status_code, response.content.decode()))
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=[client]) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(status for status, _ in answers) == [302, 400]
        told = next(html for status, html in answers if status == 400)
        assert "is already contradicting evidence for this claim" in told
        assert Evidence.objects.filter(claim=claim).count() == 1
        claim.refresh_from_db()
        assert claim.evidence_count == 1

    def test_a_post_waits_for_a_transaction_adding_the_same_item_then_is_told(self, login):
        rosa = make_user("rosa", "Researcher")
        claim, source = ClaimFactory(), SourceFactory(title="Pentagon briefing")
        client = login(rosa)
        holding, release = threading.Event(), threading.Event()
        answer = {}

        def add_and_hold():
            try:
                with transaction.atomic():
                    actions.add_evidence(
                        Claim.objects.get(pk=claim.pk),
                        source=source,
                        stance="contradicts",
                        excerpt="",
                        note="",
                        by=rosa,
                    )
                    holding.set()
                    release.wait(30)
            finally:
                connection.close()

        def post():
            try:
                url = reverse("claims:evidence_add", args=[claim.pk])
                response = client.post(url, evidence_data(source))
                answer["status"], answer["html"] = response.status_code, response.content.decode()
            finally:
                connection.close()

        first = threading.Thread(target=add_and_hold)
        first.start()
        assert holding.wait(30)
        second = threading.Thread(target=post)
        second.start()
        second.join(1)
        assert second.is_alive(), "the second add waits on the claim's lock"
        release.set()
        first.join(30)
        second.join(30)
        assert answer["status"] == 400
        assert "is already contradicting evidence for this claim" in answer["html"]
        assert Evidence.objects.filter(claim=claim).count() == 1


class TestParametersThatAreNotWhatTheFormSends:
    @pytest.mark.parametrize("step", ["start_review", "assign"])
    def test_a_reviewer_that_is_not_a_number_is_a_message(self, step, login, researcher, reviewer):
        claim = submitted_claim(researcher)
        url = reverse("claims:step", args=[claim.pk, step])
        response = login(reviewer).post(url, {"seen_version": claim.version, "reviewer": "abc"})
        assert response.status_code == 400
        assert "Choose a reviewer from the list." in response.content.decode()
        claim.refresh_from_db()
        assert (claim.status, claim.version) == ("submitted", 2)

    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("submit", {"seen_version": "abc"}),
            ("submit", {}),
            ("return_to_researcher", {"seen_version": "1e3", "note": "x"}),
        ],
    )
    def test_a_version_that_is_not_a_number_is_a_message(self, name, data, login, reviewer):
        claim = ClaimFactory()
        url = reverse("claims:step", args=[claim.pk, name])
        response = login(reviewer).post(url, data)
        assert response.status_code == 400
        assert "The form was incomplete; reload the page and try again." in (
            response.content.decode()
        )

    def test_a_verdict_that_is_not_on_the_scale_is_a_message(self, login, researcher, reviewer):
        claim = submitted_claim(researcher)
        actions.start_review(claim, by=reviewer)
        url = reverse("claims:publish", args=[claim.pk])
        data = {"rating": "abc", "rationale": "Why.", "as_of": "20 Oct", "seen_version": "x"}
        response = login(reviewer).post(url, data)
        assert response.status_code == 400
        assert "The verdict is incomplete." in response.content.decode()

    def test_an_unknown_step_is_not_found(self, login, reviewer):
        url = reverse("claims:step", args=[ClaimFactory().pk, "delete-everything"])
        assert login(reviewer).post(url, {"seen_version": 1}).status_code == 404

    @pytest.mark.parametrize("name", ["claims:mention_delete", "claims:evidence_delete"])
    def test_a_removal_without_a_version_is_a_message(self, name, login, researcher):
        from tests.factories.claims import MentionFactory
        from tests.factories.sources import EvidenceFactory

        row = MentionFactory() if "mention" in name else EvidenceFactory()
        response = login(researcher).post(reverse(name, args=[row.pk]), {"seen_version": "x"})
        assert response.status_code == 400
        assert type(row).objects.filter(pk=row.pk).exists()
