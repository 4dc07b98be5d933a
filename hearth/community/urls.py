from django.urls import path

from hearth.community import views

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("latest/", views.latest, name="latest"),
    path("questions/", views.questions, name="questions"),
    path("s/<slug:slug>/", views.space, name="space"),
    path("s/<slug:slug>/new/", views.new_topic, name="new_topic"),
    path("t/<slug:slug>/<int:topic_id>/", views.topic, name="topic"),
    path("t/<int:topic_id>/reply/", views.reply, name="reply"),
    path("t/<int:topic_id>/unaccept/", views.unaccept_answer, name="unaccept"),
    path("t/<int:topic_id>/<str:action>/", views.topic_staff_action, name="topic_action"),
    path("p/<int:post_id>/", views.post_permalink, name="post"),
    path("p/<int:post_id>/edit/", views.edit_post, name="edit_post"),
    path("p/<int:post_id>/accept/", views.accept_answer, name="accept"),
    path("p/<int:post_id>/history/", views.post_history, name="post_history"),
    path("p/<int:post_id>/delete/", views.delete_post, name="delete_post"),
    path("p/<int:post_id>/wiki/", views.set_post_wiki, {"wiki": True}, name="make_wiki"),
    path("p/<int:post_id>/unwiki/", views.set_post_wiki, {"wiki": False}, name="stop_wiki"),
    path("p/<int:post_id>/react/<str:kind>/", views.react, name="react"),
    path("u/<str:username>/", views.profile, name="profile"),
    path("watch/<str:kind>/<str:key>/", views.watch, name="watch"),
]
