from django.urls import path

from . import views

app_name = "articles"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_create, name="create"),
    path("<int:pk>/details/", views.article_edit, name="edit"),
    path("fetches/<int:pk>/", views.article_fetch, name="fetch"),
]
