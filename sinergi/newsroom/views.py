"""The newsroom's working pages for editors and reviewers (signed in, never cached): the
organisations' articles by status, the article form, the workflow's steps, republication,
joint releases, and the national admin's organisations and members."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sinergi.newsroom import access, services
from sinergi.newsroom.choices import ArticleStatus, JointStatus
from sinergi.newsroom.forms import (
    ArticleForm,
    MemberForm,
    NoteForm,
    OrganisationChoiceForm,
    OrganisationForm,
    PublishForm,
    refused_into,
)
from sinergi.newsroom.models import Article, JointRelease, Organisation

View = Callable[..., HttpResponseBase]


def newsroom_page(view: View) -> View:
    """Signed in, and an editor or reviewer somewhere (or the national admin): 403 else."""

    @login_required
    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access.is_newsroom_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return page


@newsroom_page
@require_http_methods(["GET"])
def manage(request: HttpRequest) -> HttpResponse:
    roles = access.roles_of(request.user)
    articles = Article.objects.filter(organisation_id__in=list(roles)).select_related(
        "organisation"
    )
    by_status = [
        (label, [a for a in articles if a.status == value])
        for value, label in ArticleStatus.choices
    ]
    reviewing = [pk for pk, role in roles.items() if role == "reviewer"]
    context = {
        "by_status": by_status,
        "queue": [
            a
            for a in articles
            if a.status == ArticleStatus.REVIEW and a.organisation_id in reviewing
        ],
        "invitations": JointRelease.objects.filter(
            organisation_id__in=reviewing, status=JointStatus.PROPOSED
        ).select_related("article__organisation", "organisation"),
        "others": Article.objects.public()
        .filter(original__isnull=True)
        .exclude(organisation_id__in=list(roles))
        .select_related("organisation")[:20]
        if reviewing
        else [],
        "manages": access.may_manage_organisations(request.user),
    }
    return render(request, "newsroom/manage.html", context)


@newsroom_page
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    organisations = access.my_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = ArticleForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.write_article(
                user=request.user,
                organisation=form.cleaned_data["organisation"],
                data=form.data_for_service(),
            )
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("newsroom:article_manage", article.pk)
    return render(request, "newsroom/article_form.html", {"form": form, "article": None})


@newsroom_page
@require_http_methods(["GET"])
def article_manage(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.article_for(request.user, article_id)
    others = Organisation.objects.exclude(pk=article.organisation_id)
    context = {
        "article": article,
        "reviewer": access.may_review(request.user, article.organisation),
        "publish_form": PublishForm(),
        "note_form": NoteForm(),
        "joint_form": OrganisationChoiceForm(organisations=others),
        "revisions": article.revisions.select_related("saved_by"),
        "corrections": article.corrections.all(),
        "joints": article.joint_releases.select_related("organisation"),
    }
    return render(request, "newsroom/article_manage.html", context)


@newsroom_page
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.article_for(request.user, article_id)
    form = ArticleForm(
        request.POST or None, request.FILES or None, organisations=None, article=article
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_article(
                user=request.user, article=article, data=form.data_for_service()
            )
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            messages.success(request, _("The article is saved."))
            return redirect("newsroom:article_manage", article.pk)
    return render(request, "newsroom/article_form.html", {"form": form, "article": article})


def _step(
    request: HttpRequest, article: Article, do: Callable[[], object], done: str
) -> HttpResponse:
    """Run one workflow step; its refusal, by field and reason, comes back as a message."""
    try:
        do()
    except services.Refused as refused:
        return _refused(request, article, refused)
    messages.success(request, done)
    return redirect("newsroom:article_manage", article.pk)


def _refused(request: HttpRequest, article: Article, refused: services.Refused) -> HttpResponse:
    for field, reasons in refused.errors.items():
        for reason in reasons:
            messages.error(request, f"{field}: {reason}")
    return redirect("newsroom:article_manage", article.pk)


def _form_refused(request: HttpRequest, article: Article, form: Any) -> HttpResponse:
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(
                request, f"{form.fields[field].label if field in form.fields else field}: {error}"
            )
    return redirect("newsroom:article_manage", article.pk)


@newsroom_page
@require_POST
def article_submit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.article_for(request.user, article_id)
    return _step(
        request,
        article,
        lambda: services.submit_for_review(user=request.user, article=article),
        _("Sent to the reviewers."),
    )


@newsroom_page
@require_POST
def article_publish(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.article_for(request.user, article_id)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, article, form)
    try:
        services.publish_article(user=request.user, article=article, **form.cleaned_data)
    except services.Refused as refused:
        return _refused(request, article, refused)
    if article.status == ArticleStatus.SCHEDULED:
        when = formats.date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
        messages.success(request, _("Scheduled: public from %(when)s.") % {"when": when})
    else:
        messages.success(request, _("Published."))
    return redirect("newsroom:article_manage", article.pk)


@newsroom_page
@require_POST
def article_withdraw(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.article_for(request.user, article_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, article, form)
    return _step(
        request,
        article,
        lambda: services.withdraw_article(
            user=request.user, article=article, reason=form.cleaned_data["note"]
        ),
        _("Withdrawn from the public pages."),
    )


@newsroom_page
@require_POST
def article_correct(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.article_for(request.user, article_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, article, form)
    return _step(
        request,
        article,
        lambda: services.correct_article(
            user=request.user, article=article, note=form.cleaned_data["note"]
        ),
        _("The correction note is published."),
    )


@newsroom_page
@require_POST
def article_joint(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.article_for(request.user, article_id)
    form = OrganisationChoiceForm(
        request.POST, organisations=Organisation.objects.exclude(pk=article.organisation_id)
    )
    if not form.is_valid():
        return _form_refused(request, article, form)
    return _step(
        request,
        article,
        lambda: services.propose_joint_release(
            user=request.user, article=article, organisation=form.cleaned_data["organisation"]
        ),
        _("The invitation to a joint release is sent."),
    )


@newsroom_page
@require_http_methods(["GET", "POST"])
def article_republish(request: HttpRequest, article_id: int) -> HttpResponse:
    original = get_object_or_404(
        Article.objects.public().select_related("organisation"), pk=article_id
    )
    organisations = access.my_organisations(request.user, reviewing=True).exclude(
        pk=original.organisation_id
    )
    if not organisations.exists():
        raise PermissionDenied
    form = OrganisationChoiceForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.republish_article(
                user=request.user, original=original, organisation=form.cleaned_data["organisation"]
            )
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            messages.success(request, _("Republished with a link to the original."))
            return redirect("newsroom:article_manage", copy.pk)
    return render(request, "newsroom/article_republish.html", {"form": form, "original": original})


@newsroom_page
@require_POST
def joint_accept(request: HttpRequest, joint_id: int) -> HttpResponse:
    joint = access.joint_for(request.user, joint_id)
    try:
        services.accept_joint_release(user=request.user, joint=joint)
    except services.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Your organisation co-signs the article."))
    return redirect("newsroom:manage")


def _admin_only(request: HttpRequest) -> None:
    if not access.may_manage_organisations(request.user):
        raise PermissionDenied


@newsroom_page
@require_http_methods(["GET", "POST"])
def organisation_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_organisation(user=request.user, **form.cleaned_data)
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            messages.success(request, _("The organisation is added."))
            return redirect("newsroom:organisation_list")
    organisations = Organisation.objects.prefetch_related("members__user")
    return render(
        request, "newsroom/organisation_list.html", {"form": form, "organisations": organisations}
    )


@newsroom_page
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    _admin_only(request)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_member(
                user=request.user,
                organisation=organisation,
                member=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
            )
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            messages.success(request, _("The member is added."))
            return redirect("newsroom:organisation_list")
    return render(
        request, "newsroom/member_form.html", {"form": form, "organisation": organisation}
    )
