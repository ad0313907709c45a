# Run by bench/run.py through `manage.py shell -c`: prints name=value lines for the benchmark.
# Everything here goes through the actions, as the desk's own writes do, and is made once per
# database: a second run finds it and only tops the pools up.
import datetime
import json
import os

from django.contrib.auth.models import Group, User

from articles.models import Article
from claims import actions
from claims.models import Claim, ClaimStatus, Rating
from lib import keyset
from sources.models import Source

PASSWORD = os.environ["BENCH_PASSWORD"]
EVIDENCE_POOL = int(os.environ.get("BENCH_EVIDENCE_POOL", "100"))
PUBLISH_POOL = int(os.environ.get("BENCH_PUBLISH_POOL", "400"))


def bench_user(username: str, role: str, *, staff: bool = False) -> User:
    """A plain member of one role: no superuser shortcut past the permission checks."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username, password=PASSWORD)
    user.is_staff, user.is_superuser = staff, False
    user.set_password(PASSWORD)
    user.save()
    user.groups.set(Group.objects.filter(name=role))
    return User.objects.get(pk=user.pk)  # fresh: rights are cached on the instance


researcher = bench_user("bench-researcher", "Researcher")
reviewer = bench_user("bench-reviewer", "Reviewer")
# The stock admin lets in staff only: a researcher who is staff, with a researcher's rights.
staff = bench_user("bench-staff", "Researcher", staff=True)
print(f"researcher={researcher.username}")
print(f"reviewer={reviewer.username}")
print(f"staff={staff.username}")
sources = list(Source.objects.order_by("pk").values_list("pk", flat=True)[:50])

claim = Claim.objects.filter(text="Benchmark claim with 50 evidence items.").first()
if claim is None:
    claim = actions.create_claim(text="Benchmark claim with 50 evidence items.", by=researcher)
    for source in Source.objects.filter(pk__in=sources):
        actions.add_evidence(
            claim, source=source, stance="contradicts", excerpt="x" * 200, note="", by=researcher
        )
print(f"claim50={claim.pk}")
print(f"demo_article={Article.objects.get(title__startswith='Zelensky Confirms').pk}")

# The deepest page the issue names, or the last one when there are fewer claims.
PAGE_SIZE = 50
newest = Claim.objects.order_by("-created_at", "-pk")
total = Claim.objects.count()
deep_page = min(40_000, total // PAGE_SIZE)
print(f"deep_page={deep_page}")
deep_row = newest[(deep_page - 1) * PAGE_SIZE - 1]
print(f"deep_cursor={keyset.make_cursor('created_at', deep_row, 'next')}")
print("rare=zyx00042")
print("medium=ceasefire OR harvest")
print("common=minister")

# The newsroom mix. Drafts the researcher writes, for evidence to be added to.
drafts = list(
    Claim.objects.filter(created_by=researcher, status=ClaimStatus.DRAFT)
    .filter(text__startswith="Benchmark draft claim")
    .order_by("pk")
    .values_list("pk", flat=True)
)
for number in range(len(drafts), EVIDENCE_POOL):
    text = f"Benchmark draft claim {number}: the harbour handled record tonnage last year."
    drafts.append(actions.create_claim(text=text, by=researcher).pk)

# Claims in review, assigned to the reviewer, with evidence the researcher added: each can have
# its verdict published once, by the reviewer, under the four-eyes rule.
to_publish = list(
    Claim.objects.filter(status=ClaimStatus.IN_REVIEW, reviewer=reviewer)
    .filter(text__startswith="Benchmark claim to publish")
    .order_by("pk")
    .values_list("pk", "version")
)
first_source = Source.objects.get(pk=sources[0])
for number in range(len(to_publish), PUBLISH_POOL):
    text = f"Benchmark claim to publish {number}: unemployment fell for the sixth month."
    made = actions.create_claim(text=text, by=researcher)
    actions.add_evidence(
        made, source=first_source, stance="supports", excerpt="", note="", by=researcher
    )
    actions.submit_for_review(made, by=researcher)
    made = actions.start_review(made, by=reviewer)
    to_publish.append((made.pk, made.version))

# Passages to tag: the opening words of articles, found exactly once in their text.
passages = []
for article in Article.objects.order_by("pk").only("text")[:200]:
    opening = " ".join(article.text[:120].split(" ")[:-1]).strip()
    if len(opening) > 20 and "\n" not in opening and article.text.count(opening) == 1:
        passages.append([article.pk, opening])
    if len(passages) == 20:
        break

# Claims, articles and list pages to read: spread over the whole table, not its newest end.
spread = max(1, total // 500)
readable_claims = list(newest.values_list("pk", flat=True)[::spread][:500])
articles = Article.objects.order_by("pk")
article_total = articles.count()
readable_articles = list(
    articles.values_list("pk", flat=True)[:: max(1, article_total // 200)][:200]
)
cursors = []
for page in (2, 3, 5, 10, 50, 200, 1000, 5000, 20000):
    if page <= total // PAGE_SIZE:
        row = newest[(page - 1) * PAGE_SIZE - 1]
        cursors.append(keyset.make_cursor("created_at", row, "next"))

room = {
    "claims": readable_claims,
    "articles": readable_articles,
    "search_words": ["minister", "harvest", "ceasefire", "budget", "election", "zyx00042"],
    "list_cursors": cursors,
    "evidence_claims": drafts,
    "sources": sources,
    "tag_passages": passages,
    "publish": to_publish,
    "rating": Rating.objects.order_by("pk").values_list("pk", flat=True).first(),
    "today": datetime.date.today().isoformat(),  # noqa: DTZ011 - a verdict's day, as the desk types it
}
print("room=" + json.dumps(room))
