"""Number formats for Traditional Chinese: Django's own, but amounts grouped by thousands
with commas (1,234,567), as Taiwanese and Hong Kong business documents write them."""

from django.conf.locale.zh_Hant.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
