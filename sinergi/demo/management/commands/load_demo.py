from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.accounts.models import User
from sinergi.assessments.models import Period
from sinergi.demo import mapping
from sinergi.demo.plan import ACTOR_COUNT, SEED
from sinergi.demo.scenario import DEMO_LOGINS, PASSWORD, DemoError, load_demo, transitions
from sinergi.portal.publication import latest as latest_publication
from sinergi.portal.publication import publish_figures
from sinergi.regions.models import ModelRegion
from sinergi.registry.models import Actor, LegalityItem


class Command(BaseCommand):
    help = "Load the demo scenario (demo or debug mode only). Idempotent and deterministic."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actors", type=int, default=ACTOR_COUNT)
        parser.add_argument("--seed", type=int, default=SEED)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_demo(actors=options["actors"], seed=options["seed"])
        except DemoError as error:
            raise CommandError(str(error)) from error
        if result.already_loaded:
            self.stdout.write("Demo scenario already loaded; nothing to do.")
        else:
            added = ", ".join(
                f"{n:,} {what.replace('_', ' ')}" for what, n in result.created.items()
            )
            self.stdout.write(self.style.SUCCESS(f"Demo scenario loaded: added {added}."))
        self.stdout.write(
            f"Now: {ModelRegion.objects.count()} model regions, {User.objects.count():,} users, "
            f"{Actor.objects.count():,} actors, {LegalityItem.objects.count():,} legality items."
        )
        if not result.already_loaded or latest_publication() is None:
            # The public figures, through the service the national admin uses (here and not
            # in load_demo: a small test demo is nearly all small cells, slow to protect).
            publication = publish_figures(user=None)
            self.stdout.write(f"Public figures published: {publication.cells:,} cells.")
        self._mapping()
        self.stdout.write(f"Demo logins (password {PASSWORD}):")
        for username, what in DEMO_LOGINS:
            self.stdout.write(f"  {username:<20} {what}")
        self.stdout.write(
            "  and per model regency: dinas-<regency> (officer), "
            "pendamping-<regency>[-2..4] (facilitators), e.g. dinas-kota-ternate."
        )

    def _mapping(self) -> None:
        """The mapping rounds, and the 2016 -> 2018 moves the 2019 evaluation reported."""
        periods = Period.objects.filter(
            code__in=[str(y) for y in (*mapping.ROUNDS, mapping.OPEN_ROUND)]
        )
        for period in periods.order_by("starts_on"):
            results = period.assessments.filter(counted=True).count()
            self.stdout.write(f"  {period.name} ({period.status}): {results:,} results")
        first, last = str(mapping.FIRST), str(mapping.LAST)
        matrix = transitions(first, last)
        levels = list(matrix)
        self.stdout.write(
            f"Levels {first} -> {last}, actors with a result in both "
            f"(evaluation: {mapping.UP_1_2} IR1->IR2, {mapping.UP_2_3} IR2->IR3):"
        )
        self.stdout.write("  " + " " * 8 + "".join(f"{to:>7}" for to in levels))
        for before, row in matrix.items():
            self.stdout.write(f"  {before:<8}" + "".join(f"{row[to]:>7,}" for to in levels))
