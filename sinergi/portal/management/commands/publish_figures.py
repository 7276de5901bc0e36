from typing import Any

from django.core.management.base import BaseCommand

from sinergi.portal.publication import publish_figures


class Command(BaseCommand):
    help = "Publish the public figures from the closed periods, with small-cell protection."

    def handle(self, *args: Any, **options: Any) -> None:
        publication = publish_figures(user=None)
        self.stdout.write(
            f"Published {publication.cells} cells ({publication.hidden} not shown) "
            f"for {len(publication.periods)} periods."
        )
