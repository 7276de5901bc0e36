from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Subscribes the pre-summed counts to the write services' announcements at start-up, so
    they change in the same transaction as the results and actors they count."""

    name = "sinergi.analytics"
    label = "analytics"

    def ready(self) -> None:
        from sinergi.analytics import aggregates
        from sinergi.assessments.services import result_batch_listeners
        from sinergi.registry.services import actor_listeners

        if aggregates.on_results not in result_batch_listeners:
            result_batch_listeners.append(aggregates.on_results)
        if aggregates.on_actors not in actor_listeners:
            actor_listeners.append(aggregates.on_actors)
