from django.urls import path

from sinergi.collect import views

app_name = "collect"
urlpatterns = [
    path("actors/import/", views.import_upload, name="import_upload"),
    path("actors/import/template.xlsx", views.import_template, name="import_template"),
    path("imports/<int:job_id>/", views.job_detail, name="job_detail"),
    path("imports/<int:job_id>/report.xlsx", views.job_report, name="job_report"),
]
