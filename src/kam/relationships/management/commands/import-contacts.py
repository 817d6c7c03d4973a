"""``kam import-contacts FILE --map ours=theirs ...``: contacts from a CRM export."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from kam.core.management.base import DataCommand
from kam.ledger.importing.mapping_file import MappingFileError, read_mapping_file
from kam.ledger.importing.result import REFUSED_EXIT, ImportRefused, shown
from kam.relationships.importing import FIELDS, import_contacts
from kam.users.models import User


class Command(DataCommand):
    help = (
        "Import contacts from a CSV or XLSX file (e.g. a Salesforce or HubSpot export). "
        "Columns are matched to our fields by name or by --map; the accounts must exist. "
        f"Fields: {', '.join(FIELDS)}. A row is the same person as a stored contact by "
        "account + external_id, else account + email, else account + name; reports_to names "
        "the manager the same way, in the file or the account. All or nothing unless "
        "--skip-bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OURS=THEIRS",
            help="our field = the file's column, e.g. account=customerNumber (repeatable)",
        )
        parser.add_argument(
            "--map-file",
            type=Path,
            help="a TOML or JSON mapping file, e.g. docs/examples/hubspot-contacts-mapping.toml",
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="import the good rows and write the bad ones to a reject file",
        )
        parser.add_argument(
            "--rejects", help="where the reject file goes (default FILE.rejects.csv)"
        )
        parser.add_argument("--sheet", help="the XLSX sheet to read (default the first)")
        parser.add_argument(
            "--encoding",
            help="the encoding of a CSV file not in UTF-8, e.g. cp1252, latin-1, gbk, big5",
        )
        parser.add_argument(
            "--as",
            dest="username",
            help="import as this user: only their accounts, and audited as them",
        )

    def handle(self, *args, **options):
        mapping = {}
        if options["map_file"]:
            try:
                mapping, constants = read_mapping_file(options["map_file"])
            except MappingFileError as error:
                raise CommandError(str(error), returncode=REFUSED_EXIT) from error
            if constants:
                raise CommandError(
                    f"{options['map_file']}: a contacts import takes no [constants]",
                    returncode=REFUSED_EXIT,
                )
        for item in options["map"]:
            ours, sep, theirs = item.partition("=")
            if not sep or not ours.strip() or not theirs.strip():
                raise CommandError(
                    f"--map takes OURS=THEIRS, not {item!r}", returncode=REFUSED_EXIT
                )
            mapping[ours.strip()] = theirs.strip()
        by = None
        if options["username"]:
            by = User.objects.filter(username=options["username"], is_active=True).first()
            if by is None:
                raise CommandError(f"no active user {options['username']!r}")
        try:
            result = import_contacts(
                options["file"],
                mapping=mapping,
                skip_bad=options["skip_bad"],
                reject_path=options["rejects"],
                by=by,
                sheet=options["sheet"],
                encoding=options["encoding"],
            )
        except ImportRefused as refused:
            self._errors(refused.result)
            raise CommandError(
                f"nothing imported: {refused.result.errors_total} problem(s) in "
                f"{refused.result.rejected or 'the header of'} row(s); fix them or use --skip-bad",
                returncode=REFUSED_EXIT,
            ) from refused
        self._errors(result)
        self.stdout.write(
            f"{result.read} rows read: {result.created} contacts created, {result.updated} "
            f"updated, {result.unchanged} unchanged, {result.rejected} rejected."
        )
        if result.reject_path:
            self.stdout.write(f"Rejected rows written to {result.reject_path}")

    def _errors(self, result) -> None:
        for error in result.errors[:50]:
            where = f"row {error.row}, {error.column}" if error.column else f"row {error.row}"
            self.stderr.write(f"{where}: {shown(error.reason)}")
        if result.errors_total > 50:
            self.stderr.write(f"… and {result.errors_total - 50} more")
