"""Load a graph into OpenLink Virtuoso with its own bulk loader, atomically, with the data version.

Virtuoso's public ``/sparql`` takes no update and has no ``/store`` (docs/virtuoso.md §1
#15); its documented way to load data is the bulk loader, driven through its SQL port
(``isql-vt``): ``ld_dir`` registers a file, ``rdf_loader_run`` loads it, and every quad goes
to the graph the N-Quads file names. :class:`VirtuosoLoader` does, in order:

1. writes the quads as N-Quads into a folder the server reads (``DirsAllowed``), under
   temporary graph names ``{graph}-loading-{nonce}``, with the data-version graph
   (:func:`~hamar_graph.store.remote_load.version_quads`) among them;
2. makes the anonymous SPARQL user (``nobody``) see only the graphs granted to it
   (``RDF_DEFAULT_USER_PERMS_SET('nobody', 0)``) and grants it read on the target graphs:
   Virtuoso's own graphs (``virtrdf#``, the service description…) and the temporary graphs
   stay hidden, so the default graph is exactly our data (§1 #1);
3. bulk-loads the file and checks ``DB.DBA.load_list`` (the loader records a bad file
   there instead of failing);
4. switches: one SQL transaction replaces every target graph by its temporary graph
   (``DELETE`` the old quads, ``UPDATE`` the new ones' graph), so readers see the old data
   and old version, or the new data and new version, never a mixture; any error rolls it
   back and drops the temporary graphs;
5. checkpoints, and removes the file and its ``load_list`` row.

**The literals Virtuoso rewrites.** Virtuoso 7.2 parses every ``geo:wktLiteral`` (and its
own ``virtrdf:Geometry``) into a geometry on load: one with a CRS IRI, as GeoSPARQL writes
CRS84 (``"<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POLYGON((…))"``), is refused
(``RDFGE: RDF box with a geometry RDF type and a non-geometry content``), and one without
comes back typed ``virtrdf:Geometry`` in Virtuoso's own text (no space after commas, points
as 32-bit floats). No loader flag or ini setting turns that off (the datatype maps to
Virtuoso's geometry type code inside the server). So the loader stores such a literal
unchanged under the stand-in datatype ``{OPAQUE_DATATYPE}{datatype}``
(:data:`~hamar_graph.store.remote.OPAQUE_DATATYPE`) and every answer RemoteStore reads
gets the original datatype back: pages, documents and ``/sparql`` answers equal the
embedded store's. What it costs: a query that names the datatype (``FILTER(datatype(?b) =
geo:wktLiteral)``) or writes such a literal as a constant does not match on Virtuoso, and a
client that reads Virtuoso directly sees the stand-in (Virtuoso's geo functions would not
apply in any case).

Connecting: ``isql-vt HOST:PORT USER PASSWORD`` (Virtuoso's isql takes the password on its
command line only, so it is visible to local users in the process list while a load runs;
run it on the server's host as a trusted user). The password comes from
``HAMAR_GRAPH_VIRTUOSO_PASSWORD``, never from a flag.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import subprocess  # nosec B404 (only the operator's isql, fixed argv, no shell)
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from hamar_graph.config import Settings
from hamar_graph.store.base import DATA_VERSION_GRAPH, StoreError
from hamar_graph.store.remote_client import OPAQUE_DATATYPE
from hamar_graph.store.remote_load import grouped, quads_digest, version_quads

Progress = Callable[[str], None]

#: Datatypes whose literals Virtuoso parses into its geometry type on load.
GEOMETRY_DATATYPES = frozenset(
    {
        "http://www.opengis.net/ont/geosparql#wktLiteral",
        "http://www.openlinksw.com/schemas/virtrdf#Geometry",
    }
)

#: Virtuoso's isql (Debian's virtuoso-opensource-7-bin); ``isql`` is often unixODBC's.
ISQL_PROGRAMS = ("isql-vt", "isql-v")


def virtuoso_form(quad: ox.Quad) -> ox.Quad:
    """``quad`` as Virtuoso can store it unchanged (its geometry literals under the
    stand-in datatype, see the module's docstring)."""
    obj = quad.object
    if isinstance(obj, ox.Literal) and obj.datatype.value in GEOMETRY_DATATYPES:
        stand_in = ox.NamedNode(OPAQUE_DATATYPE + obj.datatype.value)
        return ox.Quad(
            quad.subject, quad.predicate, ox.Literal(obj.value, datatype=stand_in), quad.graph_name
        )
    return quad


def sql_text(value: str) -> str:
    """``value`` inside a single-quoted SQL string (no NUL, no backslash: IRIs and our
    paths hold neither, and Virtuoso may read a backslash as an escape)."""
    if "\x00" in value or "\\" in value:
        raise ValueError(f"cannot write {value!r} as SQL text")
    return value.replace("'", "''")


#: A procedure that switches temporary graphs into place in one transaction; ``{name}`` is
#: ``DB.DBA.HAMAR_GRAPH_SWITCH_`` and the load's nonce (hex digits).
_SWITCH = """create procedure {name} (in pairs any)
{{
  declare i int;
  declare exit handler for sqlstate '*' {{ rollback work; resignal; }};
  for (i := 0; i < length (pairs); i := i + 2)
    {{
      delete from DB.DBA.RDF_QUAD where G = iri_to_id (pairs[i + 1], 0);
      update DB.DBA.RDF_QUAD set G = iri_to_id (pairs[i + 1]) where G = iri_to_id (pairs[i], 0);
    }}
  commit work;
}}
;
"""


@dataclass
class VirtuosoLoader:
    """Virtuoso's bulk loader, through ``isql-vt`` on its SQL port.

    :param load_dir: a folder this process writes and the server reads at the same path
        (listed in the server's ``DirsAllowed``).
    :param address: the SQL port, ``host:port``.
    :param user: a user allowed to run the loader and grant graph permissions (``dba``).
    :param password: its password.
    :param program: the isql program; default the first of :data:`ISQL_PROGRAMS` found.
    :param timeout: seconds one isql step may take.

    .. versionadded:: 0.3
    """

    load_dir: Path
    address: str = "127.0.0.1:1111"
    user: str = "dba"
    password: str = ""
    program: str | None = None
    timeout: float = 3600.0

    @classmethod
    def from_settings(cls, settings: Settings) -> VirtuosoLoader:
        """A loader for ``HAMAR_GRAPH_VIRTUOSO_*``.

        :raises StoreError: when the load folder or the password is not set.
        """
        if settings.virtuoso_load_dir is None:
            raise StoreError(
                "loading into Virtuoso needs HAMAR_GRAPH_VIRTUOSO_LOAD_DIR (or --load-dir): a "
                "folder the server reads, listed in DirsAllowed of its virtuoso.ini"
            )
        if not settings.virtuoso_password:
            raise StoreError(
                "loading into Virtuoso needs the password of HAMAR_GRAPH_VIRTUOSO_USER in "
                "HAMAR_GRAPH_VIRTUOSO_PASSWORD"
            )
        return cls(
            Path(settings.virtuoso_load_dir),
            address=settings.virtuoso_isql,
            user=settings.virtuoso_user,
            password=settings.virtuoso_password,
        )

    def _program(self) -> str:
        for name in (self.program,) if self.program else ISQL_PROGRAMS:
            found = shutil.which(name) or (
                f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None
            )
            if found:
                return found
        raise StoreError(
            "Virtuoso's isql (isql-vt) is not installed: `bash scripts/install-virtuoso.sh` "
            "(Debian's virtuoso-opensource) installs it"
        )

    def isql(self, sql: str) -> str:
        """Run SQL statements (each ending in ``;``) and return isql's output.

        :raises StoreError: when isql cannot connect or a statement fails; the message
            holds isql's output without the password.
        """
        try:
            result = subprocess.run(  # nosec B603
                [self._program(), self.address, self.user, self.password],
                input=sql,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise StoreError(f"isql did not finish within {self.timeout:g} s") from exc
        output = result.stdout + result.stderr
        if result.returncode != 0 or "*** Error" in output or "Connect failed" in output:
            detail = output.replace(self.password, "***") if self.password else output
            raise StoreError(f"Virtuoso's isql failed ({result.returncode}):\n{detail[-3000:]}")
        return output

    # --- the load ----------------------------------------------------------------------------

    def load_dataset(
        self,
        dataset: Dataset,
        *,
        target_graph: URIRef | None = None,
        progress: Progress = lambda _message: None,
        loaded: dt.datetime | None = None,
    ) -> list[URIRef]:
        """Replace the named graphs of ``dataset`` (see :meth:`load_quads`)."""
        groups = grouped(dataset, target_graph)
        return self.load_quads(
            (q for quads in groups.values() for q in quads), progress=progress, loaded=loaded
        )

    def load_file(self, path: Path, *, progress: Progress = lambda _message: None) -> list[URIRef]:
        """Replace the named graphs of the N-Quads file ``path`` (see :meth:`load_quads`)."""
        return self.load_quads(
            ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS), progress=progress
        )

    def load_quads(
        self,
        quads: Iterable[ox.Quad],
        *,
        progress: Progress = lambda _message: None,
        loaded: dt.datetime | None = None,
    ) -> list[URIRef]:
        """Replace each named graph of ``quads`` and the data version, in one switch.

        :returns: the graphs that were replaced (the data-version graph not counted).
        :raises StoreError: naming the step that failed; the target graphs are unchanged
            unless the switch itself committed.
        """
        quads = list(quads)
        graphs = sorted(
            {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        )
        if any(not isinstance(q.graph_name, ox.NamedNode) for q in quads):
            raise StoreError("every quad must be in a named graph")
        progress(f"computing the data version of {len(quads)} quads")
        digest = quads_digest(quads)
        version = version_quads(digest, loaded)
        nonce = uuid.uuid4().hex[:12]
        targets = [*graphs, str(DATA_VERSION_GRAPH)]
        temporary = {g: f"{g}-loading-{nonce}" for g in targets}
        self.load_dir.mkdir(parents=True, exist_ok=True)
        path = (self.load_dir / f"hamar-graph-{nonce}.nq").resolve()
        file_name = sql_text(str(path))
        progress(f"writing {path}")

        def renamed(items: Iterable[ox.Quad]) -> Iterable[ox.Quad]:
            for q in items:
                q = virtuoso_form(q)
                yield ox.Quad(
                    q.subject, q.predicate, q.object, ox.NamedNode(temporary[q.graph_name.value])
                )  # type: ignore[union-attr]

        ox.serialize(renamed([*quads, *version]), output=str(path), format=ox.RdfFormat.N_QUADS)
        began = time.monotonic()
        try:
            progress("granting the anonymous SPARQL user read access to our graphs only")
            grants = ["DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0);"]
            grants += [
                f"DB.DBA.RDF_GRAPH_USER_PERMS_SET ('{sql_text(g)}', 'nobody', 1);" for g in targets
            ]
            self.isql("\n".join(grants))
            progress(f"bulk-loading {len(quads) + len(version)} quads (ld_dir, rdf_loader_run)")
            folder, name = sql_text(str(path.parent)), sql_text(path.name)
            self.isql(
                f"ld_dir ('{folder}', '{name}', 'urn:x-hamar-graph:no-graph');\n"
                "rdf_loader_run ();\ncheckpoint;"
            )
            report = self.isql(
                "SELECT ll_state, ll_error FROM DB.DBA.load_list "  # noqa: S608  # nosec B608
                f"WHERE ll_file = '{file_name}' AND (ll_state <> 2 OR ll_error IS NOT NULL);"
            )
            if "0 Rows." not in report:
                raise StoreError(
                    f"Virtuoso's bulk loader did not load {path.name}:\n{report[-2000:]}"
                )
            progress(
                f"switching {len(targets)} graphs in one transaction (data version {digest[:12]})"
            )
            procedure = f"DB.DBA.HAMAR_GRAPH_SWITCH_{nonce.upper()}"
            pairs = ", ".join(f"'{sql_text(temporary[g])}', '{sql_text(g)}'" for g in targets)
            try:
                self.isql(_SWITCH.format(name=procedure) + f"{procedure} (vector ({pairs}));")
            except StoreError as exc:
                if "SR325" not in str(exc):
                    raise
                raise StoreError(
                    "the switch is one transaction and its log is larger than Virtuoso allows "
                    "(SR325): raise TransactionAfterImageLimit in [Parameters] of virtuoso.ini "
                    f"(bytes; about 200 a quad: {len(quads) * 200:,} for {len(quads):,} quads) "
                    "and restart it (measured: 780,395 quads did not fit in the default 50 MB "
                    "and fitted in 150 MB, first load and reload)"
                ) from exc
            finally:
                self._quietly(f"drop procedure {procedure};")
        except StoreError as exc:
            drops = "\n".join(
                f"delete from DB.DBA.RDF_QUAD where G = iri_to_id ('{sql_text(t)}', 0);"  # noqa: S608  # nosec B608
                for t in temporary.values()
            )
            self._quietly(drops + "\ncheckpoint;")
            raise StoreError(
                f"load into Virtuoso failed; the target graphs are unchanged: {exc}"
            ) from exc
        finally:
            path.unlink(missing_ok=True)
            self._quietly(f"delete from DB.DBA.load_list where ll_file = '{file_name}';")  # noqa: S608  # nosec B608
        # the switch is committed (in the transaction log); a checkpoint makes it durable
        # without a roll-forward at the next start
        self._quietly("checkpoint;")
        progress(f"done in {time.monotonic() - began:.1f} s")
        return [URIRef(g) for g in graphs]

    def _quietly(self, sql: str) -> None:
        with contextlib.suppress(StoreError):
            self.isql(sql)
