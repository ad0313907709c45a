"""Webhooks: signed deliveries of claim events, retried with a backoff, never sent inside."""

import datetime
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from http.server import BaseHTTPRequestHandler

import pytest
from django.db import transaction
from django.tasks import default_task_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import actions, tasks, webhooks
from claims.models import Claim, Rating, Webhook, WebhookDelivery
from lib.versioning import StaleEdit
from sources import fetching
from tests.conftest import PROJECT_ROOT, http_server, make_user
from tests.factories.claims import ClaimFactory, new_reviewer, publish
from tests.factories.sources import SourceFactory

pytestmark = pytest.mark.django_db

PUBLIC_ADDRESS = "93.184.215.14"
PRIVATE_ADDRESSES = ["127.0.0.1", "10.1.2.3", "::1", "169.254.169.254"]
DELAYS = [datetime.timedelta(minutes=m) for m in (1, 5, 30, 120, 720)]


@pytest.fixture
def admin(db):
    return make_user("ada", is_superuser=True, is_staff=True)


class FakeDNS:
    """Names resolve to what the test says, so no test asks a real resolver or leaves the host."""

    def __init__(self):
        self.answers = {"hooks.example": PUBLIC_ADDRESS}

    def __call__(self, host, port, *args, **kwargs):
        try:
            address = str(ipaddress.ip_address(host))  # an address stands for itself
        except ValueError:
            address = self.answers.get(host)
        if address is None:
            raise socket.gaierror(f"{host} not found")
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS()
    monkeypatch.setattr(fetching.socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def deferring_backend(settings):
    """A backend that stores tasks with their run_after, as django-tasks-db does, to look at."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


class Receiver(BaseHTTPRequestHandler):
    """Records what it is sent and answers with the class's status."""

    status = 200
    location = ""
    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"path": self.path, "headers": self.headers, "body": body})
        self.send_response(self.status)
        if self.location:
            self.send_header("Location", self.location)
        answer = b"thanks" if self.status < 300 else b"receiver broke"
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def receiver(status: int = 200, location: str = ""):
    return type(
        "TestReceiver", (Receiver,), {"status": status, "location": location, "received": []}
    )


def hook_to(url: str, *events: str, by) -> Webhook:
    return actions.register_webhook(url=url, events=events or ["claim.published"], by=by)


def verify(secret: str, body: bytes, header: str) -> bool:
    """The receiver's recipe, as the README gives it."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def in_review(claim: Claim) -> tuple[Claim, object]:
    reviewer = new_reviewer()
    actions.submit_for_review(claim, by=reviewer)
    actions.start_review(claim, by=reviewer)
    return claim, reviewer


def publish_verdict(claim: Claim, reviewer) -> Claim:
    return actions.publish_verdict(
        claim,
        by=reviewer,
        rating=Rating.objects.get(label="False"),
        rationale="Because.",
        as_of=datetime.date(2024, 10, 20),
        without_evidence=True,
    )


# Signing.


def test_the_signature_is_an_hmac_of_the_exact_body_that_a_receiver_verifies(dns, admin):
    hook = hook_to("https://hooks.example/in", by=admin)
    delivery = actions.ping_webhook(hook, by=admin)
    body = webhooks.body_of(delivery)
    header = webhooks.sign(hook.secret, body)
    assert header.startswith("sha256=") and len(header) == len("sha256=") + 64
    assert verify(hook.secret, body, header)
    assert not verify(hook.secret, body + b" ", header), "one byte more fails"
    assert not verify("another secret", body, header)
    assert json.loads(body)["delivery"] == delivery.pk


def test_the_readmes_recipe_verifies_a_delivery_and_refuses_a_changed_one(dns, admin):
    readme = (PROJECT_ROOT / "README.md").read_text()
    recipe = readme.split("A receiver checks the signature", 1)[1]
    recipe = recipe.split("```python\n", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(recipe, namespace)  # noqa: S102 (our own README)
    hook = hook_to("https://hooks.example/in", by=admin)
    delivery = actions.ping_webhook(hook, by=admin)
    body = webhooks.body_of(delivery)
    signature = webhooks.sign(hook.secret, body)
    assert namespace["is_signed"](hook.secret, body, signature)
    assert not namespace["is_signed"](hook.secret, body.replace(b"ping", b"pong"), signature)


def test_a_secret_is_random_and_rotating_it_changes_it_and_keeps_it_out_of_the_history(dns, admin):
    hook = hook_to("https://hooks.example/in", by=admin)
    other = hook_to("https://hooks.example/other", by=admin)
    assert len(hook.secret) == 64 and hook.secret != other.secret
    old = hook.secret
    rotated = actions.rotate_webhook_secret(hook, by=admin)
    assert rotated.secret != old and rotated.version == 2
    record = rotated.history.latest()
    assert (record.history_change_reason, record.history_user) == ("Secret rotated", admin)
    assert not hasattr(record, "secret")


# Events: one delivery per subscribed active hook, queued after the commit.


def test_a_publish_creates_one_delivery_per_subscribed_hook_and_queues_one_task_on_commit(
    dns, admin, deferring_backend, django_capture_on_commit_callbacks
):
    subscribed = hook_to("https://hooks.example/published", "claim.published", by=admin)
    hook_to("https://hooks.example/submitted", "claim.submitted", by=admin)
    inactive = hook_to("https://hooks.example/off", "claim.published", by=admin)
    actions.deactivate_webhook(inactive, by=admin)
    claim, reviewer = in_review(ClaimFactory())
    with django_capture_on_commit_callbacks() as callbacks:
        publish_verdict(claim, reviewer)
    delivery = WebhookDelivery.objects.get(event="claim.published")
    assert delivery.webhook == subscribed and delivery.status == "pending"
    assert deferring_backend.results == [], "nothing is queued before the commit"
    for callback in callbacks:
        callback()
    [queued] = deferring_backend.results
    assert queued.task.name == "deliver_webhook" and queued.args == [delivery.pk]
    assert queued.task.run_after is None


def test_the_payload_is_small_and_says_what_happened_to_which_claim(dns, admin, settings):
    settings.SITE_URL = "https://desk.example"
    hook_to("https://hooks.example/in", "claim.published", "evidence.added", by=admin)
    claim, reviewer = in_review(ClaimFactory(text="Unemployment fell."))
    publish_verdict(claim, reviewer)
    payload = WebhookDelivery.objects.get(event="claim.published").payload
    assert set(payload) == {"event", "occurred_at", "actor", "claim"}
    assert payload["actor"] == reviewer.username
    assert payload["claim"] == {
        "id": claim.pk,
        "text": "Unemployment fell.",
        "status": "published",
        "version": Claim.objects.get(pk=claim.pk).version,
        "url": f"https://desk.example/public/claims/{claim.pk}/",
        "rating": "False",
    }
    assert datetime.datetime.fromisoformat(payload["occurred_at"]) <= timezone.now()


def test_evidence_added_carries_the_item_and_a_draft_claim_has_no_public_url(dns, admin):
    hook_to("https://hooks.example/in", "evidence.added", by=admin)
    researcher = make_user("rosa", "Researcher")
    claim = ClaimFactory(created_by=researcher)
    source = SourceFactory(title="Labour survey", url="https://stats.example/survey")
    evidence = actions.add_evidence(
        claim, source=source, stance="contradicts", excerpt="", note="", by=researcher
    )
    payload = WebhookDelivery.objects.get().payload
    assert payload["event"] == "evidence.added" and payload["actor"] == "rosa"
    assert payload["evidence"] == {
        "id": evidence.pk,
        "stance": "contradicts",
        "source": {"title": "Labour survey", "url": "https://stats.example/survey"},
    }
    assert payload["claim"]["status"] == "draft"
    assert payload["claim"]["url"] is None and payload["claim"]["rating"] is None


def test_submit_and_reopen_announce_their_events(dns, admin):
    hook_to("https://hooks.example/in", "claim.submitted", "claim.reopened", by=admin)
    claim = publish(ClaimFactory())
    reviewer = new_reviewer()
    actions.reopen(claim, by=reviewer, note="New figures.")
    events = list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))
    assert events == ["claim.submitted", "claim.reopened"]


def test_a_rolled_back_action_announces_nothing(
    dns, admin, deferring_backend, django_capture_on_commit_callbacks
):
    hook_to("https://hooks.example/in", "claim.submitted", "claim.published", by=admin)
    claim = ClaimFactory()
    reviewer = new_reviewer()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            actions.submit_for_review(claim, by=reviewer)
            raise RuntimeError("the request failed after the action")
        # A refused action rolls back too.
        with pytest.raises(actions.Refused):
            publish_verdict(claim, reviewer)
    assert callbacks == []
    assert not WebhookDelivery.objects.exists() and deferring_backend.results == []
    assert Claim.objects.get(pk=claim.pk).status == "draft"


# Delivery: a real POST to a local server, signed.


def test_a_delivery_reaches_a_local_server_signed_and_is_marked_delivered(
    local_fetches_allowed, admin, django_capture_on_commit_callbacks
):
    handler = receiver(200)
    with http_server(handler) as base:
        hook = hook_to(base + "/hooks/claims?desk=1", by=admin)
        claim, reviewer = in_review(ClaimFactory())
        # The tests' task backend runs the task at once, here after the commit.
        with django_capture_on_commit_callbacks(execute=True):
            publish_verdict(claim, reviewer)
    [request] = handler.received
    delivery = WebhookDelivery.objects.get()
    assert request["path"] == "/hooks/claims?desk=1"
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-ClaimTracker-Event"] == "claim.published"
    assert headers["X-ClaimTracker-Delivery"] == str(delivery.pk)
    assert verify(hook.secret, request["body"], headers["X-ClaimTracker-Signature"])
    sent = json.loads(request["body"])
    assert sent["event"] == "claim.published" and sent["claim"]["id"] == claim.pk
    assert sent["delivery"] == delivery.pk and sent["sent_at"]
    assert (delivery.status, delivery.status_code, delivery.attempts) == ("delivered", 200, 1)
    assert delivery.delivered_at is not None and delivery.error == ""


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    local_fetches_allowed, admin, deferring_backend
):
    handler = receiver(302, location="/elsewhere")
    with http_server(handler) as base:
        hook = hook_to(base + "/in", by=admin)
        delivery = actions.ping_webhook(hook, by=admin)
        tasks.deliver_webhook.call(delivery.pk)
    assert [request["path"] for request in handler.received] == ["/in"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.status_code) == ("failed", 302)
    assert "redirects are not followed" in delivery.error


class Trickling(BaseHTTPRequestHandler):
    """Answers 200 a byte at a time, far slower than the deadline allows; or a large answer."""

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        if self.path == "/large":
            self.send_header("Content-Length", str(1_000_000))
            self.end_headers()
            self.wfile.write(b"x" * 1_000_000)
            return
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.05)

    def log_message(self, *args):
        pass


def test_a_receiver_slower_than_the_deadline_fails_the_attempt(
    local_fetches_allowed, admin, deferring_backend
):
    with http_server(Trickling) as base:
        delivery = actions.ping_webhook(hook_to(base + "/slow", by=admin), by=admin)
        tasks.deliver_webhook.call(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.status_code) == ("failed", None)
    assert delivery.error == "The server did not answer within 0.5 seconds."
    assert len(deferring_backend.results) == 1


def test_a_large_answer_is_read_only_up_to_the_cap(local_fetches_allowed):
    with http_server(Trickling) as base:
        answer = fetching.post(
            base + "/large",
            b"{}",
            headers={"Content-Type": "application/json"},
            timeout=5,
            max_bytes=1000,
            allowed_hosts=frozenset(["127.0.0.1"]),
        )
    assert (answer.status, len(answer.body)) == (200, 1000)


# Retries: 1 min, 5 min, 30 min, 2 h, 12 h, then it gives up.


def run_until_it_gives_up(delivery: WebhookDelivery, backend) -> list[datetime.timedelta]:
    """Run the task as the worker would, each queued retry in turn; the waits it asked for."""
    waits = []
    tasks.deliver_webhook.call(delivery.pk)
    while backend.results:
        queued = backend.results.pop(0)
        delivery.refresh_from_db()
        assert queued.args == [delivery.pk] and queued.task.run_after == delivery.next_attempt_at
        assert delivery.status == "failed"
        waits.append(delivery.next_attempt_at - timezone.now())
        tasks.deliver_webhook.call(*queued.args)
    delivery.refresh_from_db()
    return waits


def assert_backoff(waits: list[datetime.timedelta]) -> None:
    assert len(waits) == len(DELAYS)
    for wait, delay in zip(waits, DELAYS, strict=True):
        assert delay - datetime.timedelta(minutes=1) < wait <= delay


def test_a_500_is_retried_with_a_backoff_then_given_up(
    local_fetches_allowed, admin, deferring_backend
):
    handler = receiver(500)
    with http_server(handler) as base:
        delivery = actions.ping_webhook(hook_to(base + "/in", by=admin), by=admin)
        waits = run_until_it_gives_up(delivery, deferring_backend)
    assert_backoff(waits)
    assert len(handler.received) == 6
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("gave_up", 6, 500)
    assert delivery.error == "The receiver answered 500 Internal Server Error: receiver broke"
    assert delivery.next_attempt_at is None and delivery.delivered_at is None


def test_a_connection_error_is_retried_with_a_backoff_then_given_up(
    local_fetches_allowed, admin, deferring_backend
):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    delivery = actions.ping_webhook(hook_to(f"http://127.0.0.1:{port}/in", by=admin), by=admin)
    waits = run_until_it_gives_up(delivery, deferring_backend)
    assert_backoff(waits)
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("gave_up", 6, None)
    assert delivery.error.startswith("The address could not be reached: ")


def test_a_retry_that_succeeds_ends_the_retries(local_fetches_allowed, admin, deferring_backend):
    handler = receiver(503)
    with http_server(handler) as base:
        delivery = actions.ping_webhook(hook_to(base + "/in", by=admin), by=admin)
        tasks.deliver_webhook.call(delivery.pk)
        handler.status = 204
        tasks.deliver_webhook.call(deferring_backend.results.pop().args[0])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("delivered", 2, 204)
    assert deferring_backend.results == [] and delivery.next_attempt_at is None


def test_a_delivery_to_a_hook_deactivated_meanwhile_is_not_sent(
    local_fetches_allowed, admin, deferring_backend
):
    handler = receiver(200)
    with http_server(handler) as base:
        hook = hook_to(base + "/in", "claim.submitted", by=admin)
        actions.submit_for_review(ClaimFactory(), by=new_reviewer())
        actions.deactivate_webhook(hook, by=admin)
        delivery = WebhookDelivery.objects.get()
        tasks.deliver_webhook.call(delivery.pk)
    delivery.refresh_from_db()
    assert handler.received == [] and delivery.status == "gave_up"
    assert delivery.error == tasks.DEACTIVATED


# Private addresses: refused when registering, and again when sending.


PRIVATE = "a private or local address"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/hook", PRIVATE),
        ("http://10.1.2.3/hook", PRIVATE),
        ("http://[::1]/hook", PRIVATE),
        ("http://169.254.169.254/latest/meta-data/", PRIVATE),
        ("http://localhost:8000/hook", PRIVATE),
        ("https://inside.example/hook", PRIVATE),  # a name for a private address
        ("http://[::ffff:10.0.0.1]/hook", PRIVATE),  # an IPv4 address inside an IPv6 one
        ("ftp://hooks.example/hook", "Only http and https addresses"),
        ("https://user:pass@hooks.example/hook", "with a user name or password"),
        ("https://nowhere.example/hook", "could not be found"),
    ],
)
def test_registering_an_address_the_site_may_not_send_to_is_refused(url, reason, dns, admin):
    dns.answers |= {"inside.example": "192.168.1.20", "localhost": "127.0.0.1"}
    with pytest.raises(actions.Invalid) as refused:
        hook_to(url, by=admin)
    assert refused.value.field == "url" and reason in str(refused.value)
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("address", PRIVATE_ADDRESSES)
def test_a_host_that_later_points_inside_is_refused_at_delivery_and_never_sent(
    address, dns, admin, deferring_backend, monkeypatch
):
    opened = []
    monkeypatch.setattr(fetching, "_open", lambda *args, **kwargs: opened.append(args))
    hook = hook_to("https://hooks.example/in", by=admin)
    delivery = actions.ping_webhook(hook, by=admin)
    dns.answers["hooks.example"] = address  # the name was public when registered
    tasks.deliver_webhook.call(delivery.pk)
    delivery.refresh_from_db()
    assert opened == []
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("failed", 1, None)
    assert f"hooks.example points to a private or local address ({address})" in delivery.error


# Who may do it: administrators only.


def test_only_administrators_register_edit_rotate_ping_or_delete_hooks(dns, admin):
    hook = hook_to("https://hooks.example/in", by=admin)
    for role in ("Researcher", "Reviewer", "Source admin"):
        user = make_user(f"user-{role}", role, is_staff=True)
        with pytest.raises(actions.NoRight):
            hook_to("https://hooks.example/other", by=user)
        for action in (
            actions.rotate_webhook_secret,
            actions.deactivate_webhook,
            actions.ping_webhook,
            actions.delete_webhook,
        ):
            with pytest.raises(actions.NoRight):
                action(hook, by=user)
    assert Webhook.objects.get().version == 1 and not WebhookDelivery.objects.exists()


def test_an_edit_from_a_stale_page_is_refused(dns, admin):
    hook = hook_to("https://hooks.example/in", by=admin)
    actions.rotate_webhook_secret(hook, by=admin)
    with pytest.raises(StaleEdit):
        actions.edit_webhook(
            hook, url=hook.url, events=["claim.reopened"], active=True, by=admin, seen_version=1
        )


# The pages.


def test_an_admin_registers_a_hook_through_the_form_and_sees_its_secret(dns, admin, login):
    client = login(admin)
    data = {"url": "https://hooks.example/in", "events": ["claim.published", "evidence.added"]}
    response = client.post(reverse("claims:webhook_create"), data)
    hook = Webhook.objects.get()
    assert response.status_code == 302 and response["Location"] == hook.get_absolute_url()
    assert hook.events == ["claim.published", "evidence.added"] and hook.created_by == admin
    page = client.get(hook.get_absolute_url()).content.decode()
    assert hook.secret in page and "Registered, by ada" in page


def test_the_form_says_why_a_private_address_is_refused_and_keeps_what_was_typed(dns, admin, login):
    data = {"url": "http://10.0.0.7/hook", "events": ["claim.published"]}
    response = login(admin).post(reverse("claims:webhook_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "points to a private or local address (10.0.0.7)" in page
    assert 'value="http://10.0.0.7/hook"' in page and not Webhook.objects.exists()


def test_the_edit_form_changes_events_and_can_turn_a_hook_off(dns, admin, login):
    hook = hook_to("https://hooks.example/in", by=admin)
    data = {"url": hook.url, "events": ["claim.reopened"], "seen_version": 1}
    response = login(admin).post(reverse("claims:webhook_edit", args=[hook.pk]), data)
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.events, hook.active, hook.version) == (["claim.reopened"], False, 2)


def test_a_test_ping_from_the_page_is_delivered_and_logged(
    local_fetches_allowed, admin, login, django_capture_on_commit_callbacks
):
    handler = receiver(200)
    with http_server(handler) as base:
        hook = hook_to(base + "/in", by=admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = login(admin).post(reverse("claims:webhook_ping", args=[hook.pk]))
    assert response.status_code == 302
    [request] = handler.received
    assert request["headers"]["X-ClaimTracker-Event"] == "ping"
    assert json.loads(request["body"])["webhook"] == hook.pk
    page = login(admin).get(hook.get_absolute_url()).content.decode()
    assert "<td>ping</td>" in page and "Delivered" in page


def test_the_log_shows_attempts_codes_errors_and_the_next_attempt(
    local_fetches_allowed, admin, login, deferring_backend
):
    with http_server(receiver(500)) as base:
        hook = hook_to(base + "/in", by=admin)
        delivery = actions.ping_webhook(hook, by=admin)
        tasks.deliver_webhook.call(delivery.pk)
    delivery.refresh_from_db()
    page = login(admin).get(hook.get_absolute_url()).content.decode()
    assert "Failed, will retry" in page and "<td>500</td>" in page
    assert "The receiver answered 500 Internal Server Error" in page
    assert timezone.localtime(delivery.next_attempt_at).strftime("%H:%M") in page


def test_rotate_deactivate_and_delete_from_the_page(dns, admin, login):
    client = login(admin)
    hook = hook_to("https://hooks.example/in", by=admin)
    secret = hook.secret
    client.post(reverse("claims:webhook_rotate", args=[hook.pk]))
    client.post(reverse("claims:webhook_deactivate", args=[hook.pk]))
    hook.refresh_from_db()
    assert hook.secret != secret and not hook.active
    page = client.get(hook.get_absolute_url()).content.decode()
    assert "Secret rotated, by ada" in page and "Deactivated, by ada" in page
    response = client.post(reverse("claims:webhook_delete", args=[hook.pk]))
    assert response["Location"] == reverse("claims:webhooks") and not Webhook.objects.exists()


def test_the_register_links_to_the_webhooks_for_admins_only(admin, login, source_admin):
    link = f'href="{reverse("claims:webhooks")}"'
    assert link in login(admin).get(reverse("sources:list")).content.decode()
    assert link not in login(source_admin).get(reverse("sources:list")).content.decode()


def test_the_list_costs_the_same_queries_for_1_hook_as_for_20(dns, admin, login):
    client = login(admin)

    def queries() -> int:
        with CaptureQueriesContext(transaction.get_connection()) as captured:
            assert client.get(reverse("claims:webhooks")).status_code == 200
        return len(captured)

    actions.ping_webhook(hook_to("https://hooks.example/0", by=admin), by=admin)
    one = queries()
    for n in range(1, 20):
        actions.ping_webhook(hook_to(f"https://hooks.example/{n}", by=admin), by=admin)
    assert queries() == one
    page = client.get(reverse("claims:webhooks")).content.decode()
    assert page.count("ping, ") == 20 and "pending" in page


def test_a_hooks_page_costs_the_same_queries_for_1_delivery_as_for_50(dns, admin, login):
    client = login(admin)
    hook = hook_to("https://hooks.example/in", by=admin)

    def queries() -> int:
        with CaptureQueriesContext(transaction.get_connection()) as captured:
            assert client.get(hook.get_absolute_url()).status_code == 200
        return len(captured)

    actions.ping_webhook(hook, by=admin)
    one = queries()
    for _ in range(49):
        actions.ping_webhook(hook, by=admin)
    assert queries() == one
