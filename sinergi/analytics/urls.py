from django.urls import path

from sinergi.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("transitions/", views.transitions, name="transitions"),
]
