"""Replace a set of output files all at once, or not at all.

Writing each file atomically (temporary file, ``fsync``, ``rename``) keeps every
single file whole, but a build that writes five dumps and then fails on the
sixth (disk full, folder read-only) would leave two new dumps next to three old
ones and an old manifest whose checksums no longer match: a harvester would
download files that fail their own catalogue's checksums.

:class:`OutputBatch` separates the two phases. :meth:`~OutputBatch.add` writes
each new file to a temporary name in the output folder and flushes it to disk;
:meth:`~OutputBatch.add_dir` does the same for a folder (the persistent store).
Only when everything is staged does :meth:`~OutputBatch.commit` rename the
staged entries over the old ones, in the order they were added (so the
manifest, added last, goes in last). Any failure before the commit removes what
was staged and leaves every old output as it was; renames within one folder do
not allocate space, so the commit itself does not run out of disk.

A reader who opened an old file before the commit keeps reading the old, whole
file: ``rename`` only changes which file the name points to (POSIX
``rename(2)``).

.. versionadded:: 0.1
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (renames, new files) to disk where the platform allows."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stage_file(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file next to ``path``, flushed to disk.

    :return: the temporary file (``.{name}.XXXX.tmp``), to be renamed over ``path``.
    :raises OSError: when the file cannot be written; nothing is left behind.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same folder, fsync, rename.

    A reader sees either the old file or the new one, never a partial file.

    :raises OSError: when it cannot be written; the old file is then unchanged.
    """
    tmp = stage_file(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


class OutputBatch:
    """Files and folders staged in ``folder``, renamed into place together by :meth:`commit`.

    Use it as a context manager: leaving the block with an exception (or without
    calling :meth:`commit`) removes everything staged.

    :param folder: the output folder; created if missing.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._staged: list[tuple[Path, Path]] = []  # (temporary, final), in order
        self._committed = False

    def __enter__(self) -> OutputBatch:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            self.abort()

    def add(self, name: str, data: bytes) -> Path:
        """Stage a file ``folder/name`` holding ``data``.

        :return: the final path.
        :raises OSError: when it cannot be written (the batch can then only be aborted).
        """
        final = self.folder / name
        self._staged.append((stage_file(final, data), final))
        return final

    def add_dir(self, name: str, fill: Callable[[Path], None]) -> Path:
        """Stage a folder ``folder/name``: ``fill`` is called with an empty temporary folder.

        :return: the final path.
        """
        final = self.folder / name
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder))
        try:
            fill(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._staged.append((tmp, final))
        return final

    def abort(self) -> None:
        """Remove every staged entry; the old outputs stay as they were."""
        for tmp, _final in self._staged:
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
        self._staged = []

    def commit(self) -> list[Path]:
        """Rename every staged entry over its final name, in the order added.

        A folder replaces the old folder whole: the old one is moved aside first and
        deleted once the new one is in place.

        :return: the final paths.
        """
        done: list[Path] = []
        try:
            for tmp, final in self._staged:
                if tmp.is_dir():
                    old = final.with_name(f".{final.name}.old-{os.getpid()}")
                    shutil.rmtree(old, ignore_errors=True)
                    if final.exists():
                        os.replace(final, old)
                    try:
                        os.replace(tmp, final)
                    except BaseException:
                        if old.exists() and not final.exists():
                            os.replace(old, final)
                        raise
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    os.replace(tmp, final)
                done.append(final)
        except BaseException:
            self._staged = self._staged[len(done) :]
            self.abort()
            raise
        self._committed = True
        self._staged = []
        fsync_dir(self.folder)
        return done
