"""Every route, every persona: what a GET answers. A new route without a row here fails."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from sinergi.accounts.choices import Role
from sinergi.accounts.models import User
from sinergi.assessments.models import RescoreJob
from sinergi.assessments.services import create_period, load_default_instrument, submit_assessment
from sinergi.assessments.tests.test_results import BEGINNER
from sinergi.collect.choices import SubmissionStatus
from sinergi.collect.models import ImportJob, Submission, SubmissionFile
from sinergi.information import services as information
from sinergi.lib.jobs import JobStatus
from sinergi.newsroom import services as news
from sinergi.opendata.services import DatasetData, save_dataset
from sinergi.partners import services as partners
from sinergi.partners.models import Partner, ReferralBatch, Webhook
from sinergi.partners.webhooks import seal
from sinergi.regions.models import ModelRegion
from sinergi.test import ActorFactory, Personas, make_user

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "jateng", "rembang", "kendal", "pendamping", "viewer")
LOGIN = "login"  # anonymous page request: redirect to the login page

# path template -> (anonymous, then one status per persona in PERSONAS order)
MATRIX: dict[str, tuple[Any, ...]] = {
    "": (200, 302, 302, 302, 302, 302, 302),  # the public portal for the anonymous
    # The public portal: the same for everyone.
    "figures/": (200, 200, 200, 200, 200, 200, 200),
    "figures/33.17/": (404, 404, 404, 404, 404, 404, 404),  # nothing published here
    "language/33.17/": (404, 404, 404, 404, 404, 404, 404),  # only id and en
    # Open data: the public catalogue, its files and harvest endpoints; the walidata's pages
    # are the national admin's.
    "data/": (200, 200, 200, 200, 200, 200, 200),
    "data/catalog.jsonld": (200, 200, 200, 200, 200, 200, 200),
    "data/{dataset}/": (200, 200, 200, 200, 200, 200, 200),
    "data/{dataset}.csv": (200, 200, 200, 200, 200, 200, 200),
    "data/{dataset}.json": (200, 200, 200, 200, 200, 200, 200),
    "data/manage/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "data/manage/new/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "data/manage/{dataset}/edit/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "api/3/action/package_list": (200, 200, 200, 200, 200, 200, 200),
    "api/3/action/package_show": (409, 409, 409, 409, 409, 409, 409),  # ?id= is required
    "api/3/action/package_search": (200, 200, 200, 200, 200, 200, 200),
    "healthz": (200, 200, 200, 200, 200, 200, 200),
    "about/": (200, 200, 200, 200, 200, 200, 200),
    "i18n/setlang/": (302, 302, 302, 302, 302, 302, 302),  # GET only redirects back
    "accounts/login/": (200, 302, 302, 302, 302, 302, 302),
    "accounts/logout/": (405, 405, 405, 405, 405, 405, 405),
    "accounts/password/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "accounts/password/done/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "accounts/users/": (LOGIN, 200, 200, 200, 200, 403, 403),
    "accounts/users/new/": (LOGIN, 200, 200, 200, 200, 403, 403),
    "accounts/users/{user}/": (LOGIN, 200, 200, 200, 404, 403, 403),
    "accounts/users/{user}/tokens/": (LOGIN, 200, 200, 200, 404, 403, 403),
    "accounts/tokens/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "regions/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "regions/model/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "regions/model/new/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "regions/model/33.17/edit/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "regions/model/33.17/delete/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "actors/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "actors/new/": (LOGIN, 200, 200, 200, 200, 200, 403),
    "actors/export.xlsx": (LOGIN, 200, 200, 200, 200, 200, 200),
    "actors/export.csv": (LOGIN, 200, 200, 200, 200, 200, 200),
    "actors/{actor}/": (LOGIN, 200, 200, 200, 404, 200, 200),
    "actors/{actor}/edit/": (LOGIN, 200, 200, 200, 404, 200, 403),
    "actors/{actor}/nik/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "collect/actors/import/": (LOGIN, 200, 200, 200, 200, 200, 403),
    "collect/actors/import/template.xlsx": (LOGIN, 200, 200, 200, 200, 200, 403),
    "collect/results/import/": (LOGIN, 200, 200, 200, 200, 200, 403),
    "collect/results/import/template.xlsx": (LOGIN, 200, 200, 200, 200, 200, 403),
    "collect/imports/{job}/": (LOGIN, 200, 404, 200, 404, 404, 403),
    "collect/imports/{job}/report.xlsx": (LOGIN, 200, 404, 200, 404, 404, 403),
    "collect/odk/": (LOGIN, 200, 200, 200, 200, 200, 403),
    "collect/forms/{instrument}/xlsform.xlsx": (LOGIN, 200, 200, 200, 200, 200, 403),
    "collect/forms/{instrument}/xform.xml": (LOGIN, 200, 200, 200, 200, 200, 403),
    "collect/submissions/": (LOGIN, 200, 200, 200, 200, 200, 200),  # each sees her own part
    "collect/submissions/{submission}/": (LOGIN, 200, 200, 200, 404, 200, 404),
    "collect/submissions/{submission}/reprocess": (LOGIN, 405, 405, 405, 405, 405, 405),
    "collect/submissions/{submission}/dismiss": (LOGIN, 405, 405, 405, 405, 405, 405),
    "collect/submissions/{submission}/files/{file}": (LOGIN, 200, 200, 200, 404, 200, 404),
    # OpenRosa: HTTP Basic only; a session cookie never signs anyone in here.
    "openrosa/formList": (401, 401, 401, 401, 401, 401, 401),
    "openrosa/submission": (405, 405, 405, 405, 405, 405, 405),  # HEAD and POST only
    "openrosa/forms/ir-default/2026.1/form.xml": (401, 401, 401, 401, 401, 401, 401),
    "openrosa/forms/ir-default/2026.1/manifest": (401, 401, 401, 401, 401, 401, 401),
    "openrosa/forms/ir-default/2026.1/media/actors.csv": (401, 401, 401, 401, 401, 401, 401),
    "audit/": (LOGIN, 200, 200, 403, 403, 403, 403),
    "analytics/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "analytics/transitions/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "analytics/export.xlsx": (LOGIN, 200, 200, 200, 200, 200, 200),
    "analytics/export.csv": (LOGIN, 200, 200, 200, 200, 200, 200),
    "analytics/report.pdf": (LOGIN, 200, 200, 200, 200, 200, 200),
    "partners/monitoring/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "partners/monitoring/export.xlsx": (LOGIN, 200, 200, 200, 200, 200, 200),
    "partners/monitoring/export.csv": (LOGIN, 200, 200, 200, 200, 200, 200),
    "mapping/actors/{actor}/assess/": (LOGIN, 200, 200, 200, 404, 200, 403),
    "mapping/actors/{actor}/preview/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "mapping/results/{result}/": (LOGIN, 200, 200, 200, 404, 200, 200),
    "mapping/results/{result}/verify/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "mapping/periods/": (LOGIN, 200, 404, 200, 200, 404, 404),
    "mapping/periods/new/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "mapping/periods/{period}/status/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "mapping/periods/{period}/lock/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "mapping/periods/{period}/unlock/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "mapping/instruments/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "mapping/instruments/new/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "mapping/instruments/{instrument}/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "mapping/instruments/{instrument}/publish/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "mapping/instruments/{instrument}/retire/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "mapping/rescore/new/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "mapping/rescore/{rescore}/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "privacy/processing/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "privacy/actors/{actor}/": (LOGIN, 200, 200, 200, 404, 403, 403),
    "privacy/actors/{actor}/report.pdf": (LOGIN, 200, 200, 200, 404, 403, 403),
    "privacy/actors/{actor}/report.json": (LOGIN, 200, 200, 200, 404, 403, 403),
    "privacy/actors/{actor}/requests/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "privacy/actors/{actor}/erase/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "privacy/requests/1/done/": (LOGIN, 405, 405, 405, 405, 405, 405),
    # Partners: members read; officers whose region holds a partner change it (the
    # national one: the national admin; others 403, as they read it); the inbox is the
    # partner's staff's (partner personas: partners/tests).
    "partners/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "partners/new/": (LOGIN, 200, 200, 200, 200, 403, 403),
    "partners/{partner}/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "partners/{partner}/edit/": (LOGIN, 200, 403, 403, 403, 403, 403),
    "partners/{partner}/agreements/new/": (LOGIN, 200, 403, 403, 403, 403, 403),
    "partners/{partner}/offers/new/": (LOGIN, 200, 403, 403, 403, 403, 403),
    "partners/{partner}/staff/new/": (LOGIN, 200, 403, 403, 403, 403, 403),
    "partners/agreements/{agreement}/document/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "partners/offers/{offer}/edit/": (LOGIN, 200, 403, 403, 403, 403, 403),
    "partners/matches/": (LOGIN, 200, 200, 200, 200, 200, 403),
    "partners/referrals/": (LOGIN, 200, 200, 200, 200, 200, 200),
    "partners/referrals/new/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners/referrals/{referral}/": (LOGIN, 200, 200, 200, 404, 200, 200),
    "partners/batches/new/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners/batches/{batch}/": (LOGIN, 200, 404, 404, 404, 200, 404),
    "partners/inbox/": (LOGIN, 403, 403, 403, 403, 403, 403),
    "partners/inbox/{referral}/": (LOGIN, 403, 403, 403, 403, 403, 403),
    # Webhooks: the partner's staff and the national admin (partner personas: partners/tests).
    "partners/webhooks/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "partners/webhooks/new/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "partners/webhooks/{webhook}/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "partners/webhooks/{webhook}/edit/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "partners/webhooks/{webhook}/enable/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners/webhooks/{webhook}/disable/": (LOGIN, 405, 405, 405, 405, 405, 405),
    "partners/webhooks/{webhook}/delete/": (LOGIN, 405, 405, 405, 405, 405, 405),
    # The newsroom: public pages and feeds for everyone; its working pages for its editors
    # and reviewers (none of these personas: newsroom/tests) and the national admin, who
    # manages organisations and members but writes for none.
    "news/": (200, 200, 200, 200, 200, 200, 200),
    "news/feed.rss": (200, 200, 200, 200, 200, 200, 200),
    "news/feed.atom": (200, 200, 200, 200, 200, 200, 200),
    "news/org/{org_slug}/": (200, 200, 200, 200, 200, 200, 200),
    "news/org/{org_slug}/feed.rss": (200, 200, 200, 200, 200, 200, 200),
    "news/org/{org_slug}/feed.atom": (200, 200, 200, 200, 200, 200, 200),
    "news/region/33.17/feed.rss": (200, 200, 200, 200, 200, 200, 200),
    "news/region/33.17/feed.atom": (200, 200, 200, 200, 200, 200, 200),
    "news/category/berita/feed.rss": (200, 200, 200, 200, 200, 200, 200),
    "news/category/berita/feed.atom": (200, 200, 200, 200, 200, 200, 200),
    "news/{article_slug}/": (200, 200, 200, 200, 200, 200, 200),
    "news/{article_slug}/cover.jpg": (200, 200, 200, 200, 200, 200, 200),
    "news/manage/": (LOGIN, 200, 403, 403, 403, 403, 403),
    "news/manage/new/": (LOGIN, 403, 403, 403, 403, 403, 403),  # writes for no organisation
    "news/manage/organisations/": (LOGIN, 200, 403, 403, 403, 403, 403),
    "news/manage/organisations/{organisation}/members/": (LOGIN, 200, 403, 403, 403, 403, 403),
    "news/manage/joint/{joint}/accept/": (LOGIN, 405, 403, 403, 403, 403, 403),
    "news/manage/{article}/": (LOGIN, 404, 403, 403, 403, 403, 403),
    "news/manage/{article}/edit/": (LOGIN, 404, 403, 403, 403, 403, 403),
    "news/manage/{article}/submit/": (LOGIN, 405, 403, 403, 403, 403, 403),
    "news/manage/{article}/publish/": (LOGIN, 405, 403, 403, 403, 403, 403),
    "news/manage/{article}/withdraw/": (LOGIN, 405, 403, 403, 403, 403, 403),
    "news/manage/{article}/correct/": (LOGIN, 405, 403, 403, 403, 403, 403),
    "news/manage/{article}/joint/": (LOGIN, 405, 403, 403, 403, 403, 403),
    "news/manage/{article}/republish/": (LOGIN, 403, 403, 403, 403, 403, 403),
    "sitemap.xml": (200, 200, 200, 200, 200, 200, 200),
    # Public information (UU KIP): the public pages for everyone; the requests, the periodic
    # information and the holidays are the national admin's (for anyone else, not found).
    "information/": (200, 200, 200, 200, 200, 200, 200),
    "information/documents/{entry}/": (200, 200, 200, 200, 200, 200, 200),
    "information/request/": (200, 200, 200, 200, 200, 200, 200),
    "information/status/": (200, 200, 200, 200, 200, 200, 200),
    "information/objection/": (405, 405, 405, 405, 405, 405, 405),
    "information/requests/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "information/requests/{info_request}/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "information/requests/{info_request}/process/": (LOGIN, 405, 404, 404, 404, 404, 404),
    "information/entries/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "information/entries/{entry}/delete/": (LOGIN, 405, 404, 404, 404, 404, 404),
    "information/holidays/": (LOGIN, 200, 404, 404, 404, 404, 404),
    "information/holidays/{holiday}/delete/": (LOGIN, 405, 404, 404, 404, 404, 404),
    "api/v1/openapi.json": (200, 200, 200, 200, 200, 200, 200),
    "api/v1/docs": (200, 200, 200, 200, 200, 200, 200),
    "api/v1/auth/token": (405, 405, 405, 405, 405, 405, 405),
    "api/v1/auth/logout": (405, 405, 405, 405, 405, 405, 405),
    "api/v1/regions": (401, 200, 200, 200, 200, 200, 200),
    "api/v1/actors": (401, 200, 200, 200, 200, 200, 200),
    "api/v1/actors/{actor}": (401, 200, 200, 200, 404, 200, 200),
    "api/v1/assessments": (401, 422, 422, 422, 422, 422, 422),  # ?actor= is required
    "api/v1/analytics/levels": (401, 422, 422, 422, 422, 422, 422),  # ?period= is required
    "api/v1/analytics/transitions": (401, 422, 422, 422, 422, 422, 422),  # ?from=&to=
    "api/v1/analytics/trend": (401, 200, 200, 200, 200, 200, 200),
    "api/v1/analytics/breakdown": (401, 422, 422, 422, 422, 422, 422),  # ?period= is required
    "api/v1/partners": (401, 200, 200, 200, 200, 200, 200),
    "api/v1/partners/{partner}": (401, 200, 200, 200, 200, 200, 200),  # national
    "api/v1/offers": (401, 200, 200, 200, 200, 200, 200),
    "api/v1/offers/{offer}": (401, 200, 200, 200, 200, 200, 200),
    "api/v1/actors/{actor}/matches": (401, 200, 200, 200, 404, 200, 200),
    "api/v1/referrals": (401, 200, 200, 200, 200, 200, 200),
    "api/v1/referrals/{referral}": (401, 200, 200, 200, 404, 200, 200),
    "api/v1/referrals/{referral}/transition": (405, 405, 405, 405, 405, 405, 405),
    "api/v1/webhooks": (401, 200, 404, 404, 404, 404, 404),
    "api/v1/webhooks/{webhook}": (401, 200, 404, 404, 404, 404, 404),
    "api/v1/webhooks/{webhook}/deliveries": (401, 200, 404, 404, 404, 404, 404),
    "api/v1/": (404, 404, 404, 404, 404, 404, 404),
}


# A sample of pages every persona may open (200), and whether the rows made for this test,
# all in the facilitator's caseload in Rembang, are on them: a page that answers 200 must
# still show only what lies in the persona's scope. path template -> (text, one bool per
# persona in PERSONAS order).
CONTENTS: dict[str, tuple[str, tuple[bool, ...]]] = {
    "actors/": ("{actor_name}", (True, True, True, False, True, True)),
    "collect/submissions/": (
        "/collect/submissions/{submission}/",
        (True, True, True, False, True, False),
    ),
    "mapping/results/{result}/": ("{actor_name}", (True, True, True, False, True, True)),
    "audit/": ("assessment #{result}", (True, True, False, False, False, False)),
}


def route_templates() -> set[str]:
    """Every URL pattern in the project, with converters replaced by placeholders."""
    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern):
                found.add(text)

    walk(get_resolver().url_patterns, "")
    placeholders = {
        "<int:user_id>": "{user}",
        "<int:actor_id>": "{actor}",
        "<actor_id>": "{actor}",
        "<int:job_id>": "{job}",
        "<int:assessment_id>": "{result}",
        "<int:period_id>": "{period}",
        "<int:instrument_id>": "{instrument}",
        "<int:rescore_id>": "{rescore}",
        "<str:code>": "33.17",
        "<int:pk>": "{submission}",
        "<int:file_id>": "{file}",
        "<int:request_id>": "1",  # POST only: refused before any lookup
        "<str:form_id>": "ir-default",
        "<str:version>": "2026.1",
        "<str:filename>": "actors.csv",
        "<int:webhook_id>": "{webhook}",
        "<webhook_id>": "{webhook}",
        "<partner_id>": "{partner}",
        "<offer_id>": "{offer}",
        "<referral_id>": "{referral}",
        "<int:partner_id>": "{partner}",
        "<int:offer_id>": "{offer}",
        "<int:referral_id>": "{referral}",
        "<int:agreement_id>": "{agreement}",
        "<int:batch_id>": "{batch}",
        "<slug:organisation_slug>": "{org_slug}",
        "<slug:article_slug>": "{article_slug}",
        "<str:category>": "berita",
        "<int:article_id>": "{article}",
        "<int:organisation_id>": "{organisation}",
        "<int:joint_id>": "{joint}",
        "<slug:slug>": "{dataset}",
        "<int:entry_id>": "{entry}",
        "<int:info_request_id>": "{info_request}",
        "<str:action>": "process",
        "<int:holiday_id>": "{holiday}",
    }
    result = set()
    for text in found:
        for old, new in placeholders.items():
            text = text.replace(old, new)
        result.add(text)
    return result


def newsroom_rows(personas: Personas) -> dict[str, Any]:
    """A published article with a cover, of an organisation whose only member is an editor
    and reviewer none of the personas is, and a joint release proposed to another."""
    editor = User.objects.create_user("humas-matriks")
    kemen = news.create_organisation(user=personas.admin, name="Kemen PPPA", kind="ministry")
    other = news.create_organisation(user=personas.admin, name="Dinas PPPA", kind="dinas_pppa")
    news.add_member(user=personas.admin, organisation=kemen, member=editor, role="reviewer")
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(photo, "JPEG")
    article = news.write_article(
        user=editor,
        organisation=kemen,
        data=news.ArticleData(
            title="Pelatihan pembukuan",
            lead="Ringkas.",
            body="<p>Isi.</p>",
            category="berita",
            cover=photo,
            cover_alt="Peserta pelatihan",
        ),
    )
    news.publish_article(user=editor, article=article)
    joint = news.propose_joint_release(user=editor, article=article, organisation=other)
    return {
        "org_slug": kemen.slug,
        "organisation": kemen.pk,
        "article_slug": article.slug,
        "article": article.pk,
        "joint": joint.pk,
    }


def test_every_route_has_a_row() -> None:
    assert route_templates() == set(MATRIX)


def test_each_persona_gets_what_the_matrix_says(
    personas: Personas, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    facilitator = make_user("fasilitator-lain", Role.FACILITATOR, "33.17.04")
    actor = ActorFactory(facilitator=personas.pendamping)
    ModelRegion.objects.create(region_id="33.17", start_year=2016)
    job = ImportJob.objects.create(
        uploaded_by=personas.rembang, file="imports/x.xlsx", status=JobStatus.DONE
    )
    instrument, _created = load_default_instrument()
    period = create_period(
        user=None, code="2019", name="2019", starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31)
    )
    result = submit_assessment(
        user=personas.pendamping, actor=actor, period=period, answers=BEGINNER
    ).assessment
    submission = Submission.objects.create(
        instance_id="uuid:matrix",
        xml="<data/>",
        digest="0" * 64,
        status=SubmissionStatus.REJECTED,
        submitted_by=personas.pendamping,
        region_code=actor.village_id,
    )
    photo = SubmissionFile.objects.create(
        submission=submission,
        name="photo.jpg",
        content_type="image/jpeg",
        size=3,
        file=ContentFile(b"jpg", name="photo.jpg"),
    )
    rescore = RescoreJob.objects.create(
        instrument=instrument, created_by=personas.admin, status=JobStatus.DONE
    )
    mekaar = Partner.objects.create(name="PNM Mekaar", kind="microfinance")
    offer = partners.publish_offer(
        user=personas.admin,
        partner=mekaar,
        data=partners.OfferData(title="Modal usaha", category="capital", items=("capital",)),
    )
    referral = partners.propose_referral(user=personas.pendamping, actor=actor, offer=offer)
    agreement = partners.record_agreement(
        user=personas.admin,
        partner=mekaar,
        data=partners.AgreementData(
            kind="pks",
            number="PKS.1/2026",
            parties="KPPPA dan PNM",
            signed_on=date(2026, 1, 5),
            starts_on=date(2026, 1, 5),
            document=SimpleUploadedFile("pks.pdf", b"%PDF-1.4 signed"),
        ),
    )
    batch = ReferralBatch.objects.create(created_by=personas.pendamping, actor_ids=[actor.pk])
    webhook = Webhook.objects.create(
        partner=mekaar,
        url="https://8.8.8.8/hook",
        events=["referral.created"],
        secret=seal("s3cret-of-mekaar-0123456789"),
    )
    news = newsroom_rows(personas)
    dataset = save_dataset(
        user=personas.admin,
        dataset=None,
        data=DatasetData(
            slug="kabupaten-kota-model-ir",
            title="Kabupaten/kota model",
            description="Kabupaten/kota model IR",
            source="model_regions",
            producer="Kemen PPPA",
            custodian="Pusdatin Kemen PPPA",
            contact_name="Pusdatin",
            contact_email="walidata@sinergi.example",
        ),
    )
    entry = information.publish_entry(
        user=personas.admin,
        data=information.EntryData(
            title="Laporan tahunan",
            category="activities",
            year=2025,
            document=SimpleUploadedFile("laporan.pdf", b"%PDF-1.4 report"),
        ),
    )
    info_request = information.submit_request(
        user=None,
        data=information.RequestData(
            name="Fiktif", email="f@example.org", information="x", purpose="y", delivery="email"
        ),
    )
    holiday = information.add_holiday(user=personas.admin, date=date(2030, 1, 1), name="Tahun Baru")
    ids = {
        **news,
        "dataset": dataset.slug,
        "entry": entry.pk,
        "info_request": info_request.pk,
        "holiday": holiday.pk,
        "partner": mekaar.pk,
        "agreement": agreement.pk,
        "batch": batch.pk,
        "offer": offer.pk,
        "referral": referral.pk,
        "webhook": webhook.pk,
        "rescore": rescore.pk,
        "submission": submission.pk,
        "file": photo.pk,
        "user": facilitator.pk,
        "actor": actor.pk,
        "job": job.pk,
        "result": result.pk,
        "period": period.pk,
        "instrument": instrument.pk,
    }
    failures = []
    for template, expected in MATRIX.items():
        path = "/" + template.format(**ids)
        for who, want in zip((None, *PERSONAS), expected, strict=True):
            client = Client()
            if who is not None:
                client.force_login(getattr(personas, who))
            response = client.get(path)
            got: Any = response.status_code
            if who is None and got == 302 and response["Location"].startswith("/accounts/login/"):
                got = LOGIN
            if got != want:
                failures.append(f"{path} as {who or 'anonymous'}: {got}, expected {want}")
            if template in CONTENTS and who is not None and got == 200:
                text, shown = CONTENTS[template]
                marker = text.format(actor_name=actor.name, **ids)
                found = marker in response.content.decode()
                if found != shown[PERSONAS.index(who)]:
                    failures.append(f"{path} as {who}: {marker!r} shown {found}")
    assert not failures, "\n".join(failures)
