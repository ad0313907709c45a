"""A post larger than the upload limit is answered by the page it came from, not a bare 400.

Django refuses form data past DATA_UPLOAD_MAX_MEMORY_SIZE with RequestDataTooBig when the post
is first read, which the CSRF check does before any view runs. This middleware reads it first;
if it is too large and the view was marked with `answers_post_too_large`, that view's answer
(which writes nothing) is returned. Other views keep Django's 400.
"""

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

TooLargeAnswer = Callable[..., HttpResponse]


def answers_post_too_large(answer: TooLargeAnswer):
    """Mark a view: a post too large to read gets `answer(request, *args, **kwargs)` instead.

    The answer runs without the CSRF check (the token is in the unread post), so it must write
    nothing, and it checks the right itself: the view's decorators do not run.
    """

    def mark(view):
        view.answer_post_too_large = answer
        return view

    return mark


class PostTooLargeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        answer = getattr(view_func, "answer_post_too_large", None)
        if answer is None or request.method != "POST":
            return None
        try:
            request.POST  # noqa: B018 (reading it is the check)
        except RequestDataTooBig:
            # The post cannot be read again: Django would raise the same error on every access.
            request._mark_post_parse_error()
            return answer(request, *view_args, **view_kwargs)
        return None
