"""Country names and codes as ERPs write them, to ISO 3166 alpha-2.

A value is, in this order: an alias of the table below (ERP spellings django-countries does
not know), the explicit "unknown / other" (``UNKNOWN_WORDS``, and places that are no single
country: ``NOT_ONE_COUNTRY``), an alpha-2, alpha-3 or numeric code, or an English name
(django-countries' names, including official ones such as "Viet Nam"). docs/import-formats.md
shows the same table; tests check that no alias repeats what django-countries knows.

"Unknown / other" is stored as an empty country: the account's ``country_as_written`` keeps
the text, so "Channel Islands" is never lost, and nothing pretends it is Jersey or Guernsey.
"""

from __future__ import annotations

from functools import lru_cache

from django_countries import countries

# The stored code of "unknown / other". Written as ZZ (ISO 3166's user-assigned code that
# CLDR uses for "Unknown Region") or one of UNKNOWN_WORDS.
UNKNOWN = ""

# ERP spellings and abbreviations, in upper case with spaces collapsed.
ALIASES = {
    "U.S.A.": "US",
    "U.S.": "US",
    "US OF A": "US",
    "UNITED STATES": "US",
    "AMERICA": "US",
    "UK": "GB",
    "U.K.": "GB",
    "GREAT BRITAIN": "GB",
    "BRITAIN": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "NORTHERN IRELAND": "GB",
    "EIRE": "IE",
    "REPUBLIC OF IRELAND": "IE",
    "HOLLAND": "NL",
    "THE NETHERLANDS": "NL",
    "RSA": "ZA",
    "REPUBLIC OF SOUTH AFRICA": "ZA",
    "KOREA": "KR",
    "KOREA (SOUTH)": "KR",
    "KOREA, SOUTH": "KR",
    "REPUBLIC OF KOREA": "KR",
    "KOREA (NORTH)": "KP",
    "KOREA, NORTH": "KP",
    "MACAU": "MO",
    "MACAU SAR": "MO",
    "MACAO SAR": "MO",
    "HONG KONG SAR": "HK",
    "HONG KONG S.A.R.": "HK",
    "HONG KONG, CHINA": "HK",
    "TAIWAN, PROVINCE OF CHINA": "TW",
    "TAIWAN (R.O.C.)": "TW",
    "CHINESE TAIPEI": "TW",
    "PRC": "CN",
    "P.R. CHINA": "CN",
    "P.R.C.": "CN",
    "MAINLAND CHINA": "CN",
    "PEOPLE'S REPUBLIC OF CHINA": "CN",
    "UAE": "AE",
    "U.A.E.": "AE",
    "IVORY COAST": "CI",
    "KSA": "SA",
}

# Words that say "no country" on purpose.
UNKNOWN_WORDS = frozenset(
    {"ZZ", "UNKNOWN", "UNSPECIFIED", "NOT SPECIFIED", "OTHER", "OTHERS", "N/A", "NONE", "VARIOUS"}
)

# Places ERPs use as a country that are no one ISO country: unknown / other, text kept.
NOT_ONE_COUNTRY = frozenset(
    {
        "CHANNEL ISLANDS",
        "EUROPEAN COMMUNITY",
        "EUROPEAN UNION",
        "EU",
        "REST OF WORLD",
        "ROW",
        "WEST INDIES",
    }
)

# A country is never longer than this; longer text is not one (and is not stored).
LONGEST = 100


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """The alpha-2 code of ``text``; UNKNOWN ("") for an explicit unknown / other; None when
    it is none of those (the import refuses the row)."""
    value = " ".join(text.split())
    if not value or len(value) > LONGEST:
        return None
    upper = value.upper()
    if upper in ALIASES:
        return ALIASES[upper]
    if upper in UNKNOWN_WORDS or upper in NOT_ONE_COUNTRY:
        return UNKNOWN
    if len(value) in (2, 3) or value.isdigit():
        code = countries.alpha2(upper)
        if code:
            return code
    code = countries.by_name(value)
    return code or None
