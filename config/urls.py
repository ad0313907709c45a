"""URL map: the three domain apps, authentication and the admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="articles:list"), name="home"),
    path("articles/", include("articles.urls")),
    path("claims/", include("claims.urls")),
    path("sources/", include("sources.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
