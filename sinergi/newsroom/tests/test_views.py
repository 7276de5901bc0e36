from __future__ import annotations

import pytest
from django.test import Client

from sinergi.newsroom.models import Article
from sinergi.newsroom.tests.conftest import Newsroom, draft, jpeg, published

pytestmark = pytest.mark.django_db


def _as(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # messages asserted in the source language
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_an_editor_writes_and_submits_a_reviewer_publishes(newsroom: Newsroom) -> None:
    editor = _as(newsroom.editor)
    response = editor.post(
        "/news/manage/new/",
        {
            "organisation": newsroom.kemen.pk,
            "title": "Sosialisasi model IR di Kendal",
            "lead": "Dinas memperkenalkan tahapan pemetaan.",
            "body": "<p>Isi</p><script>x()</script>",
            "category": "siaran_pers",
            "regions": "33.24",
            "cover": jpeg(),
            "cover_alt": "Ruang pertemuan",
        },
    )
    article = Article.objects.get(title="Sosialisasi model IR di Kendal")
    assert response.status_code == 302
    assert article.body == "<p>Isi</p>"
    assert article.cover
    assert editor.post(f"/news/manage/{article.pk}/submit/").status_code == 302
    refused = editor.post(f"/news/manage/{article.pk}/publish/", {}, follow=True)
    assert "Only a reviewer of Kemen PPPA may do this." in refused.content.decode()
    reviewer = _as(newsroom.reviewer)
    assert "Sosialisasi model IR di Kendal" in reviewer.get("/news/manage/").content.decode()
    reviewer.post(f"/news/manage/{article.pk}/publish/", {})
    assert Article.objects.get(pk=article.pk).status == "published"
    history = reviewer.get(f"/news/manage/{article.pk}/").context["revisions"]
    assert [(r.saved_by.username, r.status) for r in history] == [
        ("rev", "published"),
        ("ed", "review"),
        ("ed", "draft"),
    ]


def test_the_form_names_the_field_and_the_reason(newsroom: Newsroom) -> None:
    response = _as(newsroom.editor).post(
        "/news/manage/new/",
        {
            "organisation": newsroom.kemen.pk,
            "title": "Foto",
            "lead": "x",
            "body": "<p>x</p>",
            "category": "berita",
            "cover": jpeg(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "cover_alt": ["Describe the photo for readers who cannot see it."]
    }


def test_an_article_of_another_organisation_is_404(newsroom: Newsroom) -> None:
    article = draft(newsroom)
    humas = _as(newsroom.humas_jateng)
    assert humas.get(f"/news/manage/{article.pk}/").status_code == 404
    assert humas.get(f"/news/manage/{article.pk}/edit/").status_code == 404
    assert humas.post(f"/news/manage/{article.pk}/submit/").status_code == 404
    assert _as(newsroom.outsider).get("/news/manage/").status_code == 403


def test_a_reviewer_republishes_another_organisation_s_article(newsroom: Newsroom) -> None:
    original = published(newsroom)
    humas = _as(newsroom.humas_jateng)
    assert original.title in humas.get("/news/manage/").content.decode()
    response = humas.post(
        f"/news/manage/{original.pk}/republish/", {"organisation": newsroom.jateng.pk}
    )
    assert response.status_code == 302
    assert Article.objects.filter(original=original, organisation=newsroom.jateng).exists()
    # An editor without the reviewer role republishes nothing.
    assert _as(newsroom.editor).get(f"/news/manage/{original.pk}/republish/").status_code == 403


def test_a_joint_release_is_proposed_and_co_signed_from_the_pages(newsroom: Newsroom) -> None:
    article = published(newsroom)
    _as(newsroom.editor).post(
        f"/news/manage/{article.pk}/joint/", {"organisation": newsroom.jateng.pk}
    )
    joint = article.joint_releases.get()
    humas = _as(newsroom.humas_jateng)
    assert article.title in humas.get("/news/manage/").content.decode()
    humas.post(f"/news/manage/joint/{joint.pk}/accept/")
    assert article.joint_organisations() == [newsroom.jateng]
    for slug in ("kemen-pppa", "dinas-pppa-provinsi-jawa-tengah"):
        assert article.title in Client().get(f"/news/org/{slug}/").content.decode()


def test_the_newsroom_only_editor_lands_on_her_newsroom(newsroom: Newsroom) -> None:
    response = _as(newsroom.editor).get("/")
    assert response["Location"] == "/news/manage/"


def test_the_national_admin_adds_an_organisation_and_a_member(
    newsroom: Newsroom, personas: object
) -> None:
    admin = _as(personas.admin)  # type: ignore[attr-defined]
    admin.post(
        "/news/manage/organisations/",
        {"name": "Diskominfo Jawa Tengah", "kind": "diskominfo", "region": "33"},
    )
    from sinergi.newsroom.models import Organisation

    org = Organisation.objects.get(name="Diskominfo Jawa Tengah")
    assert org.slug == "diskominfo-jawa-tengah"
    assert org.region_id == "33"
    admin.post(
        f"/news/manage/organisations/{org.pk}/members/",
        {"username": "out", "role": "editor"},
    )
    assert org.members.get().user == newsroom.outsider


def test_a_reviewer_schedules_from_the_page_and_the_public_waits(newsroom: Newsroom) -> None:
    article = draft(newsroom)
    response = _as(newsroom.reviewer).post(
        f"/news/manage/{article.pk}/publish/",
        {"publish_at": "2099-01-01T08:00", "embargo_until": ""},
        follow=True,
    )
    assert "Scheduled: public from" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == "scheduled"
    assert Client().get(f"/news/{article.slug}/").status_code == 404
