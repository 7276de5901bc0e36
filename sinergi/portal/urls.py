from django.urls import path

from sinergi.portal import views

app_name = "portal"

urlpatterns = [
    path("figures/", views.figures, name="figures"),
    path("figures/<str:code>/", views.figures, name="region_figures"),
    path("language/<str:code>/", views.language, name="language"),
]
