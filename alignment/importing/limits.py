"""Upload limits and the one-sentence refusal every import problem ends in."""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

MB: Final = 1024 * 1024
EXPORT_HINT: Final = "export the records from the CRM as CSV or Excel (.xlsx) and upload that file"
_CONTAINERS: Final = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class ImportRefused(ValueError):
    """The file cannot be imported; ``str(exc)`` is one plain sentence saying why and what to do."""


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """What an upload may hold.

    ``max_bytes`` caps the file as uploaded; ``max_unpacked_bytes`` and ``max_unpack_ratio`` cap
    what a spreadsheet (a zip archive) would expand to, checked on the archive's directory before a
    single cell is read. ``max_cells`` caps a worksheet's grid, rows × columns from its first to its
    last cell, which is what the workbook reader allocates (32 bytes a cell: 50 million ≈ 1.6 GB),
    empty cells included. Defaults come from ``ALIGNMENT_MAX_UPLOAD_MB``, ``ALIGNMENT_MAX_ROWS``,
    ``ALIGNMENT_MAX_COLUMNS`` and ``ALIGNMENT_MAX_CELLS`` when set.
    """

    max_bytes: int = 200 * MB
    max_rows: int = 2_000_000
    max_columns: int = 500
    max_cells: int = 50_000_000
    max_unpacked_bytes: int = 1024 * MB
    max_unpack_ratio: int = 200

    @classmethod
    def from_env(cls) -> Limits:
        """The limits configured for this server."""
        return cls(
            max_bytes=_env_int("ALIGNMENT_MAX_UPLOAD_MB", 200) * MB,
            max_rows=_env_int("ALIGNMENT_MAX_ROWS", 2_000_000),
            max_columns=_env_int("ALIGNMENT_MAX_COLUMNS", 500),
            max_cells=_env_int("ALIGNMENT_MAX_CELLS", 50_000_000),
        )


def size_text(size: int) -> str:
    """``209715200`` → ``"200 MB"``."""
    if size >= MB:
        return f"{size / MB:,.0f} MB"
    return f"{size / 1024:,.0f} KB" if size >= 1024 else f"{size} bytes"


def _refuse_binary(head: bytes) -> None:
    if b"\x00" in head and not head.startswith(_CONTAINERS):
        raise ImportRefused(
            "The file holds binary data, not comma-separated text: export the records from the CRM as "
            "CSV or Excel (.xlsx) and upload that file."
        )


def read_upload(path: str | Path, limits: Limits) -> bytes:
    """The bytes of a file on disk, read no further than the upload limit.

    A device or pipe has no size to check first (``/dev/zero`` never ends), so the file is read in
    pieces: binary data (NUL bytes where text should be) is refused after the first piece, and any
    file is refused as soon as it passes ``limits.max_bytes``.
    """
    pieces: list[bytes] = []
    size = 0
    with open(path, "rb") as stream:
        if os.path.isfile(path) and os.fstat(stream.fileno()).st_size > limits.max_bytes:
            raise ImportRefused(
                f"The file is over the {size_text(limits.max_bytes)} upload limit: export a shorter period or "
                "fewer columns."
            )
        if os.path.isfile(path):  # a regular file: its size is known, read it in one piece
            data = stream.read(limits.max_bytes + 1)
            _refuse_binary(data[: 64 * 1024])
            return data
        while piece := stream.read(MB if pieces else 64 * 1024):
            if not pieces:
                _refuse_binary(piece)
            size += len(piece)
            if size > limits.max_bytes:
                raise ImportRefused(
                    f"The file is over the {size_text(limits.max_bytes)} upload limit: export a shorter period or "
                    "fewer columns."
                )
            pieces.append(piece)
    return b"".join(pieces)
