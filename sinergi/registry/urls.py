from django.urls import path

from sinergi.registry import exports, views

app_name = "registry"
urlpatterns = [
    path("", views.actor_list, name="actor_list"),
    path("new/", views.actor_create, name="actor_create"),
    path("export.xlsx", exports.export_xlsx, name="actor_export_xlsx"),
    path("export.csv", exports.export_csv, name="actor_export_csv"),
    path("<int:actor_id>/", views.actor_detail, name="actor_detail"),
    path("<int:actor_id>/edit/", views.actor_edit, name="actor_edit"),
    path("<int:actor_id>/nik/", views.actor_reveal_nik, name="actor_reveal_nik"),
]
