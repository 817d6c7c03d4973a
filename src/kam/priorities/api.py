"""The priorities API, assembled from its parts: time, capacity and money measured
(``api_time``), the allocation of hours (``api_allocation``)."""

from ninja import Router

from kam.priorities.api_allocation import router as allocation_router
from kam.priorities.api_calendar import router as calendar_router
from kam.priorities.api_fit import router as fit_router
from kam.priorities.api_settings import router as settings_router
from kam.priorities.api_time import router as time_router
from kam.priorities.api_week import router as week_router
from kam.priorities.api_workload import router as workload_router

router = Router(tags=["priorities"])
router.add_router("", time_router)
router.add_router("", allocation_router)
router.add_router("", week_router)
router.add_router("", fit_router)
router.add_router("", calendar_router)
router.add_router("", workload_router)
router.add_router("", settings_router)
