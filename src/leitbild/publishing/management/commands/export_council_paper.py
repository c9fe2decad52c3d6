import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from leitbild.core.progress import ProgressBar
from leitbild.publishing.council import (
    FORMATS,
    NoRevisionProcess,
    council_paper_docx,
    council_paper_oparl,
    council_paper_pdf,
    council_process_resolve,
)


class Command(BaseCommand):
    help = (
        "Write the council paper package of a revision process (annex, synopsis, "
        "participation report, consideration table) as PDF or DOCX, or its OParl 1.1 JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--process", default="", help="process slug (default: the most recent revision)"
        )
        parser.add_argument("--format", choices=FORMATS, default="pdf")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--language", default="de")
        parser.add_argument(
            "--base-url",
            default="",
            help="the site's address for the OParl URLs (default: the SITE_URL setting)",
        )

    def handle(self, *args, process, format, out, language, base_url, **options):
        try:
            found = council_process_resolve(process)
        except NoRevisionProcess as error:
            raise CommandError(str(error)) from error
        progress = ProgressBar(f"{found.slug} → {format}", stream=self.stderr._out)
        progress(0, 1)
        if format == "oparl":
            origin = base_url or settings.SITE_URL
            if not origin:
                raise CommandError("Give --base-url (or set SITE_URL): OParl ids are URLs.")
            data = json.dumps(
                council_paper_oparl(process=found, base_url=origin), ensure_ascii=False, indent=2
            ).encode()
        elif format == "docx":
            data = council_paper_docx(process=found, language=language)
        else:
            data = council_paper_pdf(process=found, language=language)
        partial = out.with_name(out.name + ".partial")
        partial.write_bytes(data)
        partial.replace(out)  # no half-written file under the requested name
        progress(1, 1)
        self.stdout.write(self.style.SUCCESS(f"{found.title} → {out} ({len(data) // 1024} KB)"))
