from django.apps import AppConfig


def _health_after_scoring(sender, run, **kwargs) -> None:
    # Imported when a run ends, not at start-up: risk's services pull in numpy, which
    # commands that never score (``kam --help``, an import) should not pay for.
    from kam.risk.services import health_after_scoring

    health_after_scoring(sender, run=run, **kwargs)


class RiskConfig(AppConfig):
    name = "kam.risk"
    label = "risk"

    def ready(self) -> None:
        from kam.selection.signals import scoring_run_done

        scoring_run_done.connect(_health_after_scoring, dispatch_uid="risk_health_after_scoring")
