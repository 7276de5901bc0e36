from django.urls import path

from sinergi.newsroom import public, views
from sinergi.newsroom.feeds import feed_views

app_name = "newsroom"

site_rss, site_atom = feed_views("site")
org_rss, org_atom = feed_views("organisation")
region_rss, region_atom = feed_views("region")
category_rss, category_atom = feed_views("category")

urlpatterns = [
    path("", public.article_list, name="article_list"),
    path("feed.rss", site_rss, name="feed"),
    path("feed.atom", site_atom, name="feed_atom"),
    path("org/<slug:organisation_slug>/", public.organisation_page, name="organisation"),
    path("org/<slug:organisation_slug>/feed.rss", org_rss, name="organisation_feed"),
    path("org/<slug:organisation_slug>/feed.atom", org_atom, name="organisation_feed_atom"),
    path("region/<str:code>/feed.rss", region_rss, name="region_feed"),
    path("region/<str:code>/feed.atom", region_atom, name="region_feed_atom"),
    path("category/<str:category>/feed.rss", category_rss, name="category_feed"),
    path("category/<str:category>/feed.atom", category_atom, name="category_feed_atom"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.article_new, name="article_new"),
    path("manage/organisations/", views.organisation_list, name="organisation_list"),
    path(
        "manage/organisations/<int:organisation_id>/members/",
        views.member_add,
        name="member_add",
    ),
    path("manage/joint/<int:joint_id>/accept/", views.joint_accept, name="joint_accept"),
    path("manage/<int:article_id>/", views.article_manage, name="article_manage"),
    path("manage/<int:article_id>/edit/", views.article_edit, name="article_edit"),
    path("manage/<int:article_id>/submit/", views.article_submit, name="article_submit"),
    path("manage/<int:article_id>/publish/", views.article_publish, name="article_publish"),
    path("manage/<int:article_id>/withdraw/", views.article_withdraw, name="article_withdraw"),
    path("manage/<int:article_id>/correct/", views.article_correct, name="article_correct"),
    path("manage/<int:article_id>/joint/", views.article_joint, name="article_joint"),
    path("manage/<int:article_id>/republish/", views.article_republish, name="article_republish"),
    path("<slug:article_slug>/", public.article_page, name="article"),
    path("<slug:article_slug>/cover.jpg", public.article_cover, name="article_cover"),
]
