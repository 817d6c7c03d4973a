"""``create_accounts``: a ledger file that carries its customers' fields on every line (a
flat order-line export) creates the accounts it refers to and kam lacks, from its own columns,
before its lines are imported, in the same transaction.

The account's fields come from the columns ``account_name``, ``account_country`` (required),
``account_currency`` (default: the line's currency) and, when mapped, ``account_industry``,
``account_coverage``, ``account_parent`` and ``account_owner``; ``account_code`` is the
account's code. Accounts already in kam are left as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

from kam.ledger.importing.formats import OPTIONS

# The accounts field each ledger-file name gives.
ACCOUNT_FIELDS = {
    "account_name": "name",
    "account_country": "country",
    "account_currency": "currency",
    "account_industry": "industry",
    "account_coverage": "coverage",
    "account_parent": "parent_code",
    "account_owner": "owner",
}
REQUIRED = ("account_name", "account_country")


def split(
    mapping: Mapping[str, str], constants: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """The (mapping, constants) of the accounts pass and of the ledger pass, from the ledger
    import's own."""
    ledger_mapping = {k: v for k, v in mapping.items() if k not in ACCOUNT_FIELDS}
    ledger_constants = {k: v for k, v in constants.items() if k not in ACCOUNT_FIELDS}
    accounts_mapping = {"code": mapping.get("account_code", "account_code")}
    accounts_constants = {k: v for k, v in constants.items() if k in OPTIONS}
    if "account_code" in constants:
        accounts_constants["code"] = constants["account_code"]
        del accounts_mapping["code"]
    for ours, field in ACCOUNT_FIELDS.items():
        if ours in constants:
            accounts_constants[field] = constants[ours]
        elif ours in mapping or ours in REQUIRED:
            accounts_mapping[field] = mapping.get(ours, ours)
        elif ours == "account_currency":
            if "currency" in constants:
                accounts_constants[field] = constants["currency"]
            else:
                accounts_mapping[field] = mapping.get("currency", "currency")
    return accounts_mapping, accounts_constants, ledger_mapping, ledger_constants
