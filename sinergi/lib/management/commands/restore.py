from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.lib.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database, media "
        "storage and job queue, which must be empty unless --force. Stop the app first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="overwrite a database or storage holding data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup = restore_backup(options["dir"], force=options["force"], say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        made = backup.manifest["created_at"]
        self.stdout.write(self.style.SUCCESS(f"Restored the backup of {made}."))
