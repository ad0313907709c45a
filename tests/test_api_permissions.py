"""Who may call what in the API: every operation and method, for every role, with every kind of
credential. Each cell runs on fresh rows, in the state the operation works on.

The row gives what each role gets with its session or a full token (the same: a token acts with
its user's rights). A read-only token gets the same on reads and 403 on every write; a revoked
token, and no credential at all, get 401.
"""

import pytest
from django.test import Client

from api import actions as token_actions
from api.routes import api
from claims.models import Claim
from tests.factories.articles import ArticleFactory
from tests.factories.sources import SourceFactory
from tests.test_permissions import claim_in, external_check

pytestmark = pytest.mark.django_db

ROLES = ["researcher", "reviewer", "source admin", "admin"]
CREDENTIALS = ["session", "token", "read-only token", "revoked token"]
REFUSED, UNAUTHORISED = 403, 401


def get(path):
    return lambda: (path(), None)


def post(path, body):
    return lambda: (path(), body())


def claim_path(status: str, end: str = ""):
    return lambda: f"/api/claims/{claim_in(status).pk}/{end}"


def import_status():
    from articles.models import ArticleFetch

    fetch = ArticleFetch.objects.create(url="https://paper.example/import")
    return f"/api/articles/imports/{fetch.pk}/"


def nothing():
    return {}


def new_article():
    n = Claim.objects.count()
    return {"title": f"Budget {n}", "text": f"The deficit halved, the minister said ({n})."}


def tag():
    return {"start": 4, "end": 16, "text": "Unemployment fell."}


def evidence():
    return {"source": f"#{SourceFactory().pk}", "stance": "supports"}


def verdict():
    return {"version": 1, "rating": "False", "rationale": "No.", "as_of": "2024-10-20",
            "without_evidence": True}  # fmt: skip


EVERYONE = [200, 200, 200, 200]
DESK = [201, 201, REFUSED, 201]  # researchers and reviewers, not source admins
REVIEWERS = [REFUSED, 200, REFUSED, 200]

# (method, path as in the schema, the request, what each role gets)
MATRIX = [
    ("get", "/api/claims/", get(lambda: "/api/claims/"), EVERYONE),
    ("get", "/api/claims/similar/", get(lambda: "/api/claims/similar/?text=jobs"), EVERYONE),
    ("get", "/api/claims/{id}/", get(claim_path("draft")), EVERYONE),
    ("get", "/api/articles/", get(lambda: "/api/articles/"), EVERYONE),
    ("get", "/api/articles/{id}/", get(lambda: f"/api/articles/{ArticleFactory().pk}/"), EVERYONE),
    ("get", "/api/articles/imports/{id}/", get(import_status), [200, 200, REFUSED, 200]),
    ("get", "/api/sources/", get(lambda: "/api/sources/"), EVERYONE),
    ("get", "/api/outlets/", get(lambda: "/api/outlets/"), EVERYONE),
    ("get", "/api/fact-checks/", get(lambda: (external_check(), "/api/fact-checks/")[1]), EVERYONE),
    ("post", "/api/articles/", post(lambda: "/api/articles/", new_article), DESK),
    (
        "post",
        "/api/articles/{id}/claims/",
        post(lambda: f"/api/articles/{ArticleFactory().pk}/claims/", tag),
        DESK,
    ),
    ("post", "/api/claims/{id}/evidence/", post(claim_path("draft", "evidence/"), evidence), DESK),
    (
        "post",
        "/api/claims/{id}/submit/",
        post(claim_path("draft", "submit/"), lambda: {"version": 1}),
        [200, 200, REFUSED, 200],
    ),
    (
        "post",
        "/api/claims/{id}/return/",
        post(claim_path("in_review", "return/"), lambda: {"version": 1, "note": "Fix it."}),
        REVIEWERS,
    ),
    (
        "post",
        "/api/claims/{id}/publish/",
        post(claim_path("in_review", "publish/"), verdict),
        REVIEWERS,
    ),
]


def expected(method: str, outcome: int, credential: str) -> int:
    if credential == "revoked token":
        return UNAUTHORISED
    if credential == "read-only token" and method == "post":
        return REFUSED
    return outcome


CELLS = [
    *[
        pytest.param(
            method, path, make, "anonymous", "none", UNAUTHORISED, id=f"{method} {path} anonymous"
        )
        for method, path, make, _ in MATRIX
    ],
    *[
        pytest.param(
            method,
            path,
            make,
            role,
            credential,
            expected(method, outcome, credential),
            id=f"{method} {path} {role} {credential}",
        )
        for method, path, make, outcomes in MATRIX
        for role, outcome in zip(ROLES, outcomes, strict=True)
        for credential in CREDENTIALS
    ],
]  # fmt: skip


@pytest.fixture
def client_for(request):
    from tests.conftest import make_user

    def client(role: str, credential: str) -> Client:
        if role == "anonymous":
            return Client()
        if role == "admin":
            user = make_user("ada", is_superuser=True, is_staff=True)
        else:
            user = request.getfixturevalue(role.replace(" ", "_"))
        if credential == "session":
            signed_in = Client()
            signed_in.force_login(user)
            return signed_in
        row, token = token_actions.create_token(
            by=user, name="matrix", read_only=credential == "read-only token"
        )
        if credential == "revoked token":
            token_actions.revoke_token(row, by=user)
        return Client(headers={"Authorization": f"Bearer {token}"})

    return client


@pytest.mark.parametrize(("method", "path", "make", "role", "credential", "status"), CELLS)
def test_the_api_permission_matrix(method, path, make, role, credential, status, client_for):
    url, body = make()
    client = client_for(role, credential)
    if method == "post":
        response = client.post(url, body, content_type="application/json")
    else:
        response = client.get(url)
    assert response.status_code == status, response.content


def test_every_operation_in_the_schema_is_in_the_matrix():
    schema = api.get_openapi_schema()
    operations = {(method, path) for path, methods in schema["paths"].items() for method in methods}
    assert operations == {(method, path) for method, path, _, _ in MATRIX}


def test_the_matrix_covers_every_role_and_credential_for_every_row():
    assert len(CELLS) == len(MATRIX) * (1 + len(ROLES) * len(CREDENTIALS)) == 255


def test_someone_with_no_role_reads_nothing(outsider):
    _, token = token_actions.create_token(by=outsider, name="No role")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    for url in ["/api/claims/", "/api/articles/", "/api/sources/", "/api/outlets/"]:
        assert client.get(url).status_code == REFUSED, url
