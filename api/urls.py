"""/api/ (the API, its schema and docs) and /accounts/tokens/ (a user's tokens)."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import views
from .routes import api


def _every_pattern(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _every_pattern(pattern.url_patterns)
        else:
            yield pattern


@login_not_required
@csrf_exempt
def not_found(request):
    """An address under /api/ that is no endpoint: JSON, like every other API answer."""
    return JsonResponse({"detail": "No such endpoint."}, status=404)


api_patterns, _, namespace = api.urls
# The API answers anonymous requests itself, with 401: no redirect to the sign-in page.
for pattern in _every_pattern(api_patterns):
    login_not_required(pattern.callback)
# Included under the API's namespace ("api"), as ninja reverses its own views by it.
api_urls = ([*api_patterns, re_path(r"^.*$", not_found, name="not_found")], namespace)

account_urlpatterns = [
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
