"""Files a new installation makes once (its secret key, its pairwise-subject secret, its
first signing key), made whole even when several processes start together.

gunicorn's workers, or a test run's workers, can start at the same moment on an
installation whose var/ folder is empty. Each would make its own secret, and one could
read another's file while it is half written. Here a file is written under a temporary
name and then linked to its real name: a link fails when the name exists, so a reader
only ever finds a whole file, and the first process to link wins.
"""

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def _whole_beside(path: Path, content: bytes, mode: int) -> str:
    """A new file beside ``path`` holding ``content`` with ``mode``, on disk; its name."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def write_new(path: Path, content: bytes, *, mode: int = 0o600) -> None:
    """Write ``content`` at ``path``, which must not exist (FileExistsError if it does)."""
    temporary = _whole_beside(path, content, mode)
    try:
        os.link(temporary, path)
    finally:
        os.unlink(temporary)


def replace_whole(path: Path, content: bytes, *, mode: int = 0o600) -> None:
    """Put ``content`` at ``path`` in one step: a reader finds the old file or the new one,
    whole, never a part; made with ``mode`` from the start."""
    temporary = _whole_beside(path, content, mode)
    try:
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def read_or_create(path: Path, make_content: Callable[[], bytes], *, mode: int = 0o600) -> bytes:
    """The file's content; when there is no file yet, ``make_content()`` is written first.

    Processes racing to create it all read the content of the one that won.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            write_new(path, make_content(), mode=mode)
    return path.read_bytes()


@contextlib.contextmanager
def folder_locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (made if missing) for as long as the block runs.

    For a choice that more than one file records, such as which key signs first: the lock
    lives on the folder itself, so nothing extra is left in it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
