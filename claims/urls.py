from django.urls import path

from . import views, webhook_views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/edit/", views.claim_edit, name="edit"),
    path("<int:pk>/publish/", views.claim_publish, name="publish"),
    path("<int:pk>/history/", views.claim_history_page, name="history"),
    path("<int:pk>/annotations.jsonld", views.claim_annotations, name="annotations"),
    path("<int:pk>/merge/", views.claim_merge, name="merge"),
    path("export.csv", views.claim_export, {"fmt": "csv"}, name="export_csv"),
    path("export.json", views.claim_export, {"fmt": "json"}, name="export_json"),
    path("queue/", views.review_queue, name="queue"),
    path("mine/", views.my_claims, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("mentions/<int:pk>/", views.mention_adjust, name="mention_adjust"),
    path("mentions/<int:pk>/delete/", views.mention_delete, name="mention_delete"),
    path("mentions/<int:pk>/confirm/", views.mention_confirm, name="mention_confirm"),
    path("choices/", views.claim_choices, name="choices"),
    path("similar/", views.similar_claims, name="similar"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("<int:pk>/evidence/sources/", views.evidence_sources, name="evidence_sources"),
    path("evidence/<int:pk>/", views.evidence_edit, name="evidence_edit"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("<int:pk>/checked-elsewhere/", views.external_check_link, name="external_check_link"),
    path(
        "checked-elsewhere/<int:pk>/delete/",
        views.external_check_unlink,
        name="external_check_unlink",
    ),
    path("webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("webhooks/new/", webhook_views.webhook_create, name="webhook_create"),
    path("webhooks/<int:pk>/", webhook_views.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/edit/", webhook_views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/rotate/", webhook_views.webhook_rotate, name="webhook_rotate"),
    path(
        "webhooks/<int:pk>/deactivate/",
        webhook_views.webhook_deactivate,
        name="webhook_deactivate",
    ),
    path("webhooks/<int:pk>/delete/", webhook_views.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:pk>/ping/", webhook_views.webhook_ping, name="webhook_ping"),
    # Last, so that it never shadows a named path such as <pk>/evidence/.
    path("<int:pk>/<slug:step>/", views.claim_step, name="step"),
]

# The reader lives at /articles/<pk>/ beside the article pages, but shows claims, so it is here.
reader_urlpatterns = (
    [
        path("<int:pk>/", views.article_detail, name="article"),
        path("<int:pk>/text/", views.article_edit_text, name="edit_text"),
        path("<int:pk>/tag/", views.tag_claim, name="tag"),
        path("<int:pk>/annotations.jsonld", views.article_annotations, name="annotations"),
        path("<int:pk>/annotations/import/", views.annotations_import, name="annotations_import"),
    ],
    "reader",
)
