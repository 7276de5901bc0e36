from django.urls import path

from sinergi.partners import webhook_views as views

app_name = "webhooks"
urlpatterns = [
    path("", views.webhook_list, name="webhook_list"),
    path("new/", views.webhook_create, name="webhook_create"),
    path("<int:webhook_id>/", views.webhook_detail, name="webhook_detail"),
    path("<int:webhook_id>/edit/", views.webhook_edit, name="webhook_edit"),
    path("<int:webhook_id>/enable/", views.webhook_enable, name="webhook_enable"),
    path("<int:webhook_id>/disable/", views.webhook_disable, name="webhook_disable"),
    path("<int:webhook_id>/delete/", views.webhook_delete, name="webhook_delete"),
]
