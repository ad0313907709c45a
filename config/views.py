"""Views of the site as a whole rather than of one app."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def health(request):
    """For load balancers and the benchmark's floor: answers through every middleware, no DB."""
    return HttpResponse("ok", content_type="text/plain")
