"""The OpenRosa server root, /openrosa/: what a facilitator types into ODK Collect."""

from django.urls import path

from sinergi.collect import openrosa

app_name = "openrosa"
urlpatterns = [
    path("formList", openrosa.form_list, name="form_list"),
    path("submission", openrosa.submission, name="submission"),
    path("forms/<str:form_id>/<str:version>/form.xml", openrosa.form_xml, name="form_xml"),
    path(
        "forms/<str:form_id>/<str:version>/manifest", openrosa.form_manifest, name="form_manifest"
    ),
    path(
        "forms/<str:form_id>/<str:version>/media/<str:filename>",
        openrosa.form_media,
        name="form_media",
    ),
]
