"""Country names and codes as ERPs write them, to ISO 3166 alpha-2."""

from __future__ import annotations

from functools import lru_cache

from django_countries import countries

# Names and abbreviations django_countries does not know, in upper case.
ALIASES = {
    "USA": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "UNITED STATES": "US",
    "UNITED STATES OF AMERICA": "US",
    "AMERICA": "US",
    "UK": "GB",
    "U.K.": "GB",
    "GREAT BRITAIN": "GB",
    "BRITAIN": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "NORTHERN IRELAND": "GB",
    "UNITED KINGDOM": "GB",
    "HOLLAND": "NL",
    "THE NETHERLANDS": "NL",
    "KOREA": "KR",
    "REPUBLIC OF KOREA": "KR",
    "MACAU": "MO",
    "HONG KONG SAR": "HK",
    "PRC": "CN",
    "P.R. CHINA": "CN",
    "MAINLAND CHINA": "CN",
    "UAE": "AE",
    "RUSSIAN FEDERATION": "RU",
    "VIET NAM": "VN",
    "CZECHIA": "CZ",
    "IVORY COAST": "CI",
}


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """The alpha-2 code of a country given by alpha-2, alpha-3 or numeric code, its English
    name or a common alias ('USA', 'UK'); None when it is none of those."""
    value = " ".join(text.split())
    if not value:
        return None
    upper = value.upper()
    if upper in ALIASES:
        return ALIASES[upper]
    if len(value) in (2, 3) or value.isdigit():
        code = countries.alpha2(upper)
        if code:
            return code
    code = countries.by_name(value)
    return code or None
