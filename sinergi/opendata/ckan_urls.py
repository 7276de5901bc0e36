from django.urls import path

from sinergi.opendata import ckan

app_name = "ckan"

urlpatterns = [
    path("package_list", ckan.package_list, name="package_list"),
    path("package_show", ckan.package_show, name="package_show"),
    path("package_search", ckan.package_search, name="package_search"),
]
