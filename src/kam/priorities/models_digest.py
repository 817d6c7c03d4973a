"""Each person's choice about the weekly "my week" digest e-mail (kam.priorities.digest)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestPreference(models.Model):
    """Whether a person gets the weekly digest, and in which language. No row: they get it,
    in the site's language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference"
    )
    weekly_digest = models.BooleanField(_("send me my week by e-mail every Monday"), default=True)
    language = models.CharField(
        _("language of the e-mail"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    last_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {'on' if self.weekly_digest else 'off'}"
