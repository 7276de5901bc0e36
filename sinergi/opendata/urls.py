from django.urls import path

from sinergi.opendata import manage_views, views

app_name = "opendata"

urlpatterns = [
    path("", views.catalogue_list, name="catalogue"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog_jsonld"),
    path("manage/", manage_views.dataset_list, name="dataset_list"),
    path("manage/new/", manage_views.dataset_create, name="dataset_create"),
    path("manage/<slug:slug>/edit/", manage_views.dataset_edit, name="dataset_edit"),
    path("<slug:slug>/", views.dataset_detail, name="dataset_detail"),
    path("<slug:slug>.csv", views.dataset_csv, name="dataset_csv"),
    path("<slug:slug>.json", views.dataset_json, name="dataset_json"),
]
