"""Countries as ERPs write them: aliases, an explicit unknown / other, the text kept."""

from __future__ import annotations

import pytest
from django_countries import countries

from kam.accounts.models import Account
from kam.ledger.importing import ImportRefused, import_file
from kam.ledger.importing.countries import ALIASES, NOT_ONE_COUNTRY, UNKNOWN_WORDS

pytestmark = pytest.mark.django_db

HEADER = "code,name,country,currency\n"


def test_erp_spellings_import_with_their_code_and_the_text_kept(write_file):
    rows = [
        ("E1", "EIRE", "IE"),
        ("E2", "RSA", "ZA"),
        ("E3", "UAE", "AE"),
        ("E4", "Great Britain", "GB"),
        ("E5", "Holland", "NL"),
        ("E6", "Korea (South)", "KR"),
        ("E7", "Hong Kong SAR", "HK"),
        ("E8", "Macau", "MO"),
        ("E9", "Taiwan", "TW"),
        ("E10", "DEU", "DE"),  # alpha-3, from django-countries
        ("E11", "  usa ", "US"),
        ("E12", "Viet Nam", "VN"),  # django-countries' official name
    ]
    text = HEADER + "".join(f"{code},Buyer {code},{written},USD\n" for code, written, _ in rows)

    result = import_file(kind="accounts", path=write_file("erp.csv", text))

    assert result.rejected == 0
    stored = {a.code: (a.country.code, a.country_as_written) for a in Account.objects.all()}
    assert stored == {code: (iso, written.strip()) for code, written, iso in rows}


def test_unknown_or_other_is_stored_empty_with_the_text_kept(write_file):
    text = HEADER + (
        "U1,Jersey Trading,Channel Islands,GBP\n"
        "U2,EU Buyer,European Community,EUR\n"
        "U3,Walk-in,Unspecified,USD\n"
        "U4,Marked,ZZ,USD\n"
    )

    result = import_file(kind="accounts", path=write_file("unknown.csv", text))

    assert result.rejected == 0
    stored = {a.code: (a.country.code, a.country_as_written) for a in Account.objects.all()}
    assert stored == {
        "U1": ("", "Channel Islands"),
        "U2": ("", "European Community"),
        "U3": ("", "Unspecified"),
        "U4": ("", "ZZ"),
    }
    assert Account.objects.get(code="U1").country_shown == "Unknown / other (Channel Islands)"


def test_a_country_changed_in_the_erp_replaces_code_and_text(write_file):
    import_file(kind="accounts", path=write_file("a.csv", HEADER + "X1,Buyer,Unspecified,EUR\n"))

    result = import_file(kind="accounts", path=write_file("b.csv", HEADER + "X1,Buyer,EIRE,EUR\n"))

    assert result.updated == 1
    account = Account.objects.get(code="X1")
    assert (account.country.code, account.country_as_written) == ("IE", "EIRE")
    assert account.country_shown == "Ireland"


def test_a_name_that_is_no_country_is_still_refused_naming_the_way_out(write_file):
    path = write_file("bad.csv", HEADER + "X1,Buyer,Atlantis,USD\nX2,Empty,,USD\n")

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="accounts", path=path)

    errors = [(e.row, e.column, e.value, e.reason) for e in refused.value.result.errors]
    assert errors[0][:3] == (2, "country", "Atlantis")
    assert "ZZ for unknown / other" in errors[0][3]
    assert errors[1][:3] == (3, "country", "")  # an empty cell is no explicit unknown
    assert not Account.objects.exists()


def test_the_alias_table_only_holds_what_django_countries_does_not_know(db):
    for alias in (*ALIASES, *UNKNOWN_WORDS, *NOT_ONE_COUNTRY):
        assert not countries.by_name(alias), alias
        assert len(alias) not in (2, 3) or not countries.alpha2(alias), alias
