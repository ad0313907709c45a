from django.urls import path

from . import views

app_name = "articles"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_create, name="create"),
    path("fetches/<int:pk>/", views.article_fetch, name="fetch"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/text/", views.article_edit_text, name="edit_text"),
    path("<int:pk>/tag/", views.tag_claim, name="tag"),
]
