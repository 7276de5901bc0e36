"""Her erasure reaches her referrals, the deliveries that carried them and their audit rows;
her subject-access report lists them."""

from __future__ import annotations

import io
import json

import pytest
from django.utils import timezone
from pypdf import PdfReader

from sinergi.partners import services
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Delivery, Webhook
from sinergi.partners.tests.conftest import World
from sinergi.privacy.choices import ErasureBasis
from sinergi.privacy.report import report_pdf, subject_report
from sinergi.privacy.services import erase_actor, identifiers
from sinergi.privacy.tests.test_erasure import database_text
from sinergi.test import Personas

pytestmark = pytest.mark.django_db


def test_no_identifier_of_hers_is_left_in_referrals_or_deliveries(
    world: World, personas: Personas
) -> None:
    actor = world.actor
    actor.name, actor.phone = "Ibu Sumirah Wahyuningsih", "081234567890"
    actor.save()
    referral = services.propose_referral(
        user=personas.rembang, actor=actor, offer=world.credit,
        note="Ibu Sumirah Wahyuningsih (0812 3456 7890? 081234567890) butuh modal",
    )  # fmt: skip
    services.move_referral(user=personas.rembang, referral=referral, step=Step("sent"))
    services.move_referral(
        user=world.staff, referral=referral,
        step=Step("declined", reason="Ibu Sumirah Wahyuningsih sudah punya pinjaman"),
    )  # fmt: skip
    webhook = Webhook.objects.create(
        partner=world.mekaar, url="https://mekaar.example.id/hook",
        events=["referral.created"], secret="s" * 32,
    )  # fmt: skip
    Delivery.objects.create(
        webhook=webhook, event="referral.created",
        body=json.dumps({"referral": {"actor": {"name": actor.name, "phone": actor.phone}}}),
    )  # fmt: skip
    needles = identifiers(actor)
    assert actor.name.lower() in database_text()
    erase_actor(user=personas.rembang, actor=actor, basis=ErasureBasis.SUBJECT_REQUEST)
    text = database_text()
    for needle in needles:
        assert needle.lower() not in text, needle
    referral.refresh_from_db()
    assert referral.note.startswith("anon-")
    assert referral.status == "declined"


@pytest.mark.usefixtures("english")
def test_her_subject_access_report_names_the_partners_her_data_went_to(
    world: World, personas: Personas
) -> None:
    referral = services.propose_referral(
        user=personas.rembang, actor=world.actor, offer=world.credit
    )
    services.move_referral(user=personas.rembang, referral=referral, step=Step("sent"))
    report = subject_report(world.actor, nik="3317040000000001")
    [section] = [s for s in report["more"] if s["key"] == "referrals"]
    [(partner, offer, _proposed, sent, status)] = section["rows"]
    assert (partner, offer, status) == ("PNM Mekaar", "Modal usaha Mekaar", "Sent")
    assert sent == timezone.localdate().isoformat()
    pdf = PdfReader(io.BytesIO(report_pdf(report)))
    assert "PNM Mekaar" in " ".join(page.extract_text() for page in pdf.pages)
