"""Merging duplicate claims: what moves to the survivor, what is refused, and where the other
claim's pages and rows go afterwards."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import actions
from claims.history import claim_history
from claims.models import Claim, Comment, Evidence, Mention, Publication, Tag
from lib.versioning import StaleEdit
from tests.conftest import make_user
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, MentionFactory, publish
from tests.factories.sources import EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(researcher):
    """Two claims tagged separately: one to keep, one that says the same in other words."""
    survivor = ClaimFactory(
        text="Unemployment fell to 4 per cent last year.", created_by=researcher
    )
    duplicate = ClaimFactory(
        text="Joblessness dropped to four percent in 2023.", created_by=researcher
    )
    return survivor, duplicate


def merge(survivor, duplicate, by, reason="The same statement, tagged twice."):
    return actions.merge_claims(
        survivor,
        duplicate,
        by=by,
        reason=reason,
        seen_versions=(survivor.version, duplicate.version),
    )


class TestWhatMoves:
    def test_the_survivor_takes_the_mentions_evidence_comments_and_tags(
        self, pair, reviewer, researcher
    ):
        survivor, duplicate = pair
        MentionFactory(claim=survivor)
        moved_mentions = [MentionFactory(claim=duplicate) for _ in range(2)]
        moved_evidence = EvidenceFactory(claim=duplicate)
        actions.add_comment(duplicate, body="Same as the other one?", by=researcher)
        duplicate.tags.add(Tag.objects.create(name="economy"))

        plan = merge(survivor, duplicate, reviewer)

        assert set(survivor.mentions.all()) >= set(moved_mentions)
        assert survivor.mentions.count() == 3
        assert list(survivor.evidence.all()) == [moved_evidence]
        assert [c.body for c in Comment.objects.filter(claim=survivor)] == [
            "Same as the other one?"
        ]
        assert [tag.name for tag in survivor.tags.all()] == ["economy"]
        assert not duplicate.mentions.exists() and not duplicate.evidence.exists()
        assert plan.summary().startswith("2 mentions moved; 1 evidence item moved")

    def test_counters_and_search_are_recomputed_on_both(self, pair, reviewer):
        survivor, duplicate = pair
        MentionFactory(claim=duplicate)
        EvidenceFactory(claim=duplicate, stance="contradicts")
        merge(survivor, duplicate, reviewer)
        survivor.refresh_from_db()
        duplicate.refresh_from_db()
        assert (survivor.mention_count, survivor.evidence_count, survivor.contradicts_count) == (
            1,
            1,
            1,
        )
        assert (duplicate.mention_count, duplicate.evidence_count) == (0, 0)
        assert duplicate.search_document == ""
        # The duplicate's mention quotes are searched on the survivor now.
        assert Mention.objects.get().quote in survivor.search_document

    def test_a_source_cited_by_both_keeps_the_item_with_more_written(self, pair, reviewer):
        survivor, duplicate = pair
        source, other = SourceFactory(), SourceFactory()
        fuller_here = EvidenceFactory(claim=survivor, source=source, excerpt="A long passage.")
        EvidenceFactory(claim=duplicate, source=source, excerpt="Short.")
        EvidenceFactory(claim=survivor, source=other, excerpt="Short.")
        fuller_there = EvidenceFactory(
            claim=duplicate, source=other, excerpt="Short.", note="And a note on why it matters."
        )

        plan = merge(survivor, duplicate, reviewer)

        assert set(survivor.evidence.all()) == {fuller_here, fuller_there}
        assert Evidence.objects.count() == 2
        assert [kept.pk for _, kept in plan.evidence_kept] == [fuller_here.pk]
        assert [kept.pk for _, kept in plan.evidence_replaced] == [fuller_there.pk]
        reasons = set(
            Evidence.history.filter(history_type="-").values_list(
                "history_change_reason", flat=True
            )
        )
        assert reasons == {
            f"Merge of #{duplicate.pk} into #{survivor.pk}: dropped, #{survivor.pk} already "
            f"cites {source} this way with as much or more written",
            f"Merge of #{duplicate.pk} into #{survivor.pk}: replaced by #{duplicate.pk}'s item "
            f"citing {other}, which has more written",
        }

    def test_a_source_cited_with_another_stance_is_kept_both_ways(self, pair, reviewer):
        survivor, duplicate = pair
        source = SourceFactory()
        EvidenceFactory(claim=survivor, source=source, stance="supports")
        EvidenceFactory(claim=duplicate, source=source, stance="contradicts")
        merge(survivor, duplicate, reviewer)
        assert sorted(survivor.evidence.values_list("stance", flat=True)) == [
            "contradicts",
            "supports",
        ]

    def test_a_mention_of_a_passage_the_survivor_already_marks_is_dropped(self, pair, reviewer):
        survivor, duplicate = pair
        article = ArticleFactory()
        kept = MentionFactory(claim=survivor, article=article)
        MentionFactory(claim=duplicate, article=article)
        plan = merge(survivor, duplicate, reviewer)
        assert list(Mention.objects.all()) == [kept]
        assert len(plan.mentions_already_there) == 1

    def test_both_histories_say_who_merged_when_and_why(self, pair, reviewer):
        survivor, duplicate = pair
        EvidenceFactory(claim=duplicate)
        merge(survivor, duplicate, reviewer, reason="Same figure, same speaker.")
        survivor_entries = [(e.who, e.what) for e in claim_history(survivor)]
        assert (
            "victor",
            f"Absorbed #{duplicate.pk}: Same figure, same speaker. (0 mentions moved; "
            "1 evidence item moved)",
        ) in survivor_entries
        assert ("victor", f"Merge of #{duplicate.pk} into #{survivor.pk}: moved here") in (
            survivor_entries
        )
        # The duplicate's own trail is referenced from the survivor's, marked with its number.
        assert any(
            what == f"on #{duplicate.pk}, since merged here: created the claim"
            for _, what in survivor_entries
        )
        record = duplicate.history.latest()
        assert (
            record.history_change_reason
            == f"Merged into #{survivor.pk}: Same figure, same speaker."
        )
        assert record.history_user == reviewer
        duplicate.refresh_from_db()
        assert duplicate.merged_into == survivor and duplicate.merged_at is not None

    def test_claims_merged_into_the_duplicate_earlier_lead_to_the_survivor(self, pair, reviewer):
        survivor, duplicate = pair
        earlier = ClaimFactory()
        merge(duplicate, earlier, reviewer)
        duplicate.refresh_from_db()
        plan = merge(survivor, duplicate, reviewer)
        earlier.refresh_from_db()
        assert earlier.merged_into == survivor
        assert plan.earlier_merges == [earlier.pk]

    def test_an_administrator_may_merge(self, pair):
        survivor, duplicate = pair
        admin = make_user("ada", is_superuser=True)
        merge(survivor, duplicate, admin)
        assert Claim.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk


class TestRefusals:
    def assert_unchanged(self, *claims):
        for claim in claims:
            fresh = Claim.objects.get(pk=claim.pk)
            assert (fresh.version, fresh.merged_into_id) == (claim.version, claim.merged_into_id)

    def test_a_researcher_may_not_merge(self, pair, researcher):
        with pytest.raises(actions.NoRight, match="reviewers and administrators"):
            merge(*pair, researcher)
        self.assert_unchanged(*pair)

    def test_a_reason_is_required(self, pair, reviewer):
        with pytest.raises(actions.Invalid, match="reason is required"):
            merge(*pair, reviewer, reason="  ")
        self.assert_unchanged(*pair)

    def test_a_claim_is_not_merged_into_itself(self, pair, reviewer):
        claim = pair[0]
        with pytest.raises(actions.Invalid, match="cannot be merged into itself"):
            merge(claim, claim, reviewer)

    @pytest.mark.parametrize("which", ["survivor", "duplicate"])
    def test_a_published_claim_is_never_merged_silently(self, pair, reviewer, which):
        survivor, duplicate = pair
        published = publish(survivor if which == "survivor" else duplicate)
        if which == "survivor":
            survivor = published
        else:
            duplicate = published
        EvidenceFactory(claim=duplicate)
        with pytest.raises(actions.Refused, match=rf"#{published.pk} is a published.*reopen it"):
            merge(survivor, duplicate, reviewer)
        self.assert_unchanged(survivor, duplicate)
        assert Evidence.objects.get().claim_id == duplicate.pk

    def test_a_reopened_claim_may_be_merged_and_its_public_page_leads_on(self, pair, reviewer):
        survivor, duplicate = map(publish, pair)
        for claim in (survivor, duplicate):
            actions.reopen(claim, by=reviewer, note="Duplicate found.")
            claim.refresh_from_db()
        merge(survivor, duplicate, reviewer)
        assert Claim.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk
        # Never deleted: the record of what was published stays.
        assert Publication.objects.filter(claim=duplicate).exists()

    def test_a_once_published_claim_is_not_merged_into_one_never_published(self, pair, reviewer):
        survivor, duplicate = pair
        duplicate = publish(duplicate)
        actions.reopen(duplicate, by=reviewer, note="Duplicate found.")
        duplicate.refresh_from_db()
        with pytest.raises(actions.Refused, match="public page would be lost"):
            merge(survivor, duplicate, reviewer)

    def test_a_stale_version_is_refused(self, pair, reviewer, researcher):
        survivor, duplicate = pair
        seen = (survivor.version, duplicate.version)
        actions.edit_claim(
            survivor,
            text="Reworded.",
            claimant_name="",
            claimed_on=None,
            by=researcher,
            seen_version=survivor.version,
        )
        with pytest.raises(StaleEdit):
            actions.merge_claims(
                survivor, duplicate, by=reviewer, reason="Same.", seen_versions=seen
            )
        assert not Claim.objects.filter(merged_into__isnull=False).exists()

    def test_a_claim_is_not_merged_into_a_merged_claim(self, pair, reviewer):
        survivor, duplicate = pair
        third = ClaimFactory()
        merge(survivor, duplicate, reviewer)
        duplicate.refresh_from_db()
        with pytest.raises(actions.Refused, match=rf"already merged into claim #{survivor.pk}"):
            merge(duplicate, third, reviewer)
        with pytest.raises(actions.Refused, match=rf"already merged into claim #{survivor.pk}"):
            merge(third, duplicate, reviewer)
        self.assert_unchanged(third)

    def test_a_merged_claim_takes_no_more_changes(self, pair, reviewer, researcher):
        survivor, duplicate = pair
        merge(survivor, duplicate, reviewer)
        with pytest.raises(actions.Refused, match=rf"merged into claim #{survivor.pk}"):
            actions.add_evidence(
                duplicate,
                source=SourceFactory(),
                stance="supports",
                excerpt="",
                note="",
                by=researcher,
            )
        with pytest.raises(actions.Refused, match=rf"merged into claim #{survivor.pk}"):
            actions.submit_for_review(duplicate, by=researcher)

    def test_a_survivor_is_not_deleted_while_claims_lead_to_it(self, pair, reviewer):
        survivor, duplicate = pair
        merge(survivor, duplicate, reviewer)
        admin = make_user("ada", is_superuser=True)
        with pytest.raises(actions.Refused, match="merged into this one"):
            actions.delete_claim(survivor, by=admin)


class TestFourEyes:
    def test_who_wrote_the_duplicate_wrote_part_of_the_survivor(self, pair, reviewer):
        survivor, duplicate = pair
        writer = make_user("wanda", "Reviewer")
        actions.add_evidence(
            duplicate, source=SourceFactory(), stance="supports", excerpt="", note="", by=writer
        )
        merge(survivor, duplicate, reviewer)
        assert "added some of its evidence" in actions.contributions(survivor)[writer.pk]

    def test_merging_is_not_writing(self, pair, reviewer):
        survivor, duplicate = pair
        MentionFactory(claim=duplicate)
        EvidenceFactory(claim=duplicate)
        merge(survivor, duplicate, reviewer)
        assert reviewer.pk not in actions.contributions(survivor)


class TestPages:
    def start(self, client, duplicate, survivor, reason="Same claim."):
        return client.post(
            reverse("claims:merge", args=[duplicate.pk]),
            {"survivor": survivor.pk, "reason": reason, "seen_version": duplicate.version},
        )

    def test_the_workspace_offers_merging_to_reviewers_only(
        self, pair, login, reviewer, researcher
    ):
        url = reverse("claims:detail", args=[pair[1].pk])
        link = reverse("claims:merge", args=[pair[1].pk])
        assert link in login(reviewer).get(url).content.decode()
        assert link not in login(researcher).get(url).content.decode()

    def test_the_confirmation_shows_what_will_move_and_merges_nothing(self, pair, login, reviewer):
        survivor, duplicate = pair
        MentionFactory(claim=duplicate)
        EvidenceFactory(claim=duplicate)
        response = self.start(login(reviewer), duplicate, survivor)
        page = response.content.decode()
        assert response.status_code == 200
        assert f"Merge #{duplicate.pk} into #{survivor.pk}?" in page
        assert "1 mention</li>" in page and "1 evidence item</li>" in page
        assert f'name="survivor_version" value="{survivor.version}"' in page
        assert not Claim.objects.filter(merged_into__isnull=False).exists()

    def test_confirming_merges_and_goes_to_the_survivor(self, pair, login, reviewer):
        survivor, duplicate = pair
        client = login(reviewer)
        response = client.post(
            reverse("claims:merge", args=[duplicate.pk]),
            {
                "survivor": survivor.pk,
                "reason": "Same claim.",
                "seen_version": duplicate.version,
                "survivor_version": survivor.version,
                "confirm": "1",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == survivor.get_absolute_url()
        assert Claim.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk
        page = client.get(response["Location"]).content.decode()
        assert f"Claim #{duplicate.pk} merged into this one" in page

    def test_a_missing_reason_keeps_what_was_typed(self, pair, login, reviewer):
        survivor, duplicate = pair
        response = self.start(login(reviewer), duplicate, survivor, reason="")
        assert response.status_code == 400
        assert f'value="{survivor.pk}"' in response.content.decode()

    def test_an_unknown_or_refused_survivor_is_said_on_the_form(self, pair, login, reviewer):
        survivor, duplicate = pair
        client = login(reviewer)
        missing = Claim(pk=999_999)
        response = self.start(client, duplicate, missing)
        assert response.status_code == 400
        assert "There is no claim #999999." in response.content.decode()
        response = self.start(client, duplicate, duplicate)
        assert "cannot be merged into itself" in response.content.decode()

    def test_a_published_claim_says_to_reopen_it_first(self, pair, login, reviewer):
        duplicate = publish(pair[1])
        page = login(reviewer).get(reverse("claims:merge", args=[duplicate.pk])).content.decode()
        assert "reopen it first" in page
        assert "See what would move" not in page

    def test_a_stale_confirmation_is_refused_with_the_form(self, pair, login, reviewer, researcher):
        survivor, duplicate = pair
        actions.add_comment(duplicate, body="x", by=researcher)  # changes no version
        actions.edit_claim(
            duplicate,
            text="Reworded.",
            claimant_name="",
            claimed_on=None,
            by=researcher,
            seen_version=duplicate.version,
        )
        response = login(reviewer).post(
            reverse("claims:merge", args=[duplicate.pk]),
            {
                "survivor": survivor.pk,
                "reason": "Same claim.",
                "seen_version": duplicate.version,
                "survivor_version": survivor.version,
                "confirm": "1",
            },
        )
        assert response.status_code == 400
        assert "Someone else changed this" in response.content.decode()
        assert not Claim.objects.filter(merged_into__isnull=False).exists()

    def test_the_confirmation_costs_the_same_for_one_row_as_for_many(self, pair, login, reviewer):
        survivor, duplicate = pair
        client = login(reviewer)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert self.start(client, duplicate, survivor).status_code == 200
            return len(captured)

        MentionFactory(claim=duplicate)
        EvidenceFactory(claim=duplicate)
        few = queries()
        for _ in range(5):
            MentionFactory(claim=duplicate, article=ArticleFactory())
            EvidenceFactory(claim=duplicate)
            EvidenceFactory(claim=survivor)
        duplicate.tags.add(Tag.objects.create(name="a"), Tag.objects.create(name="b"))
        assert queries() == few

    def test_the_form_costs_the_same_whatever_the_claim_holds(self, pair, login, reviewer):
        _, duplicate = pair
        client = login(reviewer)
        url = reverse("claims:merge", args=[duplicate.pk])

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            return len(captured)

        few = queries()
        for _ in range(5):
            EvidenceFactory(claim=duplicate)
        assert queries() == few


class TestAfterTheMerge:
    @pytest.fixture
    def merged(self, pair, reviewer):
        survivor, duplicate = pair
        MentionFactory(claim=duplicate)
        merge(survivor, duplicate, reviewer)
        duplicate.refresh_from_db()
        return survivor, duplicate

    @pytest.mark.parametrize(
        "page", ["claims:detail", "claims:history", "claims:edit", "claims:merge"]
    )
    def test_the_merged_claims_pages_lead_to_the_survivor_with_a_note(
        self, merged, page, login, reviewer
    ):
        survivor, duplicate = merged
        client = login(reviewer)
        response = client.get(reverse(page, args=[duplicate.pk]))
        assert response.status_code == 302
        expected = "claims:history" if page == "claims:history" else "claims:detail"
        assert response["Location"] == reverse(expected, args=[survivor.pk])
        note = client.get(response["Location"]).content.decode()
        assert f"Claim #{duplicate.pk} (“{duplicate.text}”) was merged into this one" in note

    def test_the_public_page_of_a_merged_claim_moves_for_good(self, pair, reviewer):
        survivor, duplicate = map(publish, pair)
        for claim in (survivor, duplicate):
            actions.reopen(claim, by=reviewer, note="Duplicate found.")
            claim.refresh_from_db()
        from django.test import Client

        anonymous = Client()
        before = anonymous.get(reverse("public_claim", args=[duplicate.pk]))
        index_before = anonymous.get(reverse("public_index"))
        merge(survivor, duplicate, reviewer)
        response = anonymous.get(
            reverse("public_claim", args=[duplicate.pk]), headers={"if-none-match": before["ETag"]}
        )
        assert response.status_code == 301
        assert response["Location"] == reverse("public_claim", args=[survivor.pk])
        # The index and the feed drop it, and a reader's copy of the index is not current.
        index = anonymous.get(
            reverse("public_index"), headers={"if-none-match": index_before["ETag"]}
        )
        assert index.status_code == 200
        assert duplicate.text not in index.content.decode()
        assert survivor.text in index.content.decode()
        feed = anonymous.get(reverse("claimreview_feed")).json()
        assert [item["claimReviewed"] for item in feed["dataFeedElement"]] == [survivor.text]

    def test_it_leaves_the_list_the_queue_search_and_the_counts(
        self, pair, login, reviewer, researcher
    ):
        survivor, duplicate = pair
        actions.submit_for_review(duplicate, by=researcher)
        duplicate.refresh_from_db()
        merge(survivor, duplicate, reviewer)
        client = login(reviewer)
        detail = reverse("claims:detail", args=[duplicate.pk])
        for url in (
            reverse("claims:list"),
            reverse("claims:queue"),
            reverse("search") + "?q=Joblessness",
            reverse("claims:choices") + "?existing_claim=Joblessness",
        ):
            assert detail not in client.get(url).content.decode(), url
        assert (
            reverse("claims:detail", args=[survivor.pk])
            in client.get(reverse("claims:list")).content.decode()
        )
        assert detail not in login(researcher).get(reverse("claims:mine")).content.decode()
        dashboard = client.get(reverse("home"))
        assert dict(dashboard.context["statuses"])["Submitted"] == 0
        assert dict(dashboard.context["statuses"])["Draft"] == 1


class TestLinksToFactChecksElsewhere:
    def test_they_move_to_the_survivor_once_each(self, pair, reviewer, researcher, source_admin):
        from sources import actions as register
        from sources.models import ExternalFactCheck

        register.import_fact_check_file(
            json.dumps(
                [
                    {
                        "@context": "https://schema.org",
                        "@type": "ClaimReview",
                        "url": f"https://checker.example/checks/{n}",
                        "claimReviewed": f"Unemployment claim number {n}",
                        "reviewRating": {"@type": "Rating", "alternateName": "False"},
                        "author": {"@type": "Organization", "name": "Example Checker"},
                    }
                    for n in (1, 2)
                ]
            ),
            by=source_admin,
        )
        first, second = ExternalFactCheck.objects.order_by("pk")
        survivor, duplicate = pair
        actions.link_external_check(survivor, first, by=researcher)
        actions.link_external_check(duplicate, first, by=researcher)
        actions.link_external_check(duplicate, second, by=researcher)
        survivor.refresh_from_db()
        duplicate.refresh_from_db()

        merge(survivor, duplicate, reviewer)

        linked = survivor.external_check_links.values_list("external_check", flat=True)
        assert sorted(linked) == [first.pk, second.pk]
        assert not duplicate.external_check_links.exists()
