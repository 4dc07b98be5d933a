from django.urls import path

from hearth.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/similar/", views.similar, name="similar"),
    path("search/similar/<int:topic_id>/open/", views.open_suggestion, name="open_suggestion"),
]
