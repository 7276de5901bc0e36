from django.urls import path

from sinergi.partners import monitoring_exports, monitoring_views

app_name = "partners_monitoring"
urlpatterns = [
    path("", monitoring_views.dashboard, name="dashboard"),
    path("export.xlsx", monitoring_exports.export_xlsx, name="export_xlsx"),
    path("export.csv", monitoring_exports.export_csv, name="export_csv"),
]
