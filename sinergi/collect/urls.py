from django.urls import path

from sinergi.collect import odk_views, views

app_name = "collect"
urlpatterns = [
    path("actors/import/", views.import_upload, name="import_upload"),
    path("actors/import/template.xlsx", views.import_template, name="import_template"),
    path("imports/<int:job_id>/", views.job_detail, name="job_detail"),
    path("imports/<int:job_id>/report.xlsx", views.job_report, name="job_report"),
]
urlpatterns += [
    path("odk/", odk_views.odk_setup, name="odk_setup"),
    path("forms/<int:instrument_id>/xlsform.xlsx", odk_views.form_xlsform, name="form_xlsform"),
    path("forms/<int:instrument_id>/xform.xml", odk_views.form_xform, name="form_xform"),
    path("submissions/", odk_views.submission_list, name="submission_list"),
    path("submissions/<int:pk>/", odk_views.submission_detail, name="submission_detail"),
    path(
        "submissions/<int:pk>/reprocess",
        odk_views.submission_reprocess,
        name="submission_reprocess",
    ),
    path("submissions/<int:pk>/dismiss", odk_views.submission_dismiss, name="submission_dismiss"),
    path(
        "submissions/<int:pk>/files/<int:file_id>",
        odk_views.submission_file,
        name="submission_file",
    ),
    path("results/import/", views.results_import_upload, name="results_import_upload"),
    path(
        "results/import/template.xlsx",
        views.results_import_template,
        name="results_import_template",
    ),
]
