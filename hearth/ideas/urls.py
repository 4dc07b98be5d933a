from django.urls import path

from hearth.ideas import views

app_name = "ideas"

urlpatterns = [
    path("ideas/", views.idea_list, name="list"),
    path("ideas/roadmap/", views.roadmap, name="roadmap"),
    path("ideas/new/", views.new_idea, name="new"),
    path("ideas/similar/", views.similar, name="similar"),
    path("ideas/export.csv", views.export, name="export"),
    path("ideas/b/<slug:slug>/", views.idea_list, name="board"),
    path("ideas/<int:idea_id>/", views.idea, name="idea"),
    path("ideas/<int:idea_id>/vote/", views.vote, name="vote"),
    path("ideas/<int:idea_id>/unvote/", views.unvote, name="unvote"),
    path("ideas/<int:idea_id>/follow/", views.follow, name="follow"),
    path("ideas/<int:idea_id>/unfollow/", views.unfollow, name="unfollow"),
    path("ideas/<int:idea_id>/comment/", views.comment, name="comment"),
    path("ideas/<int:idea_id>/<str:action>/", views.staff_action, name="action"),
    path("ideas/comments/<int:comment_id>/delete/", views.delete_comment, name="delete_comment"),
]
