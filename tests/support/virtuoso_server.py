"""Start and stop a throw-away OpenLink Virtuoso (Debian's virtuoso-opensource 7.2) for tests.

Like :mod:`tests.support.oxigraph_server`, but for Virtuoso::

    with VirtuosoServer(tmp_path / "virtuoso") as server:
        seconds = server.load_nquads(Path("dist/hamar-graph-0.1.0.nq"))
        SPARQLWrapper(server.query_url) ...
        server.stop()       # the engine goes down: connection refused
        server.start()      # same database, same ports: the data is still there

What it does:

- writes its own ``virtuoso.ini`` into ``location`` (database, transaction log, error log,
  temporary database and a load folder all under ``location``), with small memory
  settings for a graph of a few thousand triples;
- binds both ports to the loopback interface only: the SQL port (``[Parameters]
  ServerPort = 127.0.0.1:PORT``, used by ``isql-vt``) and the HTTP port (``[HTTPServer]
  ServerPort = 127.0.0.1:PORT``, which serves ``/sparql`` and ``/sparql-graph-crud``);
- runs ``/usr/bin/virtuoso-t +foreground +configfile virtuoso.ini`` as a child process,
  its output in ``location/virtuoso.out``, and waits until ``/sparql`` answers ``ASK {}``;
- stops it with SIGTERM (Virtuoso's "quick shutdown": the transaction log keeps every
  committed change, so a restart on the same folder sees the same data) and SIGKILL
  when it does not exit in time; the child also gets SIGTERM when the process that
  started it dies (``PR_SET_PDEATHSIG``), so a killed test run leaves no server behind;
- loads N-Quads with Virtuoso's bulk loader (``ld_dir`` + ``rdf_loader_run`` +
  ``checkpoint`` through ``isql-vt``): each quad goes to the graph the file names, so
  one file gives one named graph per source file (see docs/virtuoso.md for why the bulk
  loader rather than the Graph Store Protocol).

The database is a new one, with Virtuoso's default ``dba``/``dba`` account; it listens
on 127.0.0.1 only and lives as long as the test. Install Virtuoso with
``bash scripts/install-virtuoso.sh``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox

from hamar_graph.store.remote_virtuoso import VirtuosoLoader, virtuoso_form
from tests.support.virtuoso_ini import INI

VIRTUOSO_T = "virtuoso-t"  # /usr/bin/virtuoso-t in virtuoso-opensource-7-bin
ISQL = "isql-vt"  # /usr/bin/isql-vt; /usr/bin/isql, when present, is unixODBC's


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _which(name: str) -> str | None:
    return shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)


def virtuoso_missing() -> str | None:
    """Why a Virtuoso cannot be started here, or ``None`` when it can."""
    missing = [name for name in (VIRTUOSO_T, ISQL) if _which(name) is None]
    if missing:
        return (
            f"OpenLink Virtuoso is not installed ({', '.join(missing)} not found): "
            "run `bash scripts/install-virtuoso.sh` (Debian's virtuoso-opensource)"
        )
    return None


class VirtuosoError(RuntimeError):
    """Virtuoso did not start, or an isql command or a load failed."""


def _parent_death_signal() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to send SIGTERM to the server when the process that started it dies."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class VirtuosoServer:
    """A throw-away Virtuoso on two loopback ports, its database in ``location``.

    :param location: folder for the ini file, database, logs and load files (created).
    :param sql_port: the SQL (isql) port; a free one by default.
    :param http_port: the HTTP port of ``/sparql``; a free one by default.
    :param buffers: ``NumberOfBuffers`` (8 KiB pages); ``MaxDirtyBuffers`` is 3/4 of it.
    :param max_rows: ``[SPARQL] ResultSetMaxRows``: Virtuoso cuts every result to this
        many rows *without an error* (docs/virtuoso.md), so keep it above any answer.
    :param max_seconds: ``[SPARQL] MaxQueryExecutionTime``, in seconds (0: no limit).
    :param password: the DBA password (a new database has ``dba``).
    :param query_mem: ``MaxQueryMem``.
    :param after_image: ``TransactionAfterImageLimit`` in bytes: the largest transaction's
        log (the loader's switch is one; Virtuoso's default is 50 MB).
    """

    def __init__(
        self,
        location: Path,
        *,
        sql_port: int | None = None,
        http_port: int | None = None,
        buffers: int = 2000,
        max_rows: int = 100000,
        max_seconds: int = 60,
        password: str = "dba",
        query_mem: str = "256M",
        after_image: int = 50_000_000,
    ) -> None:
        self.location = Path(location).resolve()
        self.sql_port = sql_port or free_port()
        self.http_port = http_port or free_port()
        while self.http_port == self.sql_port:
            self.http_port = free_port()
        self.buffers = buffers
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self.password = password
        self.query_mem = query_mem
        self.after_image = after_image
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None

    # --- addresses -------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol endpoint (queries; updates once allowed)."""
        return f"{self.base}/sparql"

    @property
    def graph_store_url(self) -> str:
        """The Graph Store HTTP Protocol endpoint (``?graph=IRI`` or ``?graph-uri=IRI``)."""
        return f"{self.base}/sparql-graph-crud"

    @property
    def ini_path(self) -> Path:
        return self.location / "virtuoso.ini"

    @property
    def log_path(self) -> Path:
        """Virtuoso's own error log (``ErrorLogFile``)."""
        return self.location / "virtuoso.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # --- life cycle ------------------------------------------------------------------

    def write_ini(self) -> Path:
        """Write ``virtuoso.ini`` (again: the same ports and folder on every start)."""
        (self.location / "load").mkdir(parents=True, exist_ok=True)
        (self.location / "vsp").mkdir(exist_ok=True)
        text = INI.format(
            loc=self.location,
            sql_port=self.sql_port,
            http_port=self.http_port,
            buffers=self.buffers,
            buffer_mib=self.buffers * 8 // 1024,
            dirty=self.buffers * 3 // 4,
            max_rows=self.max_rows,
            max_seconds=self.max_seconds,
            query_mem=self.query_mem,
            after_image=self.after_image,
        )
        self.ini_path.write_text(text, encoding="utf-8")
        return self.ini_path

    def start(self, timeout: float = 90.0) -> VirtuosoServer:
        """Start the server and wait until ``/sparql`` answers; kill it on failure."""
        if self.running:
            return self
        problem = virtuoso_missing()
        if problem:
            raise VirtuosoError(problem)
        self.location.mkdir(parents=True, exist_ok=True)
        self.write_ini()
        began = time.monotonic()
        out = (self.location / "virtuoso.out").open("ab")
        try:
            self.process = subprocess.Popen(
                [
                    _which(VIRTUOSO_T) or VIRTUOSO_T,
                    "+foreground",
                    "+configfile",
                    str(self.ini_path),
                ],
                cwd=self.location,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_parent_death_signal,
            )
        finally:
            out.close()
        deadline = began + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise VirtuosoError(f"virtuoso-t exited with {code}:\n{self.log_tail()}")
            if self._answers():
                self.startup_seconds = time.monotonic() - began
                return self
            time.sleep(0.1)
        self.kill()
        raise VirtuosoError(
            f"Virtuoso did not answer on {self.query_url} within {timeout} s:\n{self.log_tail()}"
        )

    def _answers(self) -> bool:
        url = f"{self.query_url}?{urllib.parse.urlencode({'query': 'ASK {}'})}"
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (a quick shutdown that keeps committed data), then SIGKILL."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        """SIGKILL, as a crash would; the next start rolls the transaction log forward."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def restart(self, timeout: float = 90.0) -> VirtuosoServer:
        """Stop, then start again on the same folder and ports."""
        self.stop()
        return self.start(timeout=timeout)

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.stop()
        else:
            self.kill()

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of Virtuoso's error log and of its console output."""
        parts = []
        for path in (self.log_path, self.location / "virtuoso.out"):
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                parts.append(f"--- {path.name}\n" + "\n".join(text[-lines:]))
        return "\n".join(parts) or "(no log)"

    # --- SQL -------------------------------------------------------------------------

    def isql(self, sql: str, timeout: float = 300.0) -> str:
        """Run SQL statements through ``isql-vt`` and return its output.

        :raises VirtuosoError: when isql cannot connect or a statement fails (isql prints
            ``*** Error`` and, for ``exec=``, stops at the first failing statement).
        """
        result = subprocess.run(
            [
                _which(ISQL) or ISQL,
                f"127.0.0.1:{self.sql_port}",
                "dba",
                self.password,
                f"exec={sql}",
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0 or "*** Error" in output:
            raise VirtuosoError(f"isql failed ({result.returncode}) on {sql!r}:\n{output}")
        return output

    def loader(self) -> VirtuosoLoader:
        """The app's own loader (``hamar-graph load`` for Virtuoso) pointed at this server:
        atomic switch, data version, only our graphs readable by the SPARQL user."""
        return VirtuosoLoader(
            self.location / "load",
            address=f"127.0.0.1:{self.sql_port}",
            user="dba",
            password=self.password,
            timeout=600,
        )

    def load_nquads(
        self,
        *paths: Path,
        default_graph: str = "urn:x-hamar:no-graph",
        normalise: bool = True,
    ) -> float:
        """Bulk-load N-Quads (or other RDF files) with ``ld_dir`` + ``rdf_loader_run``, as
        installed: every graph stays readable, no data version (see :meth:`loader` for the
        app's way).

        The files are copied into ``location/load`` (a ``DirsAllowed`` folder). Quads go to
        the graph they name; triples without one (N-Triples, Turtle) go to
        ``default_graph``. With ``normalise`` (N-Quads only), literals Virtuoso would rewrite
        (``geo:wktLiteral``) are stored under the stand-in datatype the app reads back
        (:func:`hamar_graph.store.remote_virtuoso.virtuoso_form`); without it a CRS84
        polygon makes the loader fail. The loader records a failure in
        ``DB.DBA.load_list.ll_error`` instead of failing the call, so this checks it.

        :returns: the seconds the load took (registration, load and checkpoint).
        :raises VirtuosoError: when a file did not load.
        """
        load_dir = self.location / "load"
        load_dir.mkdir(parents=True, exist_ok=True)
        names = []
        for path in paths:
            target = load_dir / Path(path).name
            try:
                if not (normalise and Path(path).suffix == ".nq"):
                    raise ValueError("copied as it is")
                quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
                ox.serialize(
                    (virtuoso_form(q) for q in quads),
                    output=str(target),
                    format=ox.RdfFormat.N_QUADS,
                )
            except (ValueError, SyntaxError):  # a broken file goes as it is: the loader reports it
                shutil.copyfile(path, target)
            names.append(target.name)
        began = time.monotonic()
        for name in names:
            self.isql(
                f"ld_dir('{_sql_text(str(load_dir))}', '{_sql_text(name)}', "
                f"'{_sql_text(default_graph)}');"
            )
        self.isql("rdf_loader_run(); checkpoint;")
        seconds = time.monotonic() - began
        files = ", ".join(f"'{_sql_text(str(load_dir / name))}'" for name in names)
        report = self.isql(
            "SELECT ll_file, ll_state, ll_error FROM DB.DBA.load_list "
            f"WHERE ll_file IN ({files}) AND (ll_error IS NOT NULL OR ll_state <> 2);"
        )
        if "0 Rows." not in report:
            raise VirtuosoError(f"the bulk loader did not load everything:\n{report}")
        return seconds

    def publish_only(self, graphs: Iterable[str]) -> None:
        """Let the anonymous SPARQL user read ``graphs`` and nothing else.

        Virtuoso's default graph is the union of *every* graph, its own included
        (``virtrdf#``, the service description and DAV graphs...); graph-level security
        hides those: no default permission for ``nobody``, read (1) on each of ours. It
        is stored in the database, so it survives a restart; a graph loaded later needs
        its own grant.
        """
        statements = ["DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0);"]
        statements += [
            f"DB.DBA.RDF_GRAPH_USER_PERMS_SET ('{_sql_text(g)}', 'nobody', 1);"
            for g in sorted(graphs)
        ]
        self.isql(" ".join(statements))

    def allow_sparql_update(self) -> None:
        """Let the anonymous ``SPARQL`` user run SPARQL Update and Graph Store writes.

        Only for tests: with it, anyone who reaches ``/sparql`` can change the data, even
        through the ``query=`` parameter (docs/virtuoso.md).
        """
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')


def _sql_text(value: str) -> str:
    """``value`` inside a single-quoted SQL string."""
    if "\x00" in value:
        raise ValueError("NUL in SQL text")
    return value.replace("'", "''")


def wait_refused(url: str, timeout: float = 10.0) -> bool:
    """True once nothing listens at ``url``'s port any more."""
    parts = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((parts.hostname, parts.port or 80), timeout=1):
                pass
        except ConnectionRefusedError:
            return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


if __name__ == "__main__":  # pragma: no cover - a manual smoke test
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as folder, VirtuosoServer(Path(folder)) as server:
        print(f"started in {server.startup_seconds:.2f} s: {server.query_url}")
        for arg in sys.argv[1:]:
            print(f"loaded {arg} in {server.load_nquads(Path(arg)):.2f} s")
        print(os.getpid(), "stopping")
