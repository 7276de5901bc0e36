from django.urls import path

from sinergi.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.actor_list, name="actor_list"),
    path("new/", views.actor_create, name="actor_create"),
    path("<int:actor_id>/", views.actor_detail, name="actor_detail"),
    path("<int:actor_id>/edit/", views.actor_edit, name="actor_edit"),
    path("<int:actor_id>/nik/", views.actor_reveal_nik, name="actor_reveal_nik"),
]
