"""The API itself: one NinjaAPI with its routers, who may call it, and its docs and schema."""

import functools

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from ninja import NinjaAPI

from . import articles, claims, errors, register
from .auth import SignedInSession, TokenAuth, user_for


def signed_in_or_token(view):
    """The docs and the schema are for the desk too: a session or a token, else sign in (401)."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        user = user_for(request)
        if user is None or not user.is_active:
            if request.path.endswith(".json"):
                return JsonResponse(
                    {"detail": "Sign in, or send a valid token: Authorization: Bearer <token>."},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="api"'},
                )
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    # Answered here (a token is no session), not by LoginRequiredMiddleware.
    return login_not_required(guarded)


api = NinjaAPI(
    title="Claim Tracker API",
    version="1",
    description=(
        "Claims, their mentions (as W3C Web Annotation selectors), evidence and verdicts; "
        "articles; the register. Writes go through the same checks as the pages: rights, "
        "the version you saw (a stale one gets 409 with what changed), published claims frozen. "
        "Authenticate with a personal token, `Authorization: Bearer <token>` (made on "
        "/accounts/tokens/), or a signed-in session. Lists page with an opaque `cursor`; follow "
        "`next`."
    ),
    auth=[TokenAuth(), SignedInSession()],
    urls_namespace="api",
    docs_decorator=signed_in_or_token,
)
errors.install(api)
api.add_router("", claims.router)
api.add_router("", articles.router)
api.add_router("", register.router)
