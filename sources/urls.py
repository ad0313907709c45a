from django.urls import path

from . import views

app_name = "sources"
urlpatterns = [
    path("", views.source_list, name="list"),
    path("new/", views.source_create, name="create"),
    path("<int:pk>/", views.source_detail, name="detail"),
    path("<int:pk>/edit/", views.source_edit, name="edit"),
    path("<int:pk>/fetch/", views.source_fetch_request, name="fetch_request"),
    path("fetches/<int:pk>/", views.source_fetch, name="fetch"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot"),
    path("outlets/", views.outlet_list, name="outlets"),
    path("outlets/new/", views.outlet_create, name="outlet_create"),
    path("outlets/<int:pk>/", views.outlet_detail, name="outlet"),
    path("outlets/<int:pk>/edit/", views.outlet_edit, name="outlet_edit"),
    path("fact-checks/", views.factcheck_list, name="factchecks"),
    path("fact-checks/<int:pk>/", views.factcheck_detail, name="factcheck"),
    path("fact-checks/import/", views.factcheck_import, name="factcheck_import"),
    path(
        "fact-checks/import/<int:pk>/",
        views.factcheck_import_status,
        name="factcheck_import_status",
    ),
]
