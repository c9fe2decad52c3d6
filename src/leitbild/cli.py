"""The ``leitbild`` command: the project's own commands plus every Django one.

``leitbild import-text FILE`` is ``manage.py import_text FILE``: dashes in a command
name are accepted for underscores, so both spellings work.
"""

import os
import sys

OWN_COMMANDS = {
    "import-text": "import a concept document (plain-text layout) as an edition",
    "compare-editions": "compare two editions' goals (new, removed, reworded, unchanged)",
    "export-edition": "write an edition as one JSON document",
    "load-demo": "load the demo data (Münster editions, organisations, the 2023–2025 "
    "revision), a staff login and one login per role",
    "scale-demo": "add synthetic rows to the demo for load tests (--factor 100: 20,000 "
    "contributions, 5,000 registrations, 500,000 observations)",
    "api-token": "make an API token for a staff user (prints only the token)",
    "setup-roles": "create or update the role groups (coordinators); run after upgrades",
    "db-worker": "run background tasks (e-mails); keep it running next to the web server",
    "serve": "serve the site with the task worker (--production: gunicorn, N workers)",
    "backup": "write all data and uploaded files to one archive",
    "restore": "restore data and files from a backup archive (into an empty database)",
    "purge-personal-data": "erase participants' personal data of a finished process",
    "anonymise-registrations": "anonymise registrations past their retention time (run daily)",
    "import-observations": "import monitoring data (long CSV/XLSX or Open SDG CSV), all or nothing",
    "export-opensdg": "write the indicators as an Open SDG data folder",
    "derive": "derive migration background from a register extract (CSV/Parquet)",
    "synth-register": "write a synthetic register extract calibrated to Münster 2017",
    "export-pdf": "write an edition as a print-ready PDF brochure",
    "export-report": "write the monitoring report of an edition as a PDF",
    "export-council-paper": "write a revision's council paper package (PDF, DOCX or OParl JSON)",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leitbild.settings.base")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    if len(argv) == 1 or (argv[1] in {"-h", "--help", "help"} and len(argv) == 2):
        print("leitbild — the integration concept platform.\n")
        print("Usage: leitbild <command> [options]   (leitbild <command> --help for details)\n")
        print("Leitbild commands:")
        for name, summary in OWN_COMMANDS.items():
            print(f"  {name:<18} {summary}")
        print("\nDjango commands (migrate, createsuperuser, check --deploy, runserver …):")
        print("  leitbild help --commands    lists them all\n")
        if len(argv) == 1:
            return
        argv = [argv[0], "help", "--commands"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
