"""The checks every opening of a store file goes through, before and after SQLite sees it.

`Database` runs them all, for every command (`serve`, `run`, `tui`, `trigger`, the Python API), so
a bad file gets the same one-line `StoreError` wherever it is opened:

- **`check_file`**, before SQLite opens the path: a FIFO would block `open()` forever (the TUI
  hung on one) and a folder or device is no store; `os.stat` sees that without opening it.
- **`WriterLock`**: one writer per file. Two servers on one file both issue the same seeded ids
  and overwrite each other's rows, which SQLite's own locking cannot see (each write is a valid
  transaction). A writer holds an exclusive `flock` on `FILE.lock` for as long as its store is
  open (the kernel drops it when the process dies, even on `kill -9`, so a crash never leaves a
  stale lock) and writes its pid and command line into it, so a refused writer can name the
  holder. Readers take no lock: WAL mode lets them read beside the writer.
- **`check_integrity`**, once SQLite has the file: `PRAGMA quick_check`, so a file with a damaged
  page is refused at start instead of answering every request with a 500 later.
"""

from __future__ import annotations

import os
import shlex
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from aployee_sim.adapters.store.errors import StoreError

if TYPE_CHECKING:
    import sqlite3

MAX_HOLDER_CHARS = 300  # the holder line shown to a refused writer (a command line can be long)

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def check_file(path: Path, *, readonly: bool) -> None:
    """A regular file (or, for a writer, a path to create): refuse anything else without opening it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if readonly:
            raise StoreError(f"no store file at {path}") from None
        return
    except OSError as exc:
        raise StoreError(f"cannot open the store {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise StoreError(f"the store {path} is {kind}, not a store file")


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """`PRAGMA quick_check` (every page and index entry, without cross-checking index contents):
    what a damaged page would otherwise turn into a 500 on a later request."""
    first = conn.execute("PRAGMA quick_check(1)").fetchone()
    if first is None or first[0] != "ok":
        # One line: SQLite's answer spans lines ("*** in database main ***\nPage 2: btreeInitPage() …").
        found = "; ".join(line for line in str(first[0] if first else "no answer").splitlines()
                          if line.strip() and not line.startswith("***")) or "no detail"
        raise StoreError(f"the store {path} is damaged (PRAGMA quick_check: {found}); restore it from a copy, "
                         f"or salvage what it holds with `sqlite3 {path} .recover`")


def _command_line() -> str:
    """This process as a user would recognise it: `aployee-sim serve --db calls.db`."""
    argv = list(sys.argv) or ["python"]
    program = Path(argv[0]).name
    if program in ("aployee-sim", "cli.py", "__main__.py"):  # the console script, `python -m aployee_sim[.cli]`
        program = "aployee-sim"
    return shlex.join([program, *argv[1:]])


class WriterLock:
    """The exclusive lock of a writer on `FILE.lock`, taken at once or refused naming the holder."""

    def __init__(self, db_path: Path) -> None:
        real = db_path.resolve()  # two links to one file share its lock
        self.path = real.with_name(real.name + ".lock")
        self._file: BinaryIO | None = None  # a file object, so a store dropped unclosed unlocks when collected
        if sys.platform == "win32":  # no flock: one writer per file is then the user's to keep
            return
        import fcntl

        try:
            # O_NONBLOCK: a FIFO planted at FILE.lock must not block the open either.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot lock the store {db_path}: {self.path}: {exc.strerror or exc}") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StoreError(f"cannot lock the store {db_path}: {self.path} is not a regular file")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"the store {db_path} is open for writing by {self._holder(fd)}: one writer per "
                                 f"file; stop it, or read the file with `aployee-sim tui --db {db_path}`") from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {_command_line()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._file = os.fdopen(fd, "r+b", buffering=0)

    @staticmethod
    def _holder(fd: int) -> str:
        """`pid 1234 (aployee-sim serve --db calls.db)`, as the holder wrote it."""
        raw = os.pread(fd, MAX_HOLDER_CHARS, 0).decode("utf-8", "replace").strip()
        text = "".join(c if c.isprintable() or c == "\n" else "?" for c in raw)  # shown on a terminal
        pid, _, command = text.partition(" ")
        if not pid.isdigit():  # the holder has the lock but has not written its line yet
            return "another process"
        return f"pid {pid} ({command.splitlines()[0] if command else 'unknown command'})"

    def release(self) -> None:
        """Unlock. The file stays, naming the last writer (removing it would let an opener that has it
        open lock a file no later opener sees); its line is only read while someone holds the lock."""
        if self._file is not None:
            self._file.close()
            self._file = None
