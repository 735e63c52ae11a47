"""Write the generated text all at once or not at all.

The text is complete before anything is written (every API call has succeeded by then). A file is
written to a temporary file beside it and renamed over the target, so a reader never sees half a
file, and a failure (disk full, interrupted) leaves an existing file as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path


def _umask() -> int:
    # The only portable way to read the umask is to set it; this is a one-shot command line.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename; keeps the mode of a file being replaced."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def emit(text: str, out: str | None) -> None:
    """Write ``text`` to the file ``out``, or to standard output when ``out`` is None or ``-``."""
    if out is None or out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomically(Path(out), text)
