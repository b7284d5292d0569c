"""The command line: ``python -m alignment inspect|demo|export``.

- ``inspect FILE [--kind deals|leads] [--json]``: what an import of FILE would do, without saving.
- ``demo``: delete and recreate the demo workshop; prints its join code as the last line.
- ``export CODE --format pptx|xlsx|csv|workshop -o FILE``: write a workshop's report, or with
  ``workshop`` the whole workshop (answers, actions and their targets, every round's exports) as a file
  that ``import-workshop`` restores on another installation.
- ``import-workshop FILE``: restore a workshop from a workshop file; prints its join code as the last line.

The database is the app's (``ALIGNMENT_DATABASE_URL``, else the embedded SQLite file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import Engine

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
    export.add_argument("--format", choices=["pptx", "xlsx", "csv", "workshop"], required=True)
    export.add_argument("-o", "--output", required=True, help="the file to write")
    restore = commands.add_parser("import-workshop", help="restore a workshop from a workshop file")
    restore.add_argument("file", help="a file written by export --format workshop")
    return parser


def workshop_file(engine: Engine, command: str, code_or_file: str, output: str | None = None) -> int:
    """``export CODE --format workshop -o FILE`` and ``import-workshop FILE``: exit 0, or 1 with one sentence."""
    from alignment.store import WorkshopNotFound, get_workshop
    from alignment.store.transfer import WorkshopFileError, dump_workshop, restore_workshop

    try:
        if command == "export":
            workshop = get_workshop(engine, code_or_file)
            data = dump_workshop(engine, workshop.id)
            Path(output or "").write_bytes(data)
            print(f"Wrote {output} ({len(data):,} bytes): workshop {workshop.name} with its answers, actions and "
                  "exports. Restore it with python -m alignment import-workshop.")  # fmt: skip
            return 0
        workshop = restore_workshop(engine, Path(code_or_file).read_bytes())
    except WorkshopNotFound as exc:
        print(f"{exc} Check the join code.", file=sys.stderr)
        return 1
    except WorkshopFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Cannot {'write' if command == 'export' else 'read'} the file: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    print(f"Restored workshop {workshop.name}, round {workshop.current_round}. Join code:")
    print(workshop.code)
    return 0


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
        if args.command == "import-workshop" or args.format == "workshop":
            return workshop_file(engine, args.command, getattr(args, "code", None) or args.file,
                                 getattr(args, "output", None))  # fmt: skip
        from alignment.export import run_export

        return run_export(engine, args.code, args.format, args.output)
    except (DatabaseUnavailable, FrameworkError) as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
