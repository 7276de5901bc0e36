from typing import Any

from django.core.management.base import BaseCommand

from sinergi.assessments.services import load_default_instrument


class Command(BaseCommand):
    help = "Store and publish the shipped default instrument (ir-default@2026.1). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        instrument, created = load_default_instrument()
        state = "Loaded and published" if created else "Already loaded:"
        self.stdout.write(f"{state} {instrument.key}.")
