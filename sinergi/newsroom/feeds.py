"""RSS 2.0 and Atom feeds of the newsroom: the whole site, one organisation, one region
(and the regions inside it), one category. Each item is an article's public text only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from sinergi.newsroom.choices import Category
from sinergi.newsroom.models import Article, ArticleQuerySet, Organisation
from sinergi.portal.caching import public_page
from sinergi.regions.models import Region

ITEMS = 30


class Scope:
    """What a feed covers: a title, the page it mirrors and its articles."""

    def __init__(self, title: str, link: str, articles: ArticleQuerySet) -> None:
        self.title, self.link, self.articles = title, link, articles


def _articles() -> ArticleQuerySet:
    return Article.objects.public().select_related("organisation")


class NewsFeed(Feed):  # type: ignore[type-arg]  # the syndication Feed is generic only in stubs
    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    kind = "site"

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Scope:
        page = reverse("newsroom:article_list")
        if self.kind == "organisation":
            org = get_object_or_404(Organisation, slug=kwargs["organisation_slug"])
            return Scope(org.name, org.get_absolute_url(), _articles().filter(organisation=org))
        if self.kind == "region":
            region = get_object_or_404(Region, code=kwargs["code"])
            return Scope(
                region.name, f"{page}?region={region.code}", _articles().of_region(region.code)
            )
        if self.kind == "category":
            category = kwargs["category"]
            if category not in Category.values:
                raise Article.DoesNotExist
            label = str(Category(category).label)
            return Scope(
                label, f"{page}?category={category}", _articles().filter(category=category)
            )
        return Scope(_("Home industry news"), page, _articles())

    def title(self, obj: Scope) -> str:
        return f"{obj.title} · Sinergi"

    def link(self, obj: Scope) -> str:
        return obj.link

    def description(self, obj: Scope) -> str:
        return _("News of the home industry (Industri Rumahan) programme.")

    def items(self, obj: Scope) -> list[Article]:
        return list(obj.articles[:ITEMS])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.lead

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> dt.datetime:
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return item.organisation.name

    def item_categories(self, item: Article) -> list[str]:
        return [str(item.get_category_display())]


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description


def feed_views(kind: str) -> tuple[Any, Any]:
    """The RSS and the Atom view of one kind of feed, cached like the public pages."""
    rss = type(f"{kind.title()}Rss", (NewsFeed,), {"kind": kind})
    atom = type(f"{kind.title()}Atom", (AtomNewsFeed,), {"kind": kind})
    return public_page(rss()), public_page(atom())
