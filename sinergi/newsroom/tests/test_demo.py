from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.demo.data import PASSWORD
from sinergi.demo.scenario import load_demo
from sinergi.newsroom.models import Article
from sinergi.registry.models import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_mode(settings: Any) -> None:
    settings.DEMO_MODE = True


def test_the_demo_newsroom_has_a_dozen_articles_one_republished_one_scheduled() -> None:
    load_demo(actors=40)
    public = Article.objects.public()
    assert public.count() == 11
    assert public.filter(original__isnull=False).count() == 1
    assert Article.objects.filter(status="scheduled").count() == 1
    assert Article.objects.filter(status="review").count() == 1
    assert public.values("organisation").distinct().count() == 4
    assert public.values("category").distinct().count() == 4
    assert load_demo(actors=40).created["articles"] == 0


def test_the_demo_newsroom_logins_sign_in_to_their_newsroom() -> None:
    load_demo(actors=40)
    for username in ("humas-kemenpppa", "humas-jateng"):
        client = Client()
        assert client.login(username=username, password=PASSWORD)
        assert client.get("/")["Location"] == "/news/manage/"
        assert client.get("/news/manage/").status_code == 200
    queue = Client()
    queue.login(username="humas-jateng", password=PASSWORD)
    assert "Republish" in queue.get("/news/manage/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_no_public_page_of_the_demo_names_a_demo_actor() -> None:
    load_demo(actors=40)
    names = list(Actor.objects.values_list("name", flat=True))
    paths = ["/news/", "/news/feed.rss", "/news/feed.atom", "/sitemap.xml"]
    paths += [a.get_absolute_url() for a in Article.objects.public()]
    paths += [
        f"/news/org/{slug}/"
        for slug in Article.objects.values_list("organisation__slug", flat=True).distinct()
    ]
    for path in paths:
        page = Client().get(path).content.decode()
        assert not [n for n in names if n in page], path
