from django.urls import path

from sinergi.privacy import views

app_name = "privacy"
urlpatterns = [
    path("processing/", views.processing_list, name="processing_list"),
    path("actors/<int:actor_id>/", views.actor_privacy, name="actor_privacy"),
    path("actors/<int:actor_id>/report.pdf", views.report_pdf_view, name="actor_report_pdf"),
    path("actors/<int:actor_id>/report.json", views.report_json, name="actor_report_json"),
    path("actors/<int:actor_id>/requests/", views.request_create, name="request_create"),
    path("actors/<int:actor_id>/erase/", views.actor_erase, name="actor_erase"),
    path("requests/<int:request_id>/done/", views.request_done, name="request_done"),
]
