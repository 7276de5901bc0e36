"""The newsroom's public pages: the news list with its filters, an article, an
organisation, an article's cover photo. Anonymous, cached until what the public sees
changes, no JavaScript; nothing here reads the registry."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from sinergi.newsroom.forms import FilterForm
from sinergi.newsroom.models import Article, ArticleQuerySet, Organisation
from sinergi.portal.caching import public_page

PAGE_SIZE = 10


def listed(queryset: ArticleQuerySet) -> ArticleQuerySet:
    return queryset.public().select_related("organisation", "original__organisation")


def filtered(form: FilterForm) -> tuple[ArticleQuerySet, dict[str, str]]:
    """The public articles the filters pick, and the feeds (RSS, Atom) of the narrowest
    choice made (the category, else the region, else the organisation)."""
    articles = listed(Article.objects.all())
    feed: tuple[str, list[str]] = ("feed", [])
    if form.is_valid():
        data = form.cleaned_data
        if data["organisation"] is not None:
            articles = articles.filter(organisation=data["organisation"])
            feed = ("organisation_feed", [data["organisation"].slug])
        if data["region"]:
            articles = articles.of_region(data["region"])
            feed = ("region_feed", [data["region"]])
        if data["category"]:
            articles = articles.filter(category=data["category"])
            feed = ("category_feed", [data["category"]])
    name, args = feed
    return articles, {
        "rss": reverse(f"newsroom:{name}", args=args),
        "atom": reverse(f"newsroom:{name}_atom", args=args),
    }


@require_GET
@public_page
def article_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    articles, feed = filtered(form)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "feed": feed, "query": query.urlencode()}
    return render(request, "newsroom/article_list.html", context)


def public_article(slug: str) -> Article:
    return get_object_or_404(listed(Article.objects.all()), slug=slug)


@require_GET
@public_page
def article_page(request: HttpRequest, article_slug: str) -> HttpResponse:
    article = public_article(article_slug)
    canonical = article.original if article.original is not None else article
    context = {
        "article": article,
        "canonical": request.build_absolute_uri(canonical.get_absolute_url()),
        "corrections": article.corrections.all(),
        "joint": article.joint_organisations(),
        "republications": listed(article.republications.all()),
    }
    return render(request, "newsroom/article_detail.html", context)


@require_GET
def article_cover(request: HttpRequest, article_slug: str) -> FileResponse:
    article = public_article(article_slug)
    if not article.cover:
        raise Http404
    response = FileResponse(article.cover.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
@public_page
def organisation_page(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.select_related("region"), slug=organisation_slug
    )
    own = Article.objects.filter(organisation=organisation)
    joint = Article.objects.filter(
        joint_releases__organisation=organisation, joint_releases__status="accepted"
    )
    articles = listed(own | joint).distinct()
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"organisation": organisation, "page": page}
    return render(request, "newsroom/organisation_detail.html", context)
