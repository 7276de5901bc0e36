"""Re-scoring pages, under /mapping/rescore/ (the rest of /mapping/ is in urls.py)."""

from django.urls import path

from sinergi.assessments import rescore_views

app_name = "rescore"
urlpatterns = [
    path("new/", rescore_views.job_new, name="job_new"),
    path("<int:rescore_id>/", rescore_views.job_detail, name="job_detail"),
]
