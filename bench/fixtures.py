# Run by bench/run.py through `manage.py shell -c`: prints name=value lines for the benchmark.
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import Group, User

from articles.models import Article
from claims import actions
from claims.models import Claim
from lib import keyset
from sources.models import Source

user, _ = User.objects.get_or_create(username="bench", defaults={"is_staff": True})
user.is_staff = user.is_superuser = True
user.save()
user.groups.add(*Group.objects.filter(name__in=["Researcher", "Reviewer"]))
session = import_module(settings.SESSION_ENGINE).SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print(f"cookie={session.session_key}")

claim = Claim.objects.filter(text="Benchmark claim with 50 evidence items.").first()
if claim is None:
    user = User.objects.get(pk=user.pk)  # fresh: the rights were cached before the groups
    claim = actions.create_claim(text="Benchmark claim with 50 evidence items.", by=user)
    for source in Source.objects.order_by("pk")[:50]:
        actions.add_evidence(
            claim, source=source, stance="contradicts", excerpt="x" * 200, note="", by=user
        )
print(f"claim50={claim.pk}")
print(f"demo_article={Article.objects.get(title__startswith='Zelensky Confirms').pk}")

# The deepest page the issue names, or the last one when there are fewer claims.
PAGE_SIZE = 50
total = Claim.objects.count()
deep_page = min(40_000, total // PAGE_SIZE)
row = Claim.objects.order_by("-created_at", "-pk")[(deep_page - 1) * PAGE_SIZE - 1]
print(f"deep_page={deep_page}")
print(f"deep_cursor={keyset.make_cursor('created_at', row, 'next')}")
print("rare=zyx00042")
print("medium=ceasefire OR harvest")
print("common=minister")
