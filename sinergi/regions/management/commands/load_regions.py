from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sinergi.regions.services import load_regions


class Command(BaseCommand):
    help = "Load (or refresh) the Kemendagri region tree from idn-area-data CSVs. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=settings.REGION_DATA_DIR)

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_regions(data_dir=options["data_dir"])
        if result.skipped:
            self.stdout.write(f"Regions from {result.source} already loaded; nothing to do.")
        else:
            counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
            self.stdout.write(self.style.SUCCESS(f"Loaded {counts} from {result.source}."))
