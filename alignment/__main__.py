"""The command line: ``python -m alignment inspect|demo|export``.

- ``inspect FILE [--kind deals|leads] [--map field=column ...] [--json]``: what an import of FILE would do,
  without saving.
- ``import FILE --workshop CODE [--kind deals|leads] [--map field=column ...] [--dry-run] [--json]``:
  import FILE into a workshop exactly as the Pipeline data page does.
- ``demo``: delete and recreate the demo workshop; prints its join code as the last line.
- ``export CODE --format pptx|xlsx|csv|workshop -o FILE``: write a workshop's report, or with
  ``workshop`` the whole workshop (answers, actions and their targets, every round's exports) as a file
  that ``import-workshop`` restores on another installation.
- ``import-workshop FILE``: restore a workshop from a workshop file; prints its join code as the last line.
- ``backup FILE``: copy the SQLite database to FILE, consistently, while the app runs.

The database is the app's (``ALIGNMENT_DATABASE_URL``, else the embedded SQLite file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import Engine

from alignment.framework import FrameworkError, load_framework
from alignment.settings import check_settings
from alignment.store import DatabaseUnavailable, open_database


def _file_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("file")
    command.add_argument("--kind", choices=["deals", "leads"], default=None, help="default: detected from the file")
    command.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="take FIELD from COLUMN (repeatable; FIELD= leaves it unused), e.g. --map amount=close_value",
    )
    command.add_argument("--json", action="store_true", help="print one JSON object")


def _add_inspect(commands: argparse._SubParsersAction) -> None:
    inspect = commands.add_parser("inspect", help="report what importing a CRM export would do, without saving")
    _file_arguments(inspect)


def _add_import(commands: argparse._SubParsersAction) -> None:
    imported = commands.add_parser("import", help="import a CRM export into a workshop, as the Pipeline page does")
    _file_arguments(imported)
    imported.add_argument("--workshop", required=True, metavar="CODE", help="the workshop's join code")
    imported.add_argument("--dry-run", action="store_true", help="check and report, but save nothing")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m alignment", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    _add_inspect(commands)
    _add_import(commands)
    commands.add_parser("demo", help="recreate the demo workshop and print its join code")
    export = commands.add_parser("export", help="write a workshop's report")
    export.add_argument("code", help="the workshop's join code")
    export.add_argument("--format", choices=["pptx", "xlsx", "csv", "workshop"], required=True)
    export.add_argument("-o", "--output", required=True, help="the file to write")
    backup = commands.add_parser("backup", help="copy the SQLite database to FILE (PostgreSQL: use pg_dump)")
    backup.add_argument("file", help="the backup file to create (it must not exist yet)")
    restore = commands.add_parser("import-workshop", help="restore a workshop from a workshop file")
    restore.add_argument("file", help="a file written by export --format workshop")
    return parser


def run_backup(target: str) -> int:
    """``python -m alignment backup FILE``: a consistent copy of the SQLite database, taken with SQLite's
    online backup API (safe while the app writes); on PostgreSQL, one sentence pointing to ``pg_dump``.

    Exit 0 after writing FILE; 1 with one sentence on stderr when nothing was written.
    """
    import sqlite3

    from sqlalchemy.engine import make_url

    from alignment.store.engine import database_url

    url = make_url(database_url())
    if url.get_backend_name() != "sqlite":
        shown = url.set(drivername="postgresql").render_as_string(hide_password=True)
        print(
            f"The database is PostgreSQL: back it up with pg_dump, for example pg_dump --format=custom "
            f"--file={target} '{shown}' (with the real password), and restore it with pg_restore.",
            file=sys.stderr,
        )
        return 1
    source, destination = Path(url.database or ""), Path(target)
    if not source.is_file():
        print(f"There is no database at {source} to back up.", file=sys.stderr)
        return 1
    if destination.exists():
        print(f"{destination} already exists; choose a new file name for the backup.", file=sys.stderr)
        return 1
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as reader, sqlite3.connect(destination) as writer:
            reader.backup(writer)
        writer.close()
        reader.close()
    except (sqlite3.Error, OSError) as exc:
        destination.unlink(missing_ok=True)
        print(f"The backup to {destination} failed ({exc}); nothing was written.", file=sys.stderr)
        return 1
    print(f"Backed up {source} to {destination}.")
    return 0


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

        return run_inspect(args.file, args.kind, args.json, args.map)
    problems = check_settings()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    if args.command == "backup":
        return run_backup(args.file)
    if args.command == "import":
        from alignment.importing.cli import run_import_file

        return run_import_file(args.file, args.workshop, args.kind, args.map, args.dry_run, args.json)
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
