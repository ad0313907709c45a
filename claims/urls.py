from django.urls import path

from . import views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("mentions/<int:pk>/", views.mention_adjust, name="mention_adjust"),
    path("mentions/<int:pk>/delete/", views.mention_delete, name="mention_delete"),
    path("choices/", views.claim_choices, name="choices"),
]
