from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.i18n import set_language

from sinergi import views
from sinergi.api import api
from sinergi.newsroom.sitemaps import SITEMAPS
from sinergi.portal.caching import public_page

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("about/", views.about, name="about"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("sinergi.accounts.urls")),
    path("regions/", include("sinergi.regions.urls")),
    path("actors/", include("sinergi.registry.urls")),
    path("collect/", include("sinergi.collect.urls")),
    path("openrosa/", include("sinergi.collect.openrosa_urls")),
    path("mapping/rescore/", include("sinergi.assessments.rescore_urls")),
    path("mapping/", include("sinergi.assessments.urls")),
    path("audit/", include("sinergi.audit.urls")),
    path("analytics/", include("sinergi.analytics.urls")),
    path("partners/monitoring/", include("sinergi.partners.monitoring_urls")),
    path("privacy/", include("sinergi.privacy.urls")),
    path("partners/webhooks/", include("sinergi.partners.webhook_urls")),
    path("partners/", include("sinergi.partners.urls")),
    path("news/", include("sinergi.newsroom.urls")),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("data/", include("sinergi.opendata.urls")),
    path("api/3/action/", include("sinergi.opendata.ckan_urls")),
    path("information/", include("sinergi.information.urls")),
    path("", include("sinergi.portal.urls")),
    path("api/v1/", api.urls),
]
