from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.lib.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database, media files and job queue into DIR (new or empty), encrypted "
        "with BACKUP_ENCRYPTION_KEY. Safe while the app serves."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = create_backup(options["dir"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        parts = ", ".join(f"{k} {v['size']:,} bytes" for k, v in manifest["parts"].items())
        self.stdout.write(self.style.SUCCESS(f"Backed up to {options['dir']}: {parts}."))
