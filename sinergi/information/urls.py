from django.urls import path

from sinergi.information import staff_views, views

app_name = "information"

urlpatterns = [
    path("", views.information_index, name="information_index"),
    path("documents/<int:entry_id>/", views.entry_document, name="entry_document"),
    path("request/", views.request_create, name="request_create"),
    path("status/", views.request_status, name="request_status"),
    path("objection/", views.objection_create, name="objection_create"),
    path("requests/", staff_views.request_list, name="request_list"),
    path("requests/<int:info_request_id>/", staff_views.request_detail, name="request_detail"),
    path(
        "requests/<int:info_request_id>/<str:action>/",
        staff_views.request_action,
        name="request_action",
    ),
    path("entries/", staff_views.entry_list, name="entry_list"),
    path("entries/<int:entry_id>/delete/", staff_views.entry_delete, name="entry_delete"),
    path("holidays/", staff_views.holiday_list, name="holiday_list"),
    path("holidays/<int:holiday_id>/delete/", staff_views.holiday_delete, name="holiday_delete"),
]
