from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "kam.risk"
    label = "risk"

    def ready(self) -> None:
        from kam.risk.services import health_after_scoring
        from kam.selection.signals import scoring_run_done

        scoring_run_done.connect(health_after_scoring, dispatch_uid="risk_health_after_scoring")
