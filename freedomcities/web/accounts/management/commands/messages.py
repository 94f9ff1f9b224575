"""``freedomcities manage messages``: update the catalogues and list what is left to translate."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from freedomcities.web.accounts import catalogue


class Command(BaseCommand):
    help = (
        "Extract every marked string into each language's catalogue, compile the catalogues, "
        "and list the entries still empty or fuzzy (exit status 1 while there are any)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-extract",
            action="store_true",
            help="Only compile and check the catalogues as they are.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_extract"]:
            catalogue.extract()
        left: list[str] = []
        for po in catalogue.catalogues():
            try:
                catalogue.compile_catalogue(po)
            except RuntimeError as error:
                raise CommandError(str(error)) from None
            found = catalogue.problems(po)
            total = len(catalogue.read_po(po))
            self.stdout.write(f"{po.parents[1].name}: {total - len(found)} of {total} translated")
            left += found
        for line in left:
            self.stdout.write(line)
        if left:
            raise CommandError(
                f"{len(left)} entries to translate: fill in their msgstr in the .po file "
                "(terms: docs/terminology-es.md), then run scripts/messages again."
            )
