from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sinergi.audit.models import AuditEvent
from sinergi.newsroom import services
from sinergi.newsroom.models import Article
from sinergi.newsroom.tests.conftest import Newsroom, draft, published
from sinergi.portal.caching import public_version

pytestmark = pytest.mark.django_db


def test_an_article_goes_from_draft_through_review_to_published(newsroom: Newsroom) -> None:
    article = draft(newsroom)
    assert article.status == "draft"
    assert article.slug == "pelatihan-pembukuan-di-rembang"
    services.submit_for_review(user=newsroom.editor, article=article)
    assert article.status == "review"
    services.publish_article(user=newsroom.reviewer, article=article)
    assert article.status == "published"
    assert Article.objects.public().filter(pk=article.pk).exists()
    notes = list(article.revisions.order_by("number").values_list("status", flat=True))
    assert notes == ["draft", "review", "published"]


def test_slugs_are_readable_and_never_repeat_or_take_a_reserved_path(newsroom: Newsroom) -> None:
    first = draft(newsroom, "Hari Ibu 2026")
    second = draft(newsroom, "Hari Ibu 2026")
    manage = draft(newsroom, "Manage")
    assert (first.slug, second.slug) == ("hari-ibu-2026", "hari-ibu-2026-2")
    assert manage.slug == "manage-2"


def test_an_editor_cannot_publish_without_the_reviewer_role(newsroom: Newsroom) -> None:
    article = draft(newsroom)
    services.submit_for_review(user=newsroom.editor, article=article)
    with pytest.raises(services.Refused) as refused:
        services.publish_article(user=newsroom.editor, article=article)
    assert refused.value.errors == {"status": ["Only a reviewer of Kemen PPPA may do this."]}
    assert Article.objects.get(pk=article.pk).status == "review"


def test_a_member_of_one_organisation_cannot_touch_another_s_articles(newsroom: Newsroom) -> None:
    article = draft(newsroom)
    with pytest.raises(services.Refused, match="You do not write for Kemen PPPA"):
        services.change_article(
            user=newsroom.humas_jateng,
            article=article,
            data=services.ArticleData(title="x", lead="x", body="<p>x</p>", category="berita"),
        )
    with pytest.raises(services.Refused, match="Only a reviewer of Kemen PPPA"):
        services.publish_article(user=newsroom.humas_jateng, article=article)
    with pytest.raises(services.Refused, match="You do not write for Dinas PPPA"):
        services.write_article(
            user=newsroom.editor,
            organisation=newsroom.jateng,
            data=services.ArticleData(title="x", lead="x", body="<p>x</p>", category="berita"),
        )


def test_steps_out_of_order_are_refused_with_the_reason(newsroom: Newsroom) -> None:
    article = published(newsroom)
    with pytest.raises(services.Refused) as refused:
        services.submit_for_review(user=newsroom.editor, article=article)
    assert refused.value.errors == {"status": ["Not possible while the article is published."]}
    with pytest.raises(services.Refused, match="required"):
        services.correct_article(user=newsroom.editor, article=article, note=" ")
    with pytest.raises(services.Refused, match="Say why"):
        services.withdraw_article(user=newsroom.reviewer, article=article, reason="")
    with pytest.raises(services.Refused, match="Not possible while the article is draft"):
        services.correct_article(user=newsroom.editor, article=draft(newsroom), note="x")


def test_a_scheduled_article_is_not_public_before_its_time(newsroom: Newsroom) -> None:
    article = draft(newsroom)
    later = timezone.now() + timedelta(hours=3)
    services.publish_article(user=newsroom.reviewer, article=article, publish_at=later)
    assert article.status == "scheduled"
    assert not Article.objects.public().filter(pk=article.pk).exists()
    assert services.publish_due() == 0
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    # Public from its time on, even before the periodic task has marked it published.
    assert Article.objects.public().filter(pk=article.pk).exists()
    assert services.publish_due() == 1
    assert Article.objects.get(pk=article.pk).status == "published"
    assert services.publish_due() == 0


def test_an_embargo_holds_back_an_article_published_now(newsroom: Newsroom) -> None:
    embargo = timezone.now() + timedelta(days=1)
    article = draft(newsroom)
    services.publish_article(user=newsroom.reviewer, article=article, embargo_until=embargo)
    assert article.status == "scheduled"
    assert article.published_at == embargo
    assert not Article.objects.public().filter(pk=article.pk).exists()


def test_the_periodic_task_publishes_what_is_due() -> None:
    from sinergi.newsroom import tasks

    tasks.publish_scheduled.call_local()


def test_withdrawing_takes_it_off_the_public_and_changes_the_public_version(
    newsroom: Newsroom, django_capture_on_commit_callbacks: object
) -> None:
    article = published(newsroom)
    before = public_version()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.withdraw_article(user=newsroom.reviewer, article=article, reason="Data keliru")
    assert public_version() > before
    assert not Article.objects.public().filter(pk=article.pk).exists()


def test_a_correction_note_is_kept_with_a_revision(newsroom: Newsroom) -> None:
    article = published(newsroom)
    services.correct_article(
        user=newsroom.editor,
        article=article,
        note="Jumlah peserta diperbaiki.",
        data=services.ArticleData(
            title=article.title, lead=article.lead, body="<p>30 peserta.</p>", category="berita"
        ),
    )
    assert article.corrections.get().note == "Jumlah peserta diperbaiki."
    assert article.revisions.first().body == "<p>30 peserta.</p>"
    assert article.revisions.count() == 4


def test_another_organisation_republishes_with_attribution(newsroom: Newsroom) -> None:
    original = published(newsroom)
    copy = services.republish_article(
        user=newsroom.humas_jateng, original=original, organisation=newsroom.jateng
    )
    assert copy.original == original
    assert copy.organisation == newsroom.jateng
    assert copy.status == "published"
    assert copy.slug != original.slug
    with pytest.raises(services.Refused, match="republished this article already"):
        services.republish_article(
            user=newsroom.humas_jateng, original=original, organisation=newsroom.jateng
        )
    with pytest.raises(services.Refused, match="cannot republish its own"):
        services.republish_article(
            user=newsroom.reviewer, original=original, organisation=newsroom.kemen
        )


def test_a_draft_cannot_be_republished(newsroom: Newsroom) -> None:
    with pytest.raises(services.Refused, match="published original"):
        services.republish_article(
            user=newsroom.humas_jateng, original=draft(newsroom), organisation=newsroom.jateng
        )


def test_a_joint_release_needs_the_invited_organisation_s_reviewer(newsroom: Newsroom) -> None:
    article = published(newsroom)
    joint = services.propose_joint_release(
        user=newsroom.editor, article=article, organisation=newsroom.jateng
    )
    with pytest.raises(services.Refused, match="Only a reviewer of Dinas PPPA"):
        services.accept_joint_release(user=newsroom.reviewer, joint=joint)
    services.accept_joint_release(user=newsroom.humas_jateng, joint=joint)
    assert article.joint_organisations() == [newsroom.jateng]
    with pytest.raises(services.Refused, match="invited already"):
        services.propose_joint_release(
            user=newsroom.editor, article=article, organisation=newsroom.jateng
        )


def test_only_the_national_admin_manages_organisations_and_members(
    newsroom: Newsroom,
) -> None:
    with pytest.raises(services.Refused, match="national admin"):
        services.create_organisation(user=newsroom.reviewer, name="X", kind="other")
    with pytest.raises(services.Refused, match="national admin"):
        services.add_member(
            user=newsroom.reviewer,
            organisation=newsroom.kemen,
            member=newsroom.outsider,
            role="reviewer",
        )


def test_every_write_leaves_one_audit_row(newsroom: Newsroom) -> None:
    before = AuditEvent.objects.filter(object_type="article").count()
    article = draft(newsroom)
    services.submit_for_review(user=newsroom.editor, article=article)
    services.publish_article(user=newsroom.reviewer, article=article)
    rows = AuditEvent.objects.filter(object_type="article", object_id=str(article.pk))
    assert AuditEvent.objects.filter(object_type="article").count() - before == 3
    assert [r.username for r in rows.order_by("pk")] == ["ed", "ed", "rev"]
