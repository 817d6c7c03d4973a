"""The plans API, assembled from its parts: plans, versions, objectives, actions and sign-offs
(``api_plan``); reviews, quality, monitoring, attachments and capabilities (``api_follow``);
the programme's plans (``api_programme``)."""

from ninja import Router

from kam.plans.api_follow import router as follow_router
from kam.plans.api_plan import router as plan_router
from kam.plans.api_programme import router as programme_router

router = Router(tags=["plans"])
router.add_router("", plan_router)
router.add_router("", follow_router)
router.add_router("", programme_router)
