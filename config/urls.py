"""URL map: the domain apps, the site-wide pages, authentication and the admin."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.urls import account_urlpatterns, api_urls
from claims.urls import reader_urlpatterns
from pages import views as pages

from . import views
from .forms import AdminSignInForm, SignInForm

admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("", pages.dashboard, name="home"),
    path("articles/", include("articles.urls")),
    path("articles/", include(reader_urlpatterns)),
    path("claims/", include("claims.urls")),
    path("sources/", include("sources.urls")),
    path("search/", pages.search, name="search"),
    # The public output: published claims and their ClaimReview feed, no login needed.
    path("public/claims/", pages.public_index, name="public_index"),
    path("public/claims/<int:pk>/", pages.public_claim, name="public_claim"),
    path("public/claimreview.json", pages.claimreview_feed, name="claimreview_feed"),
    # Sign-in and out only: no mail is set up for password resets; an administrator resets a
    # password with `manage.py changepassword NAME`.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(account_urlpatterns)),
    # The REST API, its OpenAPI schema (/api/openapi.json) and docs (/api/docs).
    path("api/", include(api_urls)),
    path("admin/", admin.site.urls),
    path("health/", views.health, name="health"),
]

if settings.BENCHMARK_STOCK_ADMIN:
    from bench.stock_admin import site as stock_admin_site

    urlpatterns.append(path("bench/stock-admin/", stock_admin_site.urls))
