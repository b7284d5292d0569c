"""The command line: ``python -m alignment inspect|demo|export``.

- ``inspect FILE [--kind deals|leads] [--json]``: what an import of FILE would do, without saving.
- ``demo``: delete and recreate the demo workshop; prints its join code as the last line.
- ``export CODE --format pptx|xlsx|csv -o FILE``: write a workshop's report.

The database is the app's (``ALIGNMENT_DATABASE_URL``, else the embedded SQLite file).
"""

from __future__ import annotations

import argparse
import sys

from alignment.framework import FrameworkError, load_framework
from alignment.store import DatabaseUnavailable, open_database


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m alignment", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser("inspect", help="report what importing a CRM export would do, without saving")
    inspect.add_argument("file")
    inspect.add_argument("--kind", choices=["deals", "leads"], default=None, help="default: detected from the headers")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    commands.add_parser("demo", help="recreate the demo workshop and print its join code")
    export = commands.add_parser("export", help="write a workshop's report")
    export.add_argument("code", help="the workshop's join code")
    export.add_argument("--format", choices=["pptx", "xlsx", "csv"], required=True)
    export.add_argument("-o", "--output", required=True, help="the file to write")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "inspect":
        from alignment.importing.cli import run_inspect

        return run_inspect(args.file, args.kind, args.json)
    try:
        engine = open_database()
        if args.command == "demo":
            from alignment.demo import recreate_demo

            workshop = recreate_demo(engine, load_framework())
            print(f"Demo workshop recreated: {workshop.name}")
            print(workshop.code)
            return 0
        from alignment.export import run_export

        return run_export(engine, args.code, args.format, args.output)
    except (DatabaseUnavailable, FrameworkError) as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
