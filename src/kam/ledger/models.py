"""The sales ledger: products and units, invoices and their lines, payments, exchange rates,
and the per-account, per-quarter rollups that metrics and scoring read instead of the ledger.

Money is Decimal, always beside its currency. A line holds only what is its own (product,
quantities, amounts): its account, date, currency and status are its invoice's. Lines are the
bulk of an import (ten million of them, against a few million invoices), so every byte and
index they carry is paid for on every import; the rollups join them to their invoices.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account, currency_code
from kam.core.fields import ExactDecimalField

MONEY = {"max_digits": 20, "decimal_places": 2}
QUANTITY = {"max_digits": 18, "decimal_places": 4}
ZERO = Decimal("0")
# An invoice without a due date falls due this many days after its issue date.
DEFAULT_PAYMENT_DAYS = 30


class LedgerSettings(models.Model):
    """The programme's ledger settings: one row (pk=1)."""

    reporting_currency = models.CharField(
        _("reporting currency"), max_length=3, default="USD", validators=[currency_code]
    )

    class Meta:
        verbose_name = _("ledger settings")
        verbose_name_plural = _("ledger settings")

    def __str__(self) -> str:
        return f"reporting in {self.reporting_currency}"

    @classmethod
    def current(cls) -> LedgerSettings:
        settings, _ = cls.objects.get_or_create(pk=1)
        return settings


class Product(models.Model):
    """Something we sell, counted in its base unit (piece, metre, kilogram...)."""

    code = models.CharField(_("product code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    base_unit = models.CharField(_("base unit"), max_length=32, default="piece")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProductCost(models.Model):
    """The unit cost of a product (per base unit) from a date on: its cost history."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="costs")
    valid_from = models.DateField(_("valid from"))
    unit_cost = ExactDecimalField(_("unit cost"), max_digits=20, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])

    class Meta:
        verbose_name = _("product cost")
        verbose_name_plural = _("product costs")
        ordering = ["product", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "valid_from"], name="one_cost_per_product_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.code} {self.unit_cost} {self.currency} from {self.valid_from}"


class UnitConversion(models.Model):
    """How many base units one ``unit`` holds (a carton of 12, a pallet of 480). A row with no
    product applies to every product that has no conversion of its own for that unit."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="conversions", null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=32)
    factor = ExactDecimalField(_("base units per unit"), max_digits=18, decimal_places=6)

    class Meta:
        verbose_name = _("unit conversion")
        verbose_name_plural = _("unit conversions")
        constraints = [
            models.UniqueConstraint(fields=["product", "unit"], name="one_conversion_per_unit"),
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(product=None), name="one_global_conversion"
            ),
            models.CheckConstraint(condition=models.Q(factor__gt=0), name="conversion_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.unit} = {self.factor} base units"


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")


class Invoice(models.Model):
    """A sales invoice (or order) to an account. Cancelled invoices stay, but count for nothing.

    Derived from its lines by the ledger import: ``total`` is the sum of the lines' net revenue,
    and ``paid_on`` is set by the payment allocation (kam.ledger.allocation).
    """

    # Unique by a constraint, not unique=True: on PostgreSQL that would add a second index
    # (for LIKE searches nobody runs) to maintain on every imported invoice.
    number = models.CharField(_("invoice number"), max_length=64)
    # No index of its own: the (account, issue_date) index below serves account lookups, and
    # every index costs time on a 10-million-line import. Not enforced by the database either,
    # as for the lines: only the ledger import writes invoices, after checking every account,
    # and a deferred check per row at commit costs seconds per million invoices.
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="invoices",
        db_index=False,
        db_constraint=False,
    )
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    status = models.CharField(
        _("status"), max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )
    total = ExactDecimalField(_("total"), **MONEY, default=ZERO)
    paid_on = models.DateField(_("fully paid on"), null=True, blank=True)
    # A cancellation (the ledger import's credit_prefix, or every line a return): counted
    # neither as an invoice nor as one due; its negative lines still take off revenue.
    credit_note = models.BooleanField(_("credit note"), default=False, db_default=False)
    cancels = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("cancels"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [models.UniqueConstraint(fields=["number"], name="one_invoice_number")]
        indexes = [
            models.Index(fields=["account", "issue_date"]),
            # Only credit notes are in it, so a bulk load of invoices pays nothing for it, but
            # deleting an invoice (a reset, a correction) finds its credit notes without a
            # scan of every invoice per row deleted: the foreign key check needs it.
            models.Index(
                fields=["cancels"],
                condition=models.Q(cancels__isnull=False),
                name="invoice_cancels",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def effective_due_date(self) -> date:
        """The due date, or the issue date plus the default payment term when the ERP gave none."""
        return self.due_date or self.issue_date + timedelta(days=DEFAULT_PAYMENT_DAYS)


class InvoiceLine(models.Model):
    """One line of an invoice: what was sold, how much, for what and at what cost."""

    # Lines are written only by the ledger import (kam.ledger.importing), set-based, after it
    # has checked every invoice, account and product they refer to. So their foreign keys are
    # not enforced by the database as well: PostgreSQL checks each one with a row trigger at
    # commit, 6 s per million lines per key, more than the whole rest of the import. Django
    # still cascades and protects on delete. No index but the key (invoice, line_number): an
    # account's lines are found through its invoices (indexed by account), and products are
    # rarely deleted (a scan then is fine). Every index costs seconds per million imported
    # lines.
    pk = models.CompositePrimaryKey("invoice", "line_number")
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", db_index=False, db_constraint=False
    )
    line_number = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="lines",
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
    )
    quantity = ExactDecimalField(_("quantity"), **QUANTITY)
    # The database's defaults too (db_default): a big direct load leaves out the columns
    # every line of a piece has at their default, and the database parses fewer values.
    unit = models.CharField(_("unit"), max_length=32, blank=True, default="", db_default="")
    base_quantity = ExactDecimalField(_("quantity in base units"), **QUANTITY)
    net_revenue = ExactDecimalField(
        _("net revenue"), **MONEY, help_text=_("What the line charges, after its discount.")
    )
    # Null: unknown, for a ledger imported with ``--cost unknown`` from an export without cost.
    cost = ExactDecimalField(_("cost"), **MONEY, null=True)
    discount = ExactDecimalField(
        _("discount"),
        **MONEY,
        default=ZERO,
        db_default=ZERO,
        help_text=_("Already taken off the net revenue."),
    )
    rebate = ExactDecimalField(
        _("rebate"),
        **MONEY,
        default=ZERO,
        db_default=ZERO,
        help_text=_("Paid back later; not yet taken off."),
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.line_number}"


class Payment(models.Model):
    """Money received from an account, against an invoice when the ERP says which."""

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    # Served by the (account, paid_on) index.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.SET_NULL, related_name="payments", null=True, blank=True
    )
    paid_on = models.DateField(_("paid on"))
    amount = ExactDecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["account", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency}"


class ExchangeRate(models.Model):
    """How many units of the reporting currency one unit of ``currency`` bought in ``month``."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    rate = ExactDecimalField(_("rate"), max_digits=24, decimal_places=10)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["month", "currency"], name="one_rate_per_month"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.currency} {self.rate}"


class AccountQuarter(models.Model):
    """One account's sales and payments in one calendar quarter, in the reporting currency.

    Kept up to date by every import for the accounts it touched (kam.ledger.rollups), so metrics
    and scoring read a few rows per account instead of rescanning the ledger. Cancelled lines and
    invoices are excluded. Each line is converted with the exchange rate of its issue month.

    - ``revenue``: the lines' net revenue, after on-invoice discounts and *before* rebates, so
      what the customer pays in the end is ``revenue - rebate``; ``discount`` and ``rebate``
      are what was given away; ``cost`` the cost of the goods; ``units`` base units.
    - ``lines`` and ``invoices``: counted in the quarter of the issue date.
    - The payment columns count invoices in the quarter of their due date, once they are paid
      or overdue (an unpaid invoice not yet due is not counted yet): ``paid_on_time`` were paid
      on or before the due date; ``days_late_sum`` / ``days_late_max`` are over all of them,
      where an unpaid overdue invoice is late by the days up to the refresh date. The unpaid_*
      columns single those out, so that scoring can leave them out when the account has no
      payment record at all (payment unknown) and measure them up to its as-of date.
    """

    # Keyed by (account, quarter): no surrogate id. Written only by kam.ledger.rollups and the
    # direct ledger load, for accounts they have just read, so the account is not checked by
    # the database as well (a deferred check per row costs seconds at the commit of a big
    # import); Django still deletes an account's rollups with it.
    pk = models.CompositePrimaryKey("account", "quarter")
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="quarters",
        db_index=False,
        db_constraint=False,
    )
    quarter = models.DateField(help_text="The first day of the quarter.")
    revenue = ExactDecimalField(**MONEY, default=ZERO)
    cost = ExactDecimalField(**MONEY, default=ZERO)
    # The revenue of lines whose cost is unknown (``cost`` leaves them out): margin is unknown.
    uncosted_revenue = ExactDecimalField(**MONEY, default=ZERO, db_default=ZERO)
    discount = ExactDecimalField(**MONEY, default=ZERO)
    rebate = ExactDecimalField(**MONEY, default=ZERO)
    units = ExactDecimalField(**QUANTITY, default=ZERO)
    lines = models.PositiveIntegerField(default=0)
    invoices = models.PositiveIntegerField(default=0)
    # Payment behaviour of the invoices that fell due in this quarter.
    invoices_due = models.PositiveIntegerField(default=0)
    paid_on_time = models.PositiveIntegerField(default=0)
    days_late_sum = models.BigIntegerField(default=0)
    days_late_max = models.IntegerField(default=0)
    # Of those, the ones still unpaid at the refresh: how many, their days late then (inside
    # days_late_sum), the sum and the earliest of their due dates (days since 2000-01-01), so
    # that scoring can measure them up to its as-of date instead (kam.selection.run); and the
    # worst days late of the paid ones alone.
    unpaid_due = models.PositiveIntegerField(default=0, db_default=0)
    unpaid_late_sum = models.BigIntegerField(default=0, db_default=0)
    unpaid_due_days = models.BigIntegerField(default=0, db_default=0)
    unpaid_first_due = models.IntegerField(default=0, db_default=0)
    paid_late_max = models.IntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("account quarter")
        verbose_name_plural = _("account quarters")

    def __str__(self) -> str:
        return f"{self.account_id} {self.quarter}"
