"""People on our side: logins, their role in the programme, and their API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROGRAMME_LEAD = "lead", _("Programme lead")
    KEY_ACCOUNT_MANAGER = "kam", _("Key account manager")
    TEAM_MEMBER = "team", _("Team member")
    MENTOR = "mentor", _("Mentor")


class User(AbstractUser):
    """A login on the seller's side, with one role in the key account programme."""

    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.TEAM_MEMBER
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_lead(self) -> bool:
        return self.role == Role.PROGRAMME_LEAD

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR


TOKEN_PREFIX = "kam_"  # noqa: S105 - a marker that makes leaked tokens easy to grep for


def _digest(raw: str) -> str:
    # A token carries 256 random bits, so a plain SHA-256 cannot be brute-forced; unlike a
    # keyed hash it survives a change of secret key.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def authenticate(self, raw: str) -> ApiToken | None:
        """The active token matching ``raw``, compared in constant time, or None."""
        if not raw.startswith(TOKEN_PREFIX) or len(raw) < len(TOKEN_PREFIX) + 9:
            return None
        key = raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8]
        token = self.active().select_related("user").filter(key=key).first()
        if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
            return None
        return token


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key = models.CharField(max_length=8, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{TOKEN_PREFIX}{self.key}… ({self.user})"

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> tuple[ApiToken, str]:
        """Create a token and return it with its secret, which is never stored in clear."""
        key = secrets.token_hex(4)
        raw = f"{TOKEN_PREFIX}{key}{secrets.token_urlsafe(32)}"
        token = cls.objects.create(user=user, name=name, key=key, digest=_digest(raw))
        return token, raw
