from django.urls import path

from sinergi.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_browse, name="region_browse"),
    path("model/", views.model_region_list, name="model_region_list"),
    path("model/new/", views.model_region_create, name="model_region_create"),
    path("model/<str:code>/edit/", views.model_region_edit, name="model_region_edit"),
    path("model/<str:code>/delete/", views.model_region_delete, name="model_region_delete"),
]
