"""Exports of the claims list: CSV and JSON, the list's filters and order, streamed."""

import csv
import io
import json

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, Rating
from tests.factories.claims import ClaimantFactory, ClaimFactory, publish
from tests.factories.sources import EvidenceFactory

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "json"]


def body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def exported(client, fmt: str, **query) -> list[dict]:
    """The rows of an export, parsed back as a spreadsheet or a program would read them."""
    response = client.get(reverse(f"claims:export_{fmt}"), query)
    assert response.status_code == 200, response
    text = body(response)
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return json.loads(text)


@pytest.mark.parametrize("fmt", FORMATS)
class TestFormats:
    def test_every_unmerged_claim_comes_back_with_its_columns(self, fmt, login, researcher):
        ada = ClaimantFactory(name="Ada Byron")
        claim = ClaimFactory(text="Prices rose.", claimant=ada, claimed_on="2024-05-01")
        EvidenceFactory(claim=claim, stance="contradicts")
        survivor = ClaimFactory(text="Survivor.")
        merged = ClaimFactory(text="Merged away.")
        Claim.objects.filter(pk=merged.pk).update(merged_into=survivor, merged_at=timezone.now())
        rows = exported(login(researcher), fmt)
        assert [row["text"] for row in rows] == ["Survivor.", "Prices rose."]  # newest first
        row = rows[1]
        assert str(row["id"]) == str(claim.pk)
        assert row["claimant"] == "Ada Byron"
        assert row["claimed_on"] == "2024-05-01"
        assert row["status"] == "draft"
        assert str(row["evidence_count"]) == str(row["contradicts_count"]) == "1"
        assert str(row["supports_count"]) == "0"
        assert row["public_url"] in ("", None)
        assert row["created_at"] and row["updated_at"]

    def test_status_and_verdict_filters_apply(self, fmt, login, researcher, reviewer):
        ClaimFactory(text="A draft.")
        published = publish(ClaimFactory(text="Rated false."), rating="False")
        ClaimFactory(
            text="Rated true, in review.",
            status="in_review",
            rating=Rating.objects.get(label="True"),
            reviewer=reviewer,
        )
        client = login(researcher)
        rows = exported(client, fmt, status="published")
        assert [row["text"] for row in rows] == ["Rated false."]
        assert rows[0]["verdict"] == "False"
        assert rows[0]["verdict_as_of"] == "2024-10-20"
        assert rows[0]["public_url"] == f"http://testserver/public/claims/{published.pk}/"
        false = Rating.objects.get(label="False")
        assert [row["text"] for row in exported(client, fmt, rating=false.pk)] == ["Rated false."]

    def test_the_lists_sort_applies(self, fmt, login, researcher):
        for text in ("First.", "Second.", "Third."):
            ClaimFactory(text=text)
        rows = exported(login(researcher), fmt, sort="oldest")
        assert [row["text"] for row in rows] == ["First.", "Second.", "Third."]

    def test_a_dated_attachment_streamed(self, fmt, login, researcher):
        ClaimFactory()
        response = login(researcher).get(reverse(f"claims:export_{fmt}"))
        assert response.streaming
        assert isinstance(response, StreamingHttpResponse)
        today = timezone.localdate().isoformat()
        assert response["Content-Disposition"] == f'attachment; filename="claims-{today}.{fmt}"'
        assert response["Content-Type"].startswith(
            "text/csv" if fmt == "csv" else "application/json"
        )

    def test_an_invalid_filter_is_a_400_saying_why(self, fmt, login, researcher):
        response = login(researcher).get(
            reverse(f"claims:export_{fmt}"), {"status": "nonsense", "claimed_from": "31/31/2024"}
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert "status" in text and "claimed_from" in text
        assert "Select a valid choice" in text

    def test_the_query_count_does_not_grow_with_the_rows(self, fmt, login, researcher):
        client = login(researcher)
        client.get(reverse("claims:list"))  # the session and permissions, read once

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                body(client.get(reverse(f"claims:export_{fmt}"), {"status": "draft"}))
            return len(captured)

        ClaimFactory()
        one = queries()
        ClaimFactory.create_batch(49)
        assert len(exported(client, fmt, status="draft")) == 50
        assert queries() == one

    def test_no_claims_is_a_header_or_an_empty_array(self, fmt, login, researcher):
        assert exported(login(researcher), fmt) == []


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_out(login, researcher):
    claimant = ClaimantFactory(name="=cmd|' /C calc'!A0")
    for text in ('=HYPERLINK("http://evil.example")', "+1+1", "-2", "@SUM(A1)", "Plain."):
        ClaimFactory(text=text, claimant=claimant)
    rows = exported(login(researcher), "csv", sort="oldest")
    assert [row["text"] for row in rows] == [
        '\'=HYPERLINK("http://evil.example")',
        "'+1+1",
        "'-2",
        "'@SUM(A1)",
        "Plain.",
    ]
    assert {row["claimant"] for row in rows} == {"'=cmd|' /C calc'!A0"}


def test_json_keeps_the_text_as_typed(login, researcher):
    ClaimFactory(text="=1+1 is not a formula in JSON.")
    assert exported(login(researcher), "json")[0]["text"] == "=1+1 is not a formula in JSON."


def test_the_list_links_to_the_exports_with_its_filters(login, researcher):
    ClaimFactory()
    page = login(researcher).get(reverse("claims:list"), {"status": "draft", "sort": "oldest"})
    content = page.content.decode()
    assert f'href="{reverse("claims:export_csv")}?status=draft&amp;sort=oldest"' in content
    assert f'href="{reverse("claims:export_json")}?status=draft&amp;sort=oldest"' in content


def test_the_list_links_drop_the_page_cursor(login, researcher):
    page = login(researcher).get(reverse("claims:list"), {"status": "draft", "cursor": "abc"})
    content = page.content.decode()
    assert "cursor" not in content.split('class="exports"')[1].split("</p>")[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_is_refused(fmt, login, researcher):
    assert login(researcher).post(reverse(f"claims:export_{fmt}")).status_code == 405
