"""The subject-access report: everything Sinergi holds about one actor and who saw it.

One plain dictionary (JSON as it is; the PDF renders the same values), so both formats
always say the same. Read-only: the view records that it was made (services.record_report).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from sinergi.assessments.models import Assessment
from sinergi.audit.models import Action, AuditEvent
from sinergi.collect.models import ImportJob, Submission
from sinergi.privacy import events
from sinergi.privacy.choices import RequestKind
from sinergi.privacy.models import ConsentEvent, Erasure, SubjectRequest
from sinergi.privacy.services import file_names, identifiers
from sinergi.regions.codes import ancestors, normalise
from sinergi.registry.models import Actor

# Her record as the report lists it, in this order.
PERSON_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "phone",
    "address",
    "village_id",
    "business_name",
    "sector",
    "products",
    "year_started",
    "status",
    "created_at",
    "updated_at",
)


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _event(event: AuditEvent, *, possibly: bool = False) -> dict[str, Any]:
    return {
        "at": _when(event.at),
        "user": event.username,
        "action": event.action,
        "object": f"{event.object_type} {event.object_id}".strip(),
        "note": event.note,
        "possibly": possibly,
    }


def _export_may_include(event: AuditEvent, actor: Actor) -> bool:
    """Whether an actor-list export could have held her: made after she was registered,
    with no region, sector or status filter that leaves her out."""
    filters = (event.after or {}).get("filters") or {}
    region = normalise(str(filters.get("region", ""))) if filters.get("region") else ""
    if filters.get("region") and region not in ancestors(actor.village_id):
        return False
    return all(
        filters.get(name) in (None, "", getattr(actor, name)) for name in ("sector", "status")
    )


def access_log(
    actor: Actor, result_ids: list[int], submission_ids: list[int]
) -> list[dict[str, Any]]:
    """Who viewed, changed or exported her data and when: the audit rows about her record,
    her results and the submissions about her, and the list exports that may have held her
    (marked `possibly`: a list export records its filters, not its rows)."""
    about = (
        Q(object_type="actor", object_id=str(actor.pk))
        | Q(object_type="assessment", object_id__in=[str(i) for i in result_ids])
        | Q(object_type="submission", object_id__in=[str(i) for i in submission_ids])
    )
    rows = [_event(e) for e in AuditEvent.objects.filter(about)]
    exports = AuditEvent.objects.filter(
        action=Action.EXPORT, object_type="actor", object_id="", at__gte=actor.created_at
    )
    rows += [_event(e, possibly=True) for e in exports if _export_may_include(e, actor)]
    return sorted(rows, key=lambda row: row["at"] or "", reverse=True)


def corrections(actor: Actor) -> list[dict[str, Any]]:
    """Her record's changes, oldest first, from the audit rows (before and after)."""
    rows = AuditEvent.objects.filter(
        object_type="actor", object_id=str(actor.pk), action=Action.UPDATE
    ).order_by("at", "id")
    return [
        {"at": _when(e.at), "user": e.username, "before": e.before, "after": e.after} for e in rows
    ]


def _request(request: SubjectRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "kind": request.kind,
        "kind_label": str(request.get_kind_display()),
        "requester": request.requester,
        "details": request.details,
        "received_at": _when(request.received_at),
        "deadline": _when(request.deadline),
        "done_at": _when(request.done_at),
        "outcome": request.outcome,
    }


def subject_report(actor: Actor, *, nik: str, now: datetime | None = None) -> dict[str, Any]:
    """Everything held about her; `nik` is her NIK in clear (the caller may reveal it)."""
    now = now or timezone.now()
    results = list(
        Assessment.objects.filter(actor=actor)
        .select_related("period", "instrument")
        .order_by("period__starts_on", "id")
    )
    submissions = list(Submission.objects.filter(actor=actor).prefetch_related("files"))
    requests = list(SubjectRequest.objects.filter(actor=actor))
    open_access = [r for r in requests if r.kind == RequestKind.ACCESS and r.done_at is None]
    erasure = Erasure.objects.filter(actor=actor).first()
    needles = identifiers(actor) if erasure is None else []
    imports = (
        [j for j in ImportJob.objects.exclude(file="") if file_names(j.file, needles)]
        if needles
        else []
    )
    person = {name: getattr(actor, name) for name in PERSON_FIELDS}
    person.update(
        id=actor.pk,
        nik=nik,
        birth_date=actor.birth_date.isoformat(),
        created_at=_when(actor.created_at),
        updated_at=_when(actor.updated_at),
        village_name=actor.village.name,
        facilitator=actor.facilitator.username if actor.facilitator else None,
        sex_label=str(actor.get_sex_display()),
        sector_label=str(actor.get_sector_display()),
        status_label=str(actor.get_status_display()),
    )
    return {
        "generated_at": _when(now),
        "request": _request(open_access[-1]) if open_access else None,
        "person": person,
        "erasure": {
            "at": _when(erasure.at),
            "basis": erasure.basis,
            "pseudonym": erasure.pseudonym,
        }
        if erasure
        else None,
        "legality": [
            {
                "kind": item.kind,
                "kind_label": str(item.get_kind_display()),
                "number": item.number,
                "issued_on": item.issued_on.isoformat() if item.issued_on else None,
                "expires_on": item.expires_on.isoformat() if item.expires_on else None,
            }
            for item in actor.legality_items.all()
        ],
        "consent": {
            "date": actor.consent_date.isoformat() if actor.consent_date else None,
            "programme": actor.consent_programme,
            "partners": actor.consent_partners,
            "publication": actor.consent_publication,
            "history": [
                {
                    "kind": e.kind,
                    "kind_label": str(e.get_kind_display()),
                    "given": e.given,
                    "consent_date": e.consent_date.isoformat() if e.consent_date else None,
                    "source": e.source,
                    "source_label": str(e.get_source_display()),
                    "by": e.username,
                    "at": _when(e.at),
                }
                for e in ConsentEvent.objects.filter(actor=actor)
            ],
        },
        "results": [
            {
                "period": r.period.code,
                "instrument": r.instrument.key,
                "level": r.level,
                "total_score": r.total_score,
                "status": r.status,
                "counted": r.counted,
                "source": r.source,
                "recorded_at": _when(r.created_at),
                "answers": r.answers,
            }
            for r in results
        ],
        "submissions": [
            {
                "instance_id": s.instance_id,
                "form": f"{s.form_id} {s.form_version}".strip(),
                "received_at": _when(s.received_at),
                "status": s.status,
                "files": [f.name for f in s.files.all()],
                "xml": s.xml,
            }
            for s in submissions
        ],
        "imports": [
            {"job": j.pk, "file": j.original_name, "uploaded_at": _when(j.created_at)}
            for j in imports
        ],
        "corrections": corrections(actor),
        "requests": [_request(r) for r in requests],
        "access_log": access_log(actor, [r.pk for r in results], [s.pk for s in submissions]),
        "more": [section(actor)._asdict() for section in events.report_sections],
    }


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's fetcher: the report is self-contained, so any fetch is a mistake."""
    raise ValueError(f"the report fetches nothing ({url})")


def report_pdf(report: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML  # heavy import, only where a PDF is made

    html = render_to_string("privacy/report.html", {"report": report})
    style = CSS(string=render_to_string("privacy/report.css"), url_fetcher=_refuse)
    pdf: bytes = HTML(string=html, url_fetcher=_refuse).write_pdf(stylesheets=[style])
    return pdf
