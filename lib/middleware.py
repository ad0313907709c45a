"""Rules every page shares: valid parameters, private pages, htmx caching, a page for a 405."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

from .text import invalid_code_point

# No search box, filter or selected passage comes near this; SQLite refuses a LIKE pattern over
# 50,000 bytes, which 10,000 characters stay under even at four bytes each (type-aheads search
# with `icontains`, which is LIKE there).
MAX_QUERY_VALUE_LENGTH = 10_000


def query_value_problem(value: str) -> str:
    """Why the database could not hold or search for this value, or ''."""
    if len(value) > MAX_QUERY_VALUE_LENGTH:
        return (
            f"The value is {len(value):,} characters long; the limit is {MAX_QUERY_VALUE_LENGTH:,}."
        )
    return invalid_code_point(value)


class QueryParametersMiddleware:
    """Refuse a query string the database could not hold or search for (a NUL byte, say).

    Form fields refuse these themselves (Django's CharField does); search boxes, type-aheads and
    filters read the query string directly, so they are checked here, once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            for value in [name, *values]:
                if problem := query_value_problem(value):
                    if request.path.startswith("/api/"):
                        # The API answers in JSON, in its documented error shape.
                        return JsonResponse({"detail": f"In “{name[:40]}”: {problem}"}, status=400)
                    return render(
                        request, "400.html", {"problem": f"In “{name[:40]}”: {problem}"}, status=400
                    )
        return self.get_response(request)


class HistoryRestoreMiddleware:
    """An htmx history restore (the back button with an empty cache) gets the whole page.

    htmx sends HX-Request with it, which would make a view answer with a bare fragment; dropping
    that header before django-htmx reads it makes every view draw its full page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_HX_HISTORY_RESTORE_REQUEST") == "true":
            request.META.pop("HTTP_HX_REQUEST", None)
            request.__dict__.pop("headers", None)  # request.headers is read from META once
        return self.get_response(request)


class CacheHeadersMiddleware:
    """Signed-in pages are private to their user; pages that htmx may ask for vary on HX-Request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, private=True)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ["HX-Request"])
        return response


class MethodNotAllowedPageMiddleware:
    """A 405 (a link opened where a form must post) gets a page with the navigation, not a blank."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response
