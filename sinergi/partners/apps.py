from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Partners, their offers, matching and referrals (the programme's synergy)."""

    name = "sinergi.partners"
    label = "partners"

    def ready(self) -> None:
        # The job consumer registers the tasks of `tasks` modules only: the batch's are
        # registered here, in every process.
        from sinergi.partners import batch_tasks, events  # noqa: F401

        events.subscribe()
