"""The sales ledger: products and units, invoices and their lines, payments, exchange rates,
and the per-account, per-quarter rollups that metrics and scoring read instead of the ledger.

Money is Decimal, always beside its currency. Lines keep the invoice's account, date and
currency (denormalised) because every aggregation groups lines by account and quarter, and a
join to invoices on 10 million lines is the one thing the rollup must not pay for.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account, currency_code

MONEY = {"max_digits": 20, "decimal_places": 2}
QUANTITY = {"max_digits": 18, "decimal_places": 4}
ZERO = Decimal("0")


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
    unit_cost = models.DecimalField(_("unit cost"), max_digits=20, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])

    class Meta:
        verbose_name = _("product cost")
        verbose_name_plural = _("product costs")
        ordering = ["product", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["product", "valid_from"], name="one_cost_per_product_day")
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
    factor = models.DecimalField(_("base units per unit"), max_digits=18, decimal_places=6)

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
    """A sales invoice (or order) to an account. Cancelled invoices stay, but count for nothing."""

    number = models.CharField(_("invoice number"), max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="invoices")
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    status = models.CharField(
        _("status"), max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )
    total = models.DecimalField(_("total"), **MONEY, default=ZERO)
    paid_on = models.DateField(_("fully paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [models.Index(fields=["account", "issue_date"])]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """One line of an invoice: what was sold, how much, for what and at what cost."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(_("line"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    issue_date = models.DateField()
    currency = models.CharField(max_length=3)
    cancelled = models.BooleanField(default=False)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="lines", null=True, blank=True
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    base_quantity = models.DecimalField(_("quantity in base units"), **QUANTITY)
    net_revenue = models.DecimalField(_("net revenue"), **MONEY)
    cost = models.DecimalField(_("cost"), **MONEY)
    discount = models.DecimalField(_("discount"), **MONEY, default=ZERO)
    rebate = models.DecimalField(_("rebate"), **MONEY, default=ZERO)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "line_number"], name="one_line_number")
        ]
        indexes = [models.Index(fields=["account", "issue_date"])]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.line_number}"


class Payment(models.Model):
    """Money received from an account, against an invoice when the ERP says which."""

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(
        Invoice, on_delete=models.SET_NULL, related_name="payments", null=True, blank=True
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), **MONEY)
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
    rate = models.DecimalField(_("rate"), max_digits=24, decimal_places=10)

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

    Kept up to date by every import for the account-quarters it touched, so metrics and scoring
    read a few rows per account instead of rescanning the ledger. Cancelled lines are excluded.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="quarters")
    quarter = models.DateField(help_text="The first day of the quarter.")
    revenue = models.DecimalField(**MONEY, default=ZERO)
    cost = models.DecimalField(**MONEY, default=ZERO)
    discount = models.DecimalField(**MONEY, default=ZERO)
    rebate = models.DecimalField(**MONEY, default=ZERO)
    units = models.DecimalField(**QUANTITY, default=ZERO)
    lines = models.PositiveIntegerField(default=0)
    invoices = models.PositiveIntegerField(default=0)
    # Payment behaviour of the invoices that fell due in this quarter.
    invoices_due = models.PositiveIntegerField(default=0)
    paid_on_time = models.PositiveIntegerField(default=0)
    days_late_sum = models.BigIntegerField(default=0)
    days_late_max = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("account quarter")
        verbose_name_plural = _("account quarters")
        constraints = [
            models.UniqueConstraint(fields=["account", "quarter"], name="one_rollup_per_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.quarter}"
