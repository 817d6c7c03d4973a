"""The REST API at /api/v1/, assembled from each app's router.

``KamAPI`` registers the one exception handling of the API (kam.api.errors: one error shape
for every error status) and declares each operation's error answers in the OpenAPI document
(kam.api.openapi).
"""

from kam import __version__
from kam.accounts.api import router as accounts_router
from kam.api.auth import API_AUTH, api_login_required
from kam.api.openapi import KamAPI
from kam.ledger.api import router as ledger_router
from kam.planning.api import router as planning_router
from kam.plans.api import router as plans_router
from kam.priorities.api import router as priorities_router
from kam.relationships.api import router as contacts_router
from kam.risk.api import router as risk_router
from kam.selection.api import router as selection_router

api = KamAPI(
    title="kam API",
    version=__version__,
    description="Key account management: accounts, teams and contacts the caller may see.",
    urls_namespace="api",
    auth=API_AUTH,
    docs_decorator=api_login_required,
)
api.add_router("/accounts", accounts_router)
api.add_router("/contacts", contacts_router)
api.add_router("/ledger", ledger_router)
api.add_router("/selection", selection_router)
api.add_router("/planning", planning_router)
api.add_router("/plans", plans_router)
api.add_router("/risk", risk_router)
api.add_router("/priorities", priorities_router)
