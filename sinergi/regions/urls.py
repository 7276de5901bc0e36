from django.urls import path

from sinergi.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_browse, name="region_browse"),
    path("model/", views.model_region_list, name="model_region_list"),
]
