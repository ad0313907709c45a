"""Hostile input on every page, as every role: never a 5xx, and a refused request stores nothing.

Issue #12. The pages are found from the URL resolver; the names they read are found on the pages
themselves (their forms, links and type-aheads). Hypothesis then sends each page hostile query
strings, form bodies and uploads: empty, blank, 100,000 characters, NUL and other control
characters, invalid UTF-8, RTL and zero-width marks, markup, SQL, URLs, numbers out of range,
impossible dates and repeated values. After each request:

- the answer is below 500;
- a GET changed no row;
- a refusal (a 4xx, or a form drawn again with its errors) changed no row and no version (the
  sign-in throttle's record of a failed attempt aside);
- no POST stored text longer than its column allows (SQLite does not check; PostgreSQL fails).

Each example runs in a savepoint that is rolled back, so every example starts from the same rows.
The run says how many hostile requests it tried at the end of pytest's output.
"""

import html
import json
import traceback
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, quote_from_bytes, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection, models, transaction
from django.db.models import F
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from api import actions as api_actions
from articles.models import ArticleFetch
from claims import actions as claim_actions
from claims import webhooks
from claims.actions import STEPS
from claims.models import Claim, Notification, Rating, Tag
from sources import actions as register
from sources import tasks as source_tasks
from sources.fetching import Fetched, FetchError, checked_parts
from sources.models import ExternalFactCheck, FactCheckImport, SourceFetch, SourceSnapshot
from tests.conftest import PROJECT_ROOT, add_to_run_note, make_user
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, MentionFactory
from tests.factories.sources import EvidenceFactory, OutletFactory, SourceFactory

pytestmark = pytest.mark.django_db

ROLES = ("researcher", "reviewer", "source_admin", "superuser", "outsider", "anonymous")
# The stock admin has its own tests (test_admin.py); the benchmark's copy of it is never served.
SKIPPED_PREFIXES = ("admin/", "bench/", "static/")

# How many examples each page gets, fixed (derandomize) so every run sends the same requests:
# about 3,500 in all, the suite's largest share of time (116 s of about 730 s of test time in
# one PostgreSQL run on two cores). Each page's forms and every role are still drawn; more
# examples mostly repeat kinds of value already sent.
GET_EXAMPLES = 15
POST_EXAMPLES = 22
UPLOAD_EXAMPLES = 60
HOSTILE = settings(
    deadline=None,
    derandomize=True,
    database=None,
    # A failure names its exact request; shrinking it would only repeat slow requests.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        # The rows are built once per module; each example rolls back what it wrote.
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

TRIED: Counter = Counter()


# The pages, from the URL resolver.


@dataclass(frozen=True)
class Route:
    name: str  # "sources:detail"
    pattern: str  # "sources/<int:pk>/"
    converters: tuple[tuple[str, str], ...]  # (("pk", "IntConverter"),)

    def __str__(self) -> str:
        return self.name


def walk(patterns, prefix="", namespace="", converters=()):
    for entry in patterns:
        pattern = prefix + str(entry.pattern)
        if pattern.startswith(SKIPPED_PREFIXES):
            continue
        found = (*converters, *getattr(entry.pattern, "converters", {}).items())
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, pattern, inner, found)
        else:
            kinds = tuple((name, type(converter).__name__) for name, converter in found)
            yield Route(f"{namespace}{entry.name}", pattern, kinds)


ROUTES = sorted(walk(get_resolver().url_patterns), key=lambda route: route.pattern)

# Which fixture row each <int:pk> names. A new page with a pk fails
# test_every_page_with_a_pk_is_given_real_rows until it is added here.
PK_KINDS = {
    "articles:fetch": "article_fetch",
    "articles:edit": "article",
    "reader:article": "article",
    "reader:edit_text": "article",
    "reader:tag": "article",
    "reader:annotations": "article",
    "reader:annotations_import": "article",
    "claims:detail": "claim",
    "claims:edit": "claim",
    "claims:publish": "claim",
    "claims:history": "claim",
    "claims:annotations": "claim",
    "claims:evidence_add": "claim",
    "claims:evidence_sources": "claim",
    "claims:step": "claim",
    "claims:mention_adjust": "mention",
    "claims:mention_delete": "mention",
    "claims:mention_confirm": "mention",
    "claims:evidence_edit": "evidence",
    "claims:evidence_delete": "evidence",
    "claims:comment_add": "claim",
    "claims:notification_open": "notification",
    "claims:merge": "claim",
    "claims:external_check_link": "claim",
    "claims:external_check_unlink": "external_check_link",
    "sources:factcheck": "external_check",
    "sources:factcheck_import_status": "fact_check_import",
    "claims:webhook": "webhook",
    "claims:webhook_edit": "webhook",
    "claims:webhook_rotate": "webhook",
    "claims:webhook_deactivate": "webhook",
    "claims:webhook_delete": "webhook",
    "claims:webhook_ping": "webhook",
    "sources:detail": "source",
    "sources:edit": "source",
    "sources:fetch_request": "source",
    "sources:fetch": "source_fetch",
    "sources:snapshot": "snapshot",
    "sources:outlet": "outlet",
    "sources:outlet_edit": "outlet",
    "public_claim": "claim",
    "api_token_revoke": "api_token",
    # The API names its ids {id}; hostile bodies for it are schemathesis's (test_api_schemathesis).
    "api:get_claim": "claim",
    "api:submit": "claim",
    "api:return_to_researcher": "claim",
    "api:publish": "claim",
    "api:add_evidence": "claim",
    "api:get_article": "article",
    "api:tag_claim": "article",
    "api:get_import": "article_fetch",
}
# <int> admits no sign; 0 and a number past every integer column are the hostile ones left.
HOSTILE_PKS = (0, 99999999999999999999)
HOSTILE_SLUGS = ("publish", "nope", "_", "-" * 300, "0")


ROUTE_PARAMS = [pytest.param(route, id=route.name) for route in ROUTES]


# The rows every request meets: one of each kind, with pks fixed so that what the pages show
# (hidden pks, form actions) means the same rows in every test, on either database.

BASE_PK = 7_000_000


@dataclass(repr=False)
class World:
    users: dict
    pks: dict[str, list[int]]
    sessions: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return "World(the module's rows)"

    def client(self, role: str) -> Client:
        client = Client()
        if role in self.sessions:
            client.cookies[django_settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def no_name_resolved(url: str) -> str:
    """Webhook addresses are checked as written; no name is looked up (the internet is never
    touched), so every address that is well formed counts as public."""
    try:
        checked_parts(url)
    except FetchError as error:
        return str(error)
    return ""


def fake_fetch(url, **limits):
    """The internet is never touched: every fetch gets the same small page, naming the URL."""
    words = " ".join(["The minister said unemployment fell to four per cent last year."] * 8)
    page = (
        f'<html><head><title>Fetched page</title><link rel="canonical" href="{html.escape(url)}">'
        f"</head><body><article><h1>Fetched page</h1><p>{words}</p></article></body></html>"
    )
    return Fetched(url=url, content_type="text/html", body=page.encode(), text=page)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The rows, built once for the module in a transaction that is rolled back at its end."""
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(source_tasks, "fetch", fake_fetch)
            patch.setattr(webhooks, "destination_refusal", no_name_resolved)
            yield build_world()
        transaction.set_rollback(True)


def build_world() -> World:
    researcher = make_user("rosa", "Researcher")
    reviewer = make_user("victor", "Reviewer")
    source_admin = make_user("sami", "Source admin", is_staff=True)
    outsider = make_user("otto")
    superuser = make_user("ada", is_superuser=True, is_staff=True)
    now, today = timezone.now(), timezone.localdate()
    rating = Rating.objects.order_by("position").first()

    outlet = OutletFactory(pk=BASE_PK + 1, name="Paper", domain="paper.example")
    source = SourceFactory(pk=BASE_PK + 1, outlet=outlet, added_by=researcher)
    article = ArticleFactory(pk=BASE_PK + 1, outlet=outlet, added_by=researcher)
    claims = [
        ClaimFactory(pk=BASE_PK + 1, created_by=researcher),
        ClaimFactory(pk=BASE_PK + 2, created_by=researcher, status="submitted", submitted_at=now),
        ClaimFactory(
            pk=BASE_PK + 3,
            created_by=researcher,
            status="in_review",
            submitted_at=now,
            reviewer=reviewer,
        ),
        ClaimFactory(
            pk=BASE_PK + 4,
            created_by=researcher,
            status="published",
            rating=rating,
            reviewer=reviewer,
            rationale="Figures from the statistics office.",
            verdict_as_of=today,
            submitted_at=now,
            published_at=now,
        ),
    ]
    mentions = [
        MentionFactory(pk=BASE_PK + 1, claim=claims[0], article=article, created_by=researcher),
        MentionFactory(pk=BASE_PK + 2, claim=claims[3], article=article, start=4, length=8),
        MentionFactory(pk=BASE_PK + 3, claim=claims[2], article=article, start=9, orphaned=True),
    ]
    evidence = [
        EvidenceFactory(pk=BASE_PK + 1, claim=claims[0], source=source, added_by=researcher),
        EvidenceFactory(pk=BASE_PK + 2, claim=claims[3], source=source, stance="contradicts"),
    ]
    fetches = [
        SourceFetch.objects.create(pk=BASE_PK + 1, source=source, requested_by=researcher),
        SourceFetch.objects.create(
            pk=BASE_PK + 2, source=source, status="done", outcome="Filled in.", finished_at=now
        ),
    ]
    snapshot = SourceSnapshot.objects.create(
        pk=BASE_PK + 1, source=source, url=source.url, title="Report", text="Text", sha256="0" * 64
    )
    imports = [
        ArticleFetch.objects.create(pk=BASE_PK + 1, url="https://paper.example/a"),
        ArticleFetch.objects.create(
            pk=BASE_PK + 2, url=article.url, status="done", article=article, finished_at=now
        ),
        ArticleFetch.objects.create(
            pk=BASE_PK + 3, url="https://paper.example/b", status="failed", error="Gone."
        ),
    ]
    # One for each role that reads claims, and one for someone else: never theirs to open.
    notifications = [
        Notification.objects.create(
            pk=BASE_PK + n, recipient=user, claim=claims[1], kind="submitted", text="Submitted"
        )
        for n, user in enumerate([researcher, reviewer, source_admin, superuser], start=1)
    ]
    # A fact-check published elsewhere, a claim linked to it, and a background import of them.
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checker.example/checks/jobs",
        "claimReviewed": "Unemployment fell to four per cent last year.",
        "reviewRating": {"@type": "Rating", "alternateName": "Mostly false"},
        "author": {"@type": "Organization", "name": "Example Checker"},
    }
    register.import_fact_check_file(json.dumps(review), by=source_admin)
    external_check = ExternalFactCheck.objects.get()
    link = claim_actions.link_external_check(claims[0], external_check, by=researcher)
    fact_check_import = FactCheckImport.objects.create(
        pk=BASE_PK + 1, file_name="checks.json", requested_by=source_admin
    )
    # A webhook with a delivery in its log; registering checks the address (no name is looked up).
    webhook = claim_actions.register_webhook(
        url="https://hooks.example/claims", events=["claim.published"], by=superuser
    )
    claim_actions.ping_webhook(webhook, by=superuser)
    api_token, _ = api_actions.create_token(by=researcher, name="Scripts")
    users = {
        "researcher": researcher,
        "reviewer": reviewer,
        "source_admin": source_admin,
        "superuser": superuser,
        "outsider": outsider,
        "anonymous": None,
    }
    pks = {
        "outlet": [outlet.pk],
        "source": [source.pk],
        "article": [article.pk],
        "claim": [claim.pk for claim in claims],
        "mention": [mention.pk for mention in mentions],
        "evidence": [item.pk for item in evidence],
        "source_fetch": [fetch.pk for fetch in fetches],
        "snapshot": [snapshot.pk],
        "article_fetch": [fetch.pk for fetch in imports],
        "notification": [notification.pk for notification in notifications],
        "external_check": [external_check.pk],
        "external_check_link": [link.pk],
        "fact_check_import": [fact_check_import.pk],
        "webhook": [webhook.pk],
        "api_token": [api_token.pk],
    }
    built = World(users=users, pks=pks)
    for role, user in users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            built.sessions[role] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return built


# What each page reads: the names on its forms, links and type-aheads, found once per module.


@dataclass
class FormSeen:
    action: str
    multipart: bool
    fields: dict[str, list[str]]  # name -> the values the page offered
    files: list[str]


@dataclass(repr=False)
class Seen:
    forms: dict[str, list[FormSeen]] = field(default_factory=lambda: defaultdict(list))
    names: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )

    def __repr__(self) -> str:
        return "Seen(the forms and names on the pages)"


class PageParser(HTMLParser):
    """The forms, links and type-aheads of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self.typeaheads: list[tuple[str, str]] = []
        self._form = self._select = self._textarea = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name", "")
        if tag == "form":
            self._form = {
                "method": attributes.get("method", "get").lower(),
                "action": attributes.get("action", ""),
                "multipart": "multipart" in attributes.get("enctype", ""),
                "fields": defaultdict(list),
                "files": [],
            }
            self.forms.append(self._form)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if attributes.get("hx-get"):
            self.links.append(attributes["hx-get"])
            if name:
                self.typeaheads.append((attributes["hx-get"], name))
        if self._form is None or not name and tag != "option":
            return
        fields = self._form["fields"]
        if tag in ("input", "button"):
            kind = attributes.get("type", "text").lower()
            if kind == "file":
                self._form["files"].append(name)
            else:
                default = "on" if kind in ("checkbox", "radio") else ""
                fields[name].append(attributes.get("value", default))
        elif tag == "select":
            self._select = name
            fields[name]  # noqa: B018 (a select with no options is still a field)
        elif tag == "option" and self._select is not None:
            fields[self._select].append(attributes.get("value", ""))
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["fields"][self._textarea].append("".join(self._text))
            self._textarea = None


def view_of(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def concrete_paths(route: Route, world: World) -> list[str]:
    """The route's URL for each fixture row of its kind."""
    if not route.converters:
        return [reverse(route.name)]
    names = [name for name, _ in route.converters]
    if names not in (["pk"], ["id"]):
        return []  # claims:step: POST only, reached through the forms that name it
    pks = world.pks[PK_KINDS[route.name]]
    return [reverse(route.name, kwargs={names[0]: pk}) for pk in pks]


@pytest.fixture(scope="module")
def seen(world, django_db_blocker) -> Seen:
    """Every page, as an administrator and signed out, read once for what it offers."""
    found = Seen()
    with django_db_blocker.unblock(), transaction.atomic():
        for route in ROUTES:
            for path in concrete_paths(route, world):
                for role in ("superuser", "anonymous"):
                    response = world.client(role).get(path)
                    html_page = "html" in response.get("Content-Type", "")
                    if response.status_code == 200 and html_page:
                        record_page(found, path, response.content.decode())
        transaction.set_rollback(True)
    return found


def record_page(seen: Seen, path: str, page: str) -> None:
    parser = PageParser()
    parser.feed(page)
    for form in parser.forms:
        action = urljoin(path, form["action"])
        target = view_of(action)
        if target is None:
            continue
        fields = dict(form["fields"])
        fields.pop("csrfmiddlewaretoken", None)
        for name, values in fields.items():
            seen.names[target][name].update(values)
        if form["method"] == "post":
            known = seen.forms[target]
            offered = FormSeen(urlsplit(action).path, form["multipart"], fields, form["files"])
            if all((f.action, sorted(f.fields)) != (offered.action, sorted(fields)) for f in known):
                known.append(offered)
    for link in parser.links:
        url = urljoin(path, link)
        if (target := view_of(url)) is not None:
            for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
                seen.names[target][name].add(value)
    for url, name in parser.typeaheads:
        if (target := view_of(urljoin(path, url))) is not None:
            seen.names[target][name]  # noqa: B018 (the name is what counts)


# Hostile values.


@dataclass(frozen=True)
class Raw:
    """Bytes sent percent-encoded as they are: invalid UTF-8 reaches the server as typed."""

    data: bytes

    def __str__(self) -> str:
        return self.data.decode("utf-8", "replace")


HOSTILE_TEXTS = [
    "",
    " ",
    "\t\n\r\x0b\x0c ",
    "\x00",
    "a\x00b",
    "%00",
    "\x01\x02\x1b[31m\x7f\x85",
    "\u202eevil\u202c",
    "\u200b\u200c\u200d\u2060\ufeff",
    "🙂👩‍👩‍👧‍👦🏳️‍🌈",
    "e\u0301\u0301\u0301\u0301\u0301",
    "ﷺ𒐫" * 10,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "' OR '1'='1' --",
    "1; DROP TABLE claims_claim; --",
    "%' OR 1=1 ESCAPE '\\",
    '" OR NEAR(a b) NOT -x "',
    "../../../../etc/passwd",
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "http://",
    "https://",
    "//evil.example/",
    "http://[::1",
    "http://[::1]:0/",
    "http://256.256.256.256/",
    "https://example.com:99999/",
    "https://user:pass@example.com/",
    "https://xn--.example/",
    "https://ex ample.com/",
    "https://example.com/%",
    "https://example.com/" + "é" * 1900,
    "https://www.google.com/amp/s/www.google.com/amp/s/example.com/a",
    "example.com/path",
    "#1",
    "#0",
    "#99999999999999999999",
    "#-1",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "Infinity",
    "99999999999999999999",
    "-99999999999999999999",
    "2147483648",
    "9223372036854775808",
    "٣",
    "０１",
    "9999-99-99",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2024-02-30",
    "1970-01-01T00:00:00",
    "true",
    "None",
    "null",
    "[]",
    "{}",
    "undefined",
]
RAW_BYTES = [b"\xff", b"\xc3", b"caf\xc3", b"\xed\xa0\x80", b"\xef\xbf\xbe", b"\xc0\x80", b"%"]
LONG_UNITS = ["x", "é", "🙂", "\u0301", "<b>", "a ", "\x00"]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.builds(
        lambda unit, size: unit * (size // len(unit)),
        st.sampled_from(LONG_UNITS),
        st.sampled_from([1_001, 2_001, 10_000, 100_000]),
    ),
)
hostile_value = st.one_of(hostile_text, st.sampled_from(RAW_BYTES).map(Raw))
hostile_name = st.one_of(
    st.sampled_from(["", "a[]", "__proto__", "csrfmiddlewaretoken", "x" * 5_000, "%00", "\x00"]),
    st.text(max_size=12),
)
# Names several pages read from the query string without a link on the fixture's pages.
QUERY_NAMES = ("page", "cursor", "q", "next", "passage", "start", "end")


# Values that pass each field's own checks where the page offers none (an empty text box), so
# that a request with one hostile field gets past the others to the code behind them.
ARTICLE_PASSAGE = "unemployment fell to 4 per cent"  # at 18-49 of the fixture article's text
DAY = "2024-05-01"
PLAUSIBLE = {
    "url": ["https://news.example/2024/05/jobs"],
    "archive_url": ["https://web.archive.org/web/2024/https://news.example/2024/05/jobs"],
    "title": ["Unemployment at a record low"],
    "author": ["A. Writer"],
    "name": ["The Daily Example"],
    "domain": ["daily.example"],
    "notes": ["Owned by a trust."],
    "text": ["The minister said unemployment fell to 4 per cent last year."],
    "passage": [ARTICLE_PASSAGE],
    "start": ["18"],
    "end": ["49"],
    "claimant": ["The minister"],
    "claimant_name": ["The minister"],
    "existing_claim": [f"#{BASE_PK + 1}"],
    "source": [f"#{BASE_PK + 1}", "https://stats.example/report"],
    "excerpt": ["A passage that bears on the claim."],
    "note": ["Check the figure against the statistics office."],
    "rationale": ["The statistics office puts it at 5 per cent."],
    "username": ["rosa"],
    "password": ["secret-for-tests"],
    **{name: [DAY] for name in ("published_on", "accessed_on", "claimed_on", "as_of")},
}
# Who sends each request: the roles with rights more often, since their requests go deeper.
WEIGHTED_ROLES = (*ROLES[:4], *ROLES)


def usable(name: str, offered) -> list[str]:
    """Values for the field that its page would send, or that pass its checks."""
    values = sorted(value for value in offered if value.strip())
    return values + PLAUSIBLE.get(name, []) or sorted(offered) or ["Plain words"]


@st.composite
def pairs_for(draw, fields: dict, *, required: bool, fewest_hostile: int = 1) -> list[tuple]:
    """A form as its page would send it, with a few fields hostile or missing; a few strangers.

    For a form (`required`), one (or `fewest_hostile`) to three fields get hostile values, once
    or repeated, and one may be left out; the others keep values that pass. For a query string,
    any of the names the page uses, each usable or hostile.
    """
    names = sorted(fields)
    if required:
        pick = st.lists(st.sampled_from(names), min_size=fewest_hostile, max_size=3, unique=True)
        hostile = set(draw(pick)) if names else set()
        missing = set(draw(st.lists(st.sampled_from(names), max_size=1))) if names else set()
        present = [name for name in names if name not in missing]
    else:
        present = draw(st.lists(st.sampled_from(names), max_size=4, unique=True)) if names else []
        hostile = {name for name in present if draw(st.booleans())}
    pairs = []
    for name in present:
        if name in hostile:
            values = draw(st.lists(hostile_value, min_size=1, max_size=3))
        else:
            values = [draw(st.sampled_from(usable(name, fields[name])))]
        pairs.extend((name, value) for value in values)
    extra = st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), hostile_name), hostile_value)
    pairs.extend(draw(st.lists(extra, max_size=2)))
    return pairs


def encoded(pairs) -> str:
    def part(text):
        return quote_from_bytes(text.data, safe="") if isinstance(text, Raw) else quote(text)

    return "&".join(f"{part(name)}={part(value)}" for name, value in pairs)


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes

    def __repr__(self) -> str:
        return f"Upload({shown(self.name)}, {shown(self.content)})"


UPLOAD_NAMES = [
    "notes.txt",
    "page.html",
    "PAGE.HTM",
    "notes.TXT",
    "notes",
    ".txt",
    "",
    "a\x00.txt",
    "../../etc/passwd.txt",
    "C:\\Users\\me\\notes.txt",
    'quote".txt',
    "line\r\nbreak.txt",
    "x" * 10_000 + ".txt",
    "é🙂\u202e.txt",
    "notes.txt.exe",
    "report.pdf",
]
TEXT = b"Unemployment fell to four per cent last year, the minister said. "
UPLOAD_CONTENTS = [
    b"",
    b"\xef\xbb\xbf",
    b"\xef\xbb\xbf" + TEXT,
    TEXT[:-3] + b"\xc3",  # UTF-8 cut in the middle of a character
    TEXT.decode().encode("utf-16"),
    b"\x00" * 10,
    TEXT * 130 + b"\x00",  # a NUL after the first 8 KB
    b"\xed\xa0\x80 a surrogate",
    b"<html><head><title>" + b"T" * 630 + b"</title></head><body><p>" + TEXT * 3 + b"</p>",
    b'<html><head><link rel="canonical" href="https://example.com/' + b"a" * 2100 + b'">'
    b"</head><body><article><p>" + TEXT * 4 + b"</p></article></body></html>",
    b'<html><head><link rel="canonical" href="javascript:alert(1)"></head><body><article><p>'
    + TEXT * 4
    + b"</p></article></body></html>",
    b"<html><body><script>alert(1)</script><p onclick=x>" + TEXT * 4 + b"</p></body></html>",
    b"<html><head><meta charset=latin-1></head><body>\xe9\xe9</body></html>",
    b"\r\n\r\n   \r\n",
    b"\x1b[31m red \x07 bell",
]
hostile_upload = st.builds(
    Upload,
    st.sampled_from(UPLOAD_NAMES),
    st.one_of(st.sampled_from(UPLOAD_CONTENTS), st.binary(max_size=2_000)),
)
BOUNDARY = "HostileBoundaryF0rm"


def multipart_body(pairs, upload: tuple[str, Upload] | None) -> bytes:
    """A multipart body written out by hand, so that any file name or byte gets through."""

    def quoted(name) -> bytes:
        # How browsers write a name: quotes and line breaks escaped, the rest as UTF-8 bytes.
        text = str(name).replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        return text.encode("utf-8", "surrogatepass")

    body = b""
    for name, value in pairs:
        content = value.data if isinstance(value, Raw) else value.encode("utf-8")
        body += b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (
            BOUNDARY.encode(),
            quoted(name),
            content,
        )
    if upload is not None:
        name, file = upload
        body += (
            b'--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n%s\r\n"
            % (BOUNDARY.encode(), quoted(name), quoted(file.name), file.content)
        )
    return body + b"--%s--\r\n" % BOUNDARY.encode()


# The database, before and after.


def _models(*, skipped=()):
    for model in apps.get_models():
        meta = model._meta
        if meta.managed and not meta.proxy and meta.app_label not in skipped:
            yield model


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _query(figures: tuple[tuple[str, str, str], ...], vendor: str) -> str:
    """One query for many figures, each (expression, table, condition): one round trip."""
    # Table and column names come from the models and their limits from the fields, never from
    # a request.
    subqueries = [
        f"(SELECT {expression} FROM {_quoted(table)} WHERE {where or '1 = 1'})"  # noqa: S608
        for expression, table, where in figures
    ]
    return "SELECT " + ", ".join(subqueries)


# The statements PostgreSQL has prepared, per connection: planning some sixty subqueries costs
# it several times what running them over the test's few rows does, twice per request.
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _select_each(figures: list[tuple[str, str, str]]) -> tuple:
    query = _query(tuple(figures), connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            name = f"hostile_figures_{abs(hash(query)):x}"
            prepared = _PREPARED.setdefault(connection.connection, set())
            if name not in prepared:
                cursor.execute(f"PREPARE {name} AS {query}")
                prepared.add(name)
            cursor.execute(f"EXECUTE {name}")
        else:
            cursor.execute(query)
        return tuple(cursor.fetchone())


@cache
def _counted_tables() -> list[tuple[str, str, str]]:
    figures = []
    # Sign-in throttling records failed attempts by design; sessions are who is signed in.
    for model in _models(skipped=("axes", "sessions")):
        figures.append(("COUNT(*)", model._meta.db_table, ""))
        if any(f.name == "version" for f in model._meta.concrete_fields):
            figures.append(("COALESCE(SUM(version), 0)", model._meta.db_table, ""))
    return figures


def rows_and_versions() -> tuple:
    """Every table's row count and, where rows carry one, the sum of their versions."""
    return _select_each(_counted_tables())


@cache
def _length_checks(vendor: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    labels, figures = [], []
    for model in _models():
        fields = model._meta.concrete_fields
        limited = [f for f in fields if isinstance(f, models.CharField) and f.max_length]
        conditions = [f"LENGTH({_quoted(f.column)}) > {f.max_length}" for f in limited]
        if conditions:
            labels.append(model._meta.label)
            figures.append(("COUNT(*)", model._meta.db_table, " OR ".join(conditions)))
    return labels, figures


def overlong_values() -> list[str]:
    """Models holding text longer than its column's limit, which SQLite stores without a word."""
    labels, figures = _length_checks(connection.vendor)
    counts = _select_each(figures)
    return [label for label, count in zip(labels, counts, strict=True) if count]


# One hostile request, and what it must not do.


def shown(value, limit=60) -> str:
    text = repr(value.data if isinstance(value, Raw) else value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(str(value))} characters)"


def describe(method, url, role, htmx, pairs=(), upload=None) -> str:
    lines = [f"{method} {shown(url, 200)} as {role}{' with HX-Request: true' if htmx else ''}"]
    lines += [f"  {shown(name)} = {shown(value)}" for name, value in pairs]
    if upload is not None:
        lines.append(f"  file {shown(upload[0])}: {upload[1]!r}, {len(upload[1].content)} bytes")
    return "\n".join(lines)


def raised(error: Exception) -> str:
    """The exception and the project's own lines it passed through, innermost last."""
    summary = traceback.format_exception_only(error)[-1].strip()
    ours = [
        f"  {Path(frame.filename).relative_to(PROJECT_ROOT)}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(str(PROJECT_ROOT))
        and "/.venv/" not in frame.filename
        and not frame.filename.endswith(Path(__file__).name)
    ]
    return "\n".join([f"raised {shown(summary, 300)}", *ours])


def refused(method: str, response) -> bool:
    if response.status_code >= 400:
        return True
    return (
        method == "POST"
        and response.status_code == 200
        and b'role="alert"' in response.content  # a form drawn again with its errors
    )


def attempt(
    world,
    role,
    method,
    path,
    *,
    pairs=(),
    htmx=False,
    upload=None,
    multipart=False,
):
    """Send one request in a savepoint rolled back afterwards, check what it did, return it."""
    TRIED[method] += 1
    TRIED["upload"] += upload is not None
    headers = {"HX-Request": "true"} if htmx else {}
    client = world.client(role)
    with transaction.atomic():
        try:
            before = rows_and_versions()
            url = path
            try:
                if method == "GET":
                    url = f"{path}?{encoded(pairs)}" if pairs else path
                    response = client.get(url, headers=headers)
                elif multipart or upload is not None:
                    response = client.post(
                        path,
                        multipart_body(pairs, upload),
                        content_type=f"multipart/form-data; boundary={BOUNDARY}",
                        headers=headers,
                    )
                else:
                    response = client.post(
                        path,
                        encoded(pairs),
                        content_type="application/x-www-form-urlencoded",
                        headers=headers,
                    )
            except Exception as error:
                raise AssertionError(
                    f"5xx: {describe(method, url, role, htmx, pairs, upload)}\n{raised(error)}"
                ) from error
            request = describe(method, url, role, htmx, pairs, upload)
            assert response.status_code < 500, f"{response.status_code}: {request}"
            if method == "GET" or refused(method, response):
                assert rows_and_versions() == before, f"Refused, yet stored: {request}"
            if method == "POST":
                assert not overlong_values(), f"Stored past a column's limit: {request}"
            return response
        finally:
            transaction.set_rollback(True)


# The tests.


def test_the_checks_see_a_new_row_and_a_new_version_every_time(world):
    """The counts are read through a statement prepared once (on PostgreSQL): each reading is
    fresh, not the first one again."""
    before = rows_and_versions()
    with transaction.atomic():
        Tag.objects.create(name="Seen by the check")
        one_more_row = rows_and_versions()
        Claim.objects.filter(pk=Claim.objects.order_by("pk").first().pk).update(
            version=F("version") + 1
        )
        one_more_version = rows_and_versions()
        transaction.set_rollback(True)
    assert len({before, one_more_row, one_more_version}) == 3
    assert rows_and_versions() == before


def test_the_pages_are_found_from_the_url_map():
    names = {route.name for route in ROUTES}
    assert {"home", "search", "sources:create", "articles:create", "claims:step"} <= names
    assert not any(route.pattern.startswith("admin/") for route in ROUTES)


def test_every_page_with_a_pk_is_given_real_rows(world):
    needing = {route.name for route in ROUTES if route.converters}
    assert needing <= set(PK_KINDS), f"Add to PK_KINDS: {sorted(needing - set(PK_KINDS))}"
    assert set(PK_KINDS.values()) <= set(world.pks)


def test_the_pages_offer_forms_to_attack(seen):
    for name in ("sources:create", "articles:create", "claims:step", "reader:tag", "login"):
        assert seen.forms[name], f"No form found posting to {name}"
    assert "file" in seen.forms["articles:create"][0].files
    assert "q" in seen.names["search"]


@st.composite
def path_for(draw, route: Route, world: World) -> str:
    kwargs = {}
    for name, converter in route.converters:
        if converter == "IntConverter":
            real = world.pks[PK_KINDS[route.name]]
            kwargs[name] = draw(st.one_of(st.sampled_from(real), st.sampled_from(HOSTILE_PKS)))
        else:
            kwargs[name] = draw(st.sampled_from([*STEPS, *HOSTILE_SLUGS]))
    return reverse(route.name, kwargs=kwargs)


@pytest.mark.parametrize("route", ROUTE_PARAMS)
@settings(HOSTILE, max_examples=GET_EXAMPLES)
@given(data=st.data())
def test_a_hostile_query_string_gets_no_5xx_and_stores_nothing(route, world, seen, data):
    role = data.draw(st.sampled_from(WEIGHTED_ROLES), label="role")
    path = data.draw(path_for(route, world), label="path")
    pairs = data.draw(pairs_for(seen.names[route.name], required=False), label="query")
    htmx = data.draw(st.booleans(), label="htmx")
    attempt(world, role, "GET", path, pairs=pairs, htmx=htmx)


@pytest.mark.parametrize("route", ROUTE_PARAMS)
@settings(HOSTILE, max_examples=POST_EXAMPLES)
@given(data=st.data())
def test_a_hostile_form_gets_no_5xx_and_a_refusal_stores_nothing(route, world, seen, data):
    role = data.draw(st.sampled_from(WEIGHTED_ROLES), label="role")
    forms = seen.forms[route.name]
    form = data.draw(st.sampled_from(forms), label="form") if forms else None
    if form is not None and route.converters and data.draw(st.booleans()):
        path = form.action  # the row the page showed, so the request gets past the lookup
    else:
        path = data.draw(path_for(route, world), label="path")
    fields = form.fields if form is not None else {}
    pairs = data.draw(pairs_for(fields, required=True), label="body")
    upload = None
    if form is not None and form.files and data.draw(st.booleans()):
        upload = (form.files[0], data.draw(hostile_upload, label="upload"))
    htmx = data.draw(st.booleans(), label="htmx")
    multipart = form is not None and form.multipart
    attempt(
        world,
        role,
        "POST",
        path,
        pairs=pairs,
        htmx=htmx,
        upload=upload,
        multipart=multipart,
    )


@settings(HOSTILE, max_examples=UPLOAD_EXAMPLES)
@given(data=st.data())
def test_a_hostile_upload_gets_no_5xx_and_a_refusal_stores_nothing(world, seen, data):
    form = seen.forms["articles:create"][0]
    role = data.draw(st.sampled_from(["researcher", "superuser"]), label="role")
    fields = {name: values for name, values in form.fields.items() if name != "text"}
    pairs = data.draw(pairs_for(fields, required=True, fewest_hostile=0), label="body")
    upload = (form.files[0], data.draw(hostile_upload, label="upload"))
    htmx = data.draw(st.booleans(), label="htmx")
    attempt(world, role, "POST", form.action, pairs=pairs, htmx=htmx, upload=upload)


# The attacks that once gave a 500, each replayed as it was found. (A NUL in the query string,
# a NUL past the first 8 KB of an upload and 3.3 MB of distinct words: test_request_hygiene.py.)


def test_a_source_url_that_grows_past_its_limit_when_normalised_is_refused(world):
    url = "https://example.com/" + "é" * 1900  # each é becomes %C3%A9: 11,420 characters
    pairs = [("url", url), ("title", "Long"), ("type", "news")]
    added = attempt(world, "researcher", "POST", reverse("sources:create"), pairs=pairs)
    assert "11,420 characters long" in added.content.decode()
    edit = [*pairs, ("seen_version", "1")]
    path = reverse("sources:edit", args=[world.pks["source"][0]])
    assert (
        "11,420 characters long"
        in attempt(world, "researcher", "POST", path, pairs=edit).content.decode()
    )


def test_an_uploaded_page_with_a_630_character_title_is_stored_within_the_limit(world):
    page = b"<html><head><title>" + b"T" * 630 + b"</title></head><body><p>"
    page += TEXT * 20 + b"</p></body></html>"
    upload = ("file", Upload("long-title.html", page))
    response = attempt(world, "researcher", "POST", reverse("articles:create"), upload=upload)
    assert response.status_code == 302  # stored, its title cut to 500 characters


def test_an_uploaded_page_naming_a_canonical_url_too_long_to_store_is_refused(world):
    page = b'<html><head><link rel="canonical" href="https://example.com/' + b"a" * 2100
    page += b'"></head><body><article><p>' + TEXT * 4 + b"</p></article></body></html>"
    upload = ("file", Upload("canonical.html", page))
    pairs = [("title", "A page with a long address")]
    path = reverse("articles:create")
    response = attempt(world, "researcher", "POST", path, pairs=pairs, upload=upload)
    assert "at most 2000 characters" in response.content.decode()


def test_signing_in_with_a_name_longer_than_any_account_is_refused(world):
    pairs = [("username", "x" * 10_000), ("password", "secret-for-tests")]
    response = attempt(world, "anonymous", "POST", reverse("login"), pairs=pairs)
    assert "correct username and password" in response.content.decode()


def test_start_review_with_a_reviewer_that_is_not_a_number_is_refused(world):
    path = reverse("claims:step", args=[world.pks["claim"][1], "start_review"])
    pairs = [("seen_version", "1"), ("reviewer", "abc")]
    attempt(world, "reviewer", "POST", path, pairs=pairs)


def test_removing_a_mention_with_a_next_that_is_not_a_url_is_refused(world):
    path = reverse("claims:mention_delete", args=[world.pks["mention"][0]])
    attempt(world, "researcher", "POST", path, pairs=[("next", "abc")])


@pytest.fixture(scope="module", autouse=True)
def say_how_many_were_tried(request):
    yield
    add_to_run_note(
        request.config,
        "hostile",
        "Hostile inputs tried: {requests} requests "
        "({GET} GET, {POST} POST of which {upload} uploads).",
        requests=TRIED["GET"] + TRIED["POST"],
        GET=TRIED["GET"],
        POST=TRIED["POST"],
        upload=TRIED["upload"],
    )
