from django.urls import path

from hearth.moderation import views

app_name = "moderation"

urlpatterns = [
    path("moderation/", views.queue, name="queue"),
    path("moderation/items/<int:item_id>/", views.act, name="act"),
    path("moderation/log/", views.log, name="log"),
    path("moderation/log/<int:action_id>/undo/", views.undo, name="undo"),
    path("moderation/members/<str:username>/", views.member_record, name="member"),
    path("moderation/screening/", views.screening_words, name="screening"),
    path(
        "moderation/screening/<int:word_id>/remove/",
        views.remove_screening_word,
        name="remove_screening_word",
    ),
    path("p/<int:post_id>/flag/", views.flag_post, name="flag_post"),
    path("u/<str:username>/flag/", views.flag_member, name="flag_member"),
]
