"""Schemathesis against the live API, as each role's token and signed out: no 5xx, no answer
outside the OpenAPI schema. Examples per operation are bounded so the run stays short."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import actions
from tests.conftest import add_to_run_note, make_user
from tests.factories.claims import ClaimFactory, MentionFactory

pytestmark = pytest.mark.usefixtures("migration_rows")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation and role, few enough for make test (about 20 s here); signed out, every answer
# is the same 401, so two examples are enough.
EXAMPLES = 5
ANONYMOUS_EXAMPLES = 2
ROLES = {
    "researcher": ("Researcher",),
    "reviewer": ("Reviewer",),
    "source admin": ("Source admin",),
    "admin": (),
}


@pytest.fixture
def no_outbound_fetches(settings):
    """URL imports and new sources' fetches are queued, never run: no test reaches the internet."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.API_RATE_LIMIT = 1_000_000


def tokens() -> dict[str, str | None]:
    found = {"anonymous": None}
    for role, groups in ROLES.items():
        user = make_user(f"st-{role.replace(' ', '-')}", *groups, is_superuser=role == "admin")
        found[role] = actions.create_token(by=user, name="schemathesis")[1]
    return found


def run_operation(operation, strategy, base_url: str, headers: dict, failures: list) -> int:
    examples = 0

    @hypothesis_settings(
        max_examples=EXAMPLES if headers else ANONYMOUS_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def example(case):
        nonlocal examples
        examples += 1
        try:
            case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)
        except (Failure, FailureGroup) as failure:
            failures.append(f"{operation.label}: {failure}")

    example()
    return examples


def test_the_api_holds_to_its_schema_for_every_role(live_server, no_outbound_fetches, request):
    claim = ClaimFactory(created_by=None)
    MentionFactory(claim=claim)
    base_url = live_server.url
    found_tokens = tokens()
    schema_token = found_tokens["admin"]
    schema = schemathesis.openapi.from_url(
        f"{base_url}/api/openapi.json", headers={"Authorization": f"Bearer {schema_token}"}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    strategies = [operation.as_strategy() for operation in operations]
    failures: list[str] = []
    examples = 0
    for token in found_tokens.values():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for operation, strategy in zip(operations, strategies, strict=True):
            examples += run_operation(operation, strategy, base_url, headers, failures)
    counts = {"operations": len(operations), "examples": examples, "failures": len(failures)}
    add_to_run_note(
        request.config,
        "schemathesis",
        "Schemathesis: {operations} operations, {examples} examples, {failures} failures.",
        **counts,
    )
    print(counts)
    assert failures == [], "\n\n".join(failures[:10])
