"""Conditional GET: a reader whose copy is still current gets 304, and nothing is drawn."""

import hashlib
from functools import wraps

from django.contrib import messages
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import condition


def answers_conditional_get(version_of, *, same_for_everyone: bool = False):
    """Give GET responses a weak ETag made from `version_of(request, *args, **kwargs)`.

    A request whose If-None-Match carries it again is answered 304 before the view runs.
    version_of must be cheap (a small query or two), return something whose repr changes
    whenever what the response shows does, and return None where there is nothing to show (the
    view then answers, with a 404 say). The absolute URL is part of the tag: pages link to
    themselves, and the query string picks the page.

    A page for people is tagged only for anonymous readers with no message waiting: a signed-in
    reader's header carries their name and rights, which the version does not cover.
    """

    def etag(request, *args, **kwargs):
        if not same_for_everyone and (
            request.user.is_authenticated or len(messages.get_messages(request))
        ):
            return None
        version = version_of(request, *args, **kwargs)
        if version is None:
            return None
        digest = hashlib.sha256(repr((request.build_absolute_uri(), version)).encode())
        # Weak: each response carries its own CSP nonce and CSRF mask, so bytes differ.
        return f'W/"{digest.hexdigest()[:32]}"'

    def decorator(view):
        conditional_view = condition(etag_func=etag)(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = conditional_view(request, *args, **kwargs)
            if response.status_code == 304:
                # No new CSP header (as csp_override({}) does): the reader keeps the page they
                # have with the policy that came with it, whose nonce matches its scripts.
                response._csp_config = response._csp_ro_config = {}
                if not same_for_everyone:
                    patch_vary_headers(response, ["HX-Request"])  # as the page itself said
            return response

        return wrapper

    return decorator
