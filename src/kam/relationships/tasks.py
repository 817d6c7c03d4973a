from celery import shared_task
from django.db import close_old_connections


@shared_task(name="kam.relationships.recompute_centrality", ignore_result=True)
def recompute_centrality_task(account_id: int) -> bool:
    """Betweenness of the account's map as it is now (kam.relationships.background)."""
    from kam.relationships.background import recompute_centrality

    close_old_connections()
    return recompute_centrality(account_id)
