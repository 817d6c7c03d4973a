"""Betweenness recomputed in the background after a change to a relationship map (issue 14
item 12: exact betweenness takes 1.5-3.4 s at 2,000 people on a busy machine, which the first
viewer after each change used to wait for).

A saved or deleted person or link (the records the graph is drawn from: who is active, who
reports to whom, influence and alliance links, tensions and restrictions) asks, once the
write's transaction commits, for the account's scores to be recomputed: on Celery when
KAM_BROKER_URL is set (task ``kam.relationships.recompute_centrality``), otherwise on a
thread of the web process, like kam.core.jobs. Only accounts of ``BACKGROUND_MIN_PEOPLE``
active people or more are recomputed so: below it a view computes the scores itself in well
under a tenth of a second. Bulk writes that send no signal (the contact import) ask
themselves (``centrality_changed``).

The stored scores are keyed by the graph they were computed on, so correctness never rests on
this: a view always compares keys. While a recompute runs, a large account's page shows the
older map's scores "as of" when they were computed, never as the current map's
(kam.relationships.analysis.paths.analyse_centrality).
"""

from __future__ import annotations

import functools
import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

log = logging.getLogger(__name__)

ASK_AGAIN_SECONDS = 300  # a view asks at most this often per map (the write asked first)


def centrality_changed(account_id: int) -> None:
    """Ask for a recompute once the current transaction commits (once per transaction and
    account, however many records it writes)."""
    pending = transaction.get_connection().run_on_commit
    if any(getattr(item[1], "kam_centrality", None) == account_id for item in pending):
        return
    callback = functools.partial(_dispatch, account_id)
    callback.kam_centrality = account_id  # type: ignore[attr-defined]
    # robust: a broker out of reach is logged, never turned into an error on the saved write
    transaction.on_commit(callback, robust=True)


def centrality_requested(account_id: int, key: str) -> None:
    """A view found only an older map's scores: ask again, at most every few minutes."""
    if cache.add(f"kam:centrality-asked:{account_id}:{key}", True, ASK_AGAIN_SECONDS):
        transaction.on_commit(
            functools.partial(_dispatch, account_id, check_size=False), robust=True
        )


def _dispatch(account_id: int, *, check_size: bool = True) -> None:
    if check_size and not _large(account_id):
        return
    if settings.CELERY_BROKER_URL:
        from kam import celery  # noqa: F401 - makes kam's app the current one (kam.core.jobs)
        from kam.relationships.tasks import recompute_centrality_task

        recompute_centrality_task.delay(account_id)
        return
    threading.Thread(target=_in_thread, args=(account_id,), daemon=True).start()


def _large(account_id: int) -> bool:
    from kam.relationships.analysis.paths import BACKGROUND_MIN_PEOPLE
    from kam.relationships.models import Contact

    return (
        Contact.objects.filter(account_id=account_id, status="active").count()
        >= BACKGROUND_MIN_PEOPLE
    )


def _in_thread(account_id: int) -> None:
    close_old_connections()
    try:
        recompute_centrality(account_id)
    except Exception:  # a background thread has nobody to tell but the log
        log.exception("recomputing the centrality of account %s failed", account_id)
    finally:
        connection.close()  # the thread's own connection


def recompute_centrality(account_id: int) -> bool:
    """Compute and store the account's betweenness for its map as it is now; False when the
    stored scores are already this map's (or the account is gone)."""
    from kam.accounts.models import Account
    from kam.relationships import analysis as pure
    from kam.relationships.queries import StoredCentrality, account_relationship_snapshot

    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        return False
    snapshot = account_relationship_snapshot(account=account, today=timezone.localdate())
    ctx = pure.AccountContext.build(snapshot, None)
    store = StoredCentrality(account)
    key = pure.centrality_key(ctx)
    if store.get(key) is not None:
        return False
    store.put(key, pure.betweenness_scores(ctx))
    return True


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures being loaded
        return
    account_id = getattr(instance, "account_id", None)
    if account_id is not None:
        centrality_changed(account_id)


def connect() -> None:
    """Called by the app's ready(): the writes that change a map ask for a recompute."""
    from kam.relationships.models import Contact, ContactLink

    for model in (Contact, ContactLink):
        post_save.connect(_changed, sender=model, dispatch_uid=f"kam-centrality-{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"kam-centrality-del-{model.__name__}"
        )
