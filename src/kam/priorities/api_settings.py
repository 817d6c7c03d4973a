"""The caller's own digest setting at /api/v1/priorities/settings/digest. No ``from __future__
import annotations`` (ninja)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kam.priorities.views_settings import digest_preference

router = Router()


class DigestOut(Schema):
    weekly_digest: bool
    language: str
    last_sent_at: datetime | None


class DigestIn(Schema):
    weekly_digest: bool = Field(..., description="false: no weekly e-mail")
    language: Literal["", "en", "zh-hant", "id"] = Field("", description="'': the site's")


def _out(p) -> dict:
    return {
        "weekly_digest": p.weekly_digest,
        "language": p.language,
        "last_sent_at": p.last_sent_at,
    }


@router.get("/settings/digest", response=DigestOut, summary="My weekly digest setting")
def digest_read(request: HttpRequest):
    return _out(digest_preference(request.auth))


@router.put("/settings/digest", response=DigestOut, summary="Turn my weekly digest on or off")
def digest_set(request: HttpRequest, payload: DigestIn):
    """Whether the caller gets their "my week" by e-mail every Monday, and in which language."""
    preference = digest_preference(request.auth)
    preference.weekly_digest = payload.weekly_digest
    preference.language = payload.language
    preference.save()
    return _out(preference)
