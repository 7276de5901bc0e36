from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


class LibConfig(AppConfig):
    name = "sinergi.lib"
    label = "lib"

    def ready(self) -> None:
        from sinergi.lib.storage import make_private, private_sqlite_file

        connection_created.connect(private_sqlite_file, dispatch_uid="sinergi-private-sqlite")
        # huey's SQLite queue creates its file when it is loaded, before any request.
        queue = Path(str(settings.HUEY.get("filename", "")))
        if queue.is_file():
            make_private(queue)
