from django.urls import path

from sinergi.assessments import views

app_name = "assessments"
urlpatterns = [
    path("actors/<int:actor_id>/assess/", views.assessment_create, name="assessment_create"),
    path("actors/<int:actor_id>/preview/", views.assessment_preview, name="assessment_preview"),
    path("results/<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("results/<int:assessment_id>/verify/", views.assessment_verify, name="assessment_verify"),
    path("periods/", views.period_list, name="period_list"),
    path("periods/new/", views.period_create, name="period_create"),
    path("periods/<int:period_id>/status/", views.period_status, name="period_status"),
    path("periods/<int:period_id>/lock/", views.period_lock, name="period_lock"),
    path("periods/<int:period_id>/unlock/", views.period_unlock, name="period_unlock"),
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/new/", views.instrument_upload, name="instrument_upload"),
    path("instruments/<int:instrument_id>/", views.instrument_detail, name="instrument_detail"),
    path(
        "instruments/<int:instrument_id>/publish/",
        views.instrument_publish,
        name="instrument_publish",
    ),
    path(
        "instruments/<int:instrument_id>/retire/",
        views.instrument_retire,
        name="instrument_retire",
    ),
]
