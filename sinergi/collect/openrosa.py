"""The OpenRosa 1.0 server ODK Collect, KoboCollect and Enketo talk to, under /openrosa/.

The server URL a facilitator types into ODK Collect is `https://<host>/openrosa`; Collect
appends `formList` and `submission`. Accounts sign in with HTTP Basic (over HTTPS), never
with the session cookie, so none of these views can be driven from a web page (no CSRF).
Every response carries `X-OpenRosa-Version: 1.0`; a message for the phone comes as an
OpenRosaResponse, which Collect shows to the facilitator as it is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sinergi.accounts.lockout import LockedOut
from sinergi.accounts.models import User
from sinergi.accounts.scoping import may_write
from sinergi.accounts.services import MalformedCredentials, check_credentials
from sinergi.assessments.models import Instrument
from sinergi.collect import submissions, xforms

XML = "text/xml; charset=utf-8"
_FORM_LIST_NS = "http://openrosa.org/xforms/xformsList"
_MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
_RESPONSE_NS = "http://openrosa.org/http/response"
XML_PART = "xml_submission_file"


def _response(body: bytes | str, status: int = 200, content_type: str = XML) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["X-OpenRosa-Version"] = "1.0"
    response["Date"] = http_date()
    return response


def _document(root: str, namespace: str, children: list[str]) -> str:
    body = "".join(children)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{namespace}">{body}</{root}>'


def message(text: str, status: int, nature: str = "") -> HttpResponse:
    """An OpenRosaResponse: the phone shows `text` to the facilitator."""
    note = f'<message nature="{escape(nature)}">{escape(text)}</message>'
    return _response(_document("OpenRosaResponse", _RESPONSE_NS, [note]), status)


def _challenge(text: str) -> HttpResponse:
    response = message(text, 401)
    response["WWW-Authenticate"] = 'Basic realm="Sinergi", charset="UTF-8"'
    return response


# Checking a password costs hundreds of milliseconds by design, and a phone sends one request
# per form. A verified username and password is remembered for a few minutes in the cache
# every web process shares, keyed by an HMAC (the password itself is never kept) and tied to
# the account's current password hash, so a password change or a deactivation takes effect on
# the next request. (A lock stops guessing; a remembered pair was not guessed.)
_VERIFIED_SECONDS = 300


def _credential_key(username: str, password: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{username}\0{password}".encode(), hashlib.sha256
    ).hexdigest()
    return f"openrosa-basic:{digest}"


def _remembered(key: str) -> User | None:
    found = caches["shared"].get(key)
    if found is None:
        return None
    pk, password_hash = found
    user = User.objects.filter(pk=pk, is_active=True).order_by().first()
    if user is None or user.password != password_hash:
        caches["shared"].delete(key)
        return None
    return user


def basic_user(request: HttpRequest) -> User | None:
    """The account named by the request's HTTP Basic credentials, or None. Raises LockedOut,
    or MalformedCredentials for a NUL character."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        username, colon, password = (
            base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not colon or not username:
        return None
    key = _credential_key(username, password)
    user = _remembered(key)
    if user is not None:
        return user
    user = check_credentials(request=request, username=username, password=password)
    if user is not None:
        caches["shared"].set(key, (user.pk, user.password), _VERIFIED_SECONDS)
    return user


View = Callable[..., HttpResponse]


def openrosa_view(*methods: str) -> Callable[[View], View]:
    """Basic authentication (401 with a challenge), then the view with the user."""

    def decorate(view: View) -> View:
        @csrf_exempt  # no cookie is ever read for authentication here
        @require_http_methods(list(methods))
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                user = basic_user(request)
            except LockedOut:
                return message(
                    _("Too many failed attempts; the account is locked for a while."), 429
                )
            except MalformedCredentials as exc:
                text = _("%(field)s must not contain a NUL character.") % {"field": exc.field}
                return message(text, 400)
            if user is None:
                return _challenge(_("Sign in with your Sinergi username and password."))
            return view(request, user, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


def _fillable(user: User) -> list[Instrument]:
    """The newest published version of each instrument, for those who may record results."""
    if not may_write(user):
        return []
    newest: dict[str, Instrument] = {}
    for instrument in xforms.fillable_instruments():
        newest.setdefault(instrument.code, instrument)
    return list(newest.values())


def _find_form(user: User, form_id: str, version: str) -> Instrument | None:
    return next(
        (i for i in _fillable(user) if xforms.form_id(i) == form_id and i.version == version),
        None,
    )


def _absolute(request: HttpRequest, name: str, **kwargs: str) -> str:
    return escape(request.build_absolute_uri(reverse(f"openrosa:{name}", kwargs=kwargs)))


@openrosa_view("GET", "HEAD")
def form_list(request: HttpRequest, user: User) -> HttpResponse:
    """The forms this account may fill (OpenRosa form discovery)."""
    wanted = request.GET.get("formID")
    items = []
    for instrument in _fillable(user):
        fid = xforms.form_id(instrument)
        if wanted and wanted != fid:
            continue
        keys = {"form_id": fid, "version": instrument.version}
        items.append(
            "<xform>"
            f"<formID>{escape(fid)}</formID>"
            f"<name>{escape(instrument.title or instrument.key)}</name>"
            f"<version>{escape(instrument.version)}</version>"
            f"<hash>{xforms.md5(xforms.xform(instrument))}</hash>"
            f"<downloadUrl>{_absolute(request, 'form_xml', **keys)}</downloadUrl>"
            f"<manifestUrl>{_absolute(request, 'form_manifest', **keys)}</manifestUrl>"
            "</xform>"
        )
    return _response(_document("xforms", _FORM_LIST_NS, items))


def _not_found() -> HttpResponse:
    return message(_("This form is not available to your account."), 404)


@openrosa_view("GET", "HEAD")
def form_xml(request: HttpRequest, user: User, form_id: str, version: str) -> HttpResponse:
    instrument = _find_form(user, form_id, version)
    if instrument is None:
        return _not_found()
    return _response(xforms.xform(instrument))


@openrosa_view("GET", "HEAD")
def form_manifest(request: HttpRequest, user: User, form_id: str, version: str) -> HttpResponse:
    """The media files of a form: the account's own caseload and the open periods."""
    instrument = _find_form(user, form_id, version)
    if instrument is None:
        return _not_found()
    files = []
    for name in xforms.MEDIA_FILES:
        url = _absolute(request, "form_media", form_id=form_id, version=version, filename=name)
        files.append(
            f"<mediaFile><filename>{name}</filename>"
            f"<hash>{xforms.md5(xforms.media(user, name))}</hash>"
            f"<downloadUrl>{url}</downloadUrl></mediaFile>"
        )
    return _response(_document("manifest", _MANIFEST_NS, files))


@openrosa_view("GET", "HEAD")
def form_media(
    request: HttpRequest, user: User, form_id: str, version: str, filename: str
) -> HttpResponse:
    instrument = _find_form(user, form_id, version)
    if instrument is None or filename not in xforms.MEDIA_FILES:
        return _not_found()
    return _response(xforms.media(user, filename), content_type="text/csv; charset=utf-8")


def _too_big(limit: int) -> HttpResponse:
    return message(
        _("The form is too large to send (at most %(mb)s MB). Use smaller photos.")
        % {"mb": f"{limit / 1_048_576:g}"},
        413,
    )


@openrosa_view("HEAD", "POST")
def submission(request: HttpRequest, user: User) -> HttpResponse:
    """Receive a filled form: multipart with the instance XML and its photos."""
    limit = settings.OPENROSA_MAX_BYTES
    if request.method == "HEAD":
        response = _response(b"", 204)
        response["X-OpenRosa-Accept-Content-Length"] = str(limit)
        return response
    declared = request.META.get("CONTENT_LENGTH") or ""
    if not declared.isdigit():
        return message(_("The request must state its length (Content-Length)."), 411)
    if int(declared) > limit:
        return _too_big(limit)
    if request.content_type != "multipart/form-data":
        return message(
            _("Send the form as multipart/form-data with an xml_submission_file part."), 400
        )
    xml_file = request.FILES.get(XML_PART)
    if xml_file is None:
        return message(_("The request has no xml_submission_file part."), 400)
    if (xml_file.size or 0) > settings.OPENROSA_MAX_XML_BYTES:
        return _too_big(settings.OPENROSA_MAX_XML_BYTES)
    attached = [
        f for name in request.FILES if name != XML_PART for f in request.FILES.getlist(name)
    ]
    if any((upload.size or 0) > settings.OPENROSA_MAX_FILE_BYTES for upload in attached):
        return _too_big(settings.OPENROSA_MAX_FILE_BYTES)
    try:
        outcome = submissions.receive_submission(user=user, xml=xml_file.read(), files=attached)
    except submissions.Unreadable as exc:
        return message(str(exc), 400)
    nature = "submit_success" if outcome.status in (201, 202) else "submit_error"
    response = message(outcome.message, outcome.status, nature)
    if outcome.status in (201, 202):
        response["Location"] = request.build_absolute_uri(reverse("openrosa:submission"))
    return response
