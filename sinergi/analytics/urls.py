from django.urls import path

from sinergi.analytics import exports, report, views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("transitions/", views.transitions, name="transitions"),
    path("export.xlsx", exports.export_xlsx, name="export_xlsx"),
    path("export.csv", exports.export_csv, name="export_csv"),
    path("report.pdf", report.report_pdf, name="report_pdf"),
]
