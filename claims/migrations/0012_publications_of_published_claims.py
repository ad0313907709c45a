"""A Publication for every claim published before publications were kept.

The public page and the feed read publications only, so each published claim gets its first one,
copied from the claim, its mentions and its evidence as they are now (they cannot have changed
since publishing: a published claim is frozen). Written out here rather than imported from
claims.actions, so the migration keeps working whatever the actions become.
"""

from django.db import migrations


def _iso(day):
    return day.isoformat() if day else ""


def publish_the_published(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    Mention = apps.get_model("claims", "Mention")
    Evidence = apps.get_model("claims", "Evidence")
    Publication = apps.get_model("claims", "Publication")
    published = (
        Claim.objects.filter(status="published", publications__isnull=True)
        .select_related("claimant")
        .order_by("pk")
    )
    for claim in published.iterator(chunk_size=500):
        mentions = Mention.objects.filter(claim=claim).select_related("article__outlet")
        appearances = {}
        for mention in sorted(mentions, key=lambda m: (m.article.published_on is None, m.pk)):
            article = mention.article
            appearances.setdefault(
                article.pk,
                {
                    "quote": mention.quote,
                    "headline": article.title,
                    "url": article.url,
                    "publisher": article.outlet.name if article.outlet else "",
                    "published_on": _iso(article.published_on),
                },
            )
        evidence = (
            Evidence.objects.filter(claim=claim)
            .select_related("source__outlet")
            .order_by("source__published_on", "pk")
        )
        published_at = claim.published_at or claim.updated_at
        as_of = claim.verdict_as_of or published_at.date()
        claimant = claim.claimant
        Publication.objects.create(
            claim=claim,
            number=1,
            current=True,
            published_at=published_at,
            published_by_id=claim.reviewer_id,
            first_published_on=as_of,
            rating_id=claim.rating_id,
            rationale=claim.rationale,
            verdict_as_of=as_of,
            claim_text=claim.text,
            claimant=claimant.name if claimant else "",
            claimant_is_person=claimant is None or claimant.kind == "person",
            claimant_description=claimant.description if claimant else "",
            claimed_on=claim.claimed_on,
            appearances=list(appearances.values()),
            evidence=[
                {
                    "title": item.source.title,
                    "url": item.source.url,
                    "outlet": item.source.outlet.name if item.source.outlet else "",
                    "published_on": _iso(item.source.published_on),
                    "stance": item.stance,
                    "excerpt": item.excerpt,
                }
                for item in evidence
            ],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_publications"),
        ("articles", "0006_list_index"),
        ("sources", "0007_history_reasons_kept_whole"),
    ]

    operations = [
        # Going back, the publications table goes with 0011; nothing to undo here.
        migrations.RunPython(publish_the_published, migrations.RunPython.noop),
    ]
