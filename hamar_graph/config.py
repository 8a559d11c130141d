"""Settings: one typed place, read from ``HAMAR_GRAPH_*`` environment variables.

Every setting has a name, a type, a default and a help text. CLI flags override
the environment (see :mod:`hamar_graph.cli`); the README's settings table is
generated from :data:`SETTINGS` and a test fails when it drifts.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "HAMAR_GRAPH_"

#: The project root: where ``ontology/``, ``data/`` and ``shapes/`` live.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _setting(default: Any, help: str, choices: tuple[str, ...] | None = None) -> Any:
    return field(default=default, metadata={"help": help, "choices": choices})


@dataclass(frozen=True)
class Settings:
    """All settings of the library, the CLI and the web app.

    .. versionadded:: 0.1
    """

    base_iri: str = _setting(
        "https://data.hamar.kommune.no/",
        "Base IRI of every resource: things at {base}id/..., terms at {base}def/....",
    )
    public_url: str | None = _setting(
        None,
        "Public URL this deployment serves its files at (for example "
        "https://lod.example.org/hamar/): the catalogue's and VoID's download, access and "
        "endpoint URLs start with it, while identifiers keep the base IRI. Unset: `build` "
        "writes them under the base IRI, and the server answers with the address each request "
        "came to (the base IRI itself on the base IRI's host).",
    )
    source_dir: Path = _setting(
        PROJECT_ROOT, "Folder holding ontology/, data/ and shapes/ (the Turtle sources)."
    )
    out_dir: Path = _setting(
        Path("dist"), "Where `build` writes the dumps, the catalogue and the persistent store."
    )
    store: str = _setting(
        "oxigraph",
        "Query engine: oxigraph (embedded, default), memory (rdflib, for tests and comparison), "
        "or remote (a SPARQL 1.1 endpoint given by HAMAR_GRAPH_ENDPOINT).",
        ("oxigraph", "memory", "remote"),
    )
    store_path: Path | None = _setting(
        None,
        "Persistent on-disk Oxigraph store to open read-only; default {out_dir}/store "
        "when it exists, otherwise the graph is built in memory at start-up.",
    )
    endpoint: str | None = _setting(
        None, "Query URL of the remote SPARQL 1.1 endpoint (store=remote)."
    )
    update_endpoint: str | None = _setting(
        None, "Graph Store / update URL of the remote engine, used by `load`."
    )
    remote_dialect: str = _setting(
        "auto",
        "What the remote engine is (store=remote, `load`): auto reads it from the engine's "
        "Server header; virtuoso asks for Oxigraph's DESCRIBE and makes `load` use "
        "Virtuoso's bulk loader; standard is any other SPARQL 1.1 engine (Oxigraph, Fuseki…).",
        ("auto", "standard", "virtuoso"),
    )
    data_check: float = _setting(
        10.0,
        "Seconds between an app's checks of a remote engine's data version (store=remote; one "
        "tiny query, made by the first request after the interval). When `hamar-graph load` "
        "changed the data, the app drops what it made from the old data (labels, search "
        "index, catalogue, validators) and makes it again from the engine. 0 never checks: "
        "restart the app after a reload.",
    )
    virtuoso_isql: str = _setting(
        "127.0.0.1:1111",
        "Virtuoso's SQL address (host:port) that `load` runs its bulk loader through with isql-vt.",
    )
    virtuoso_user: str = _setting("dba", "Virtuoso user that `load` connects as.")
    virtuoso_password: str | None = _setting(
        None, "Password of HAMAR_GRAPH_VIRTUOSO_USER (only from the environment, never a flag)."
    )
    virtuoso_load_dir: Path | None = _setting(
        None,
        "Folder `load` writes the N-Quads into for Virtuoso's bulk loader: the server must "
        "read it at the same path and list it in DirsAllowed (virtuoso.ini).",
    )
    host: str = _setting("127.0.0.1", "Interface the server listens on.")
    port: int = _setting(5000, "Port the server listens on.")
    workers: int = _setting(
        1,
        "Server processes for `serve` (granian workers); each has its own app, threads "
        "and query processes. One is enough for two cores: HTTP is handled in Rust.",
    )
    threads: int = _setting(
        32,
        "Request threads per server process for `serve`. SPARQL queries (running or "
        "waiting for a query process) may hold all but a quarter of them, so pages never "
        "wait behind /sparql.",
    )
    query_timeout: float = _setting(
        10.0, "Deadline in seconds for one SPARQL query; past it the client gets 503."
    )
    query_memory_mb: int = _setting(
        1024, "Memory cap in MiB for the process that runs one SPARQL query."
    )
    query_workers: int = _setting(2, "Sandboxed query processes kept ready per server process.")
    query_engine: str = _setting(
        "library",
        "What a query process is: library (Python with pyoxigraph, in its own network "
        "namespace; default) or server (the Oxigraph server on the same store, the "
        "`oxigraph` command of the same version, reached on loopback: 5-10 % faster on "
        "heavy queries, 10 MiB a process, restarted in 30 ms; needs the store on disk).",
        ("library", "server"),
    )
    malloc_arenas: int = _setting(
        2,
        "Most glibc malloc arenas in each server process and each query process "
        "(M_ARENA_MAX). Without a cap every thread may get an arena of its own (up to "
        "eight per core), each reserving 64 MiB of address space and keeping the memory "
        "freed in it: the server process holds more than its requests use, and a query "
        "process's reservations eat into HAMAR_GRAPH_QUERY_MEMORY_MB. 0 leaves glibc's "
        "default.",
    )
    query_budget: float = _setting(
        60.0,
        "Query-seconds a minute each client address may spend on long queries (the time "
        "past each query's first HAMAR_GRAPH_LONG_QUERY seconds); an empty budget gets 429 with "
        "Retry-After, and a client with a long query running, or whose budget is not full, "
        "runs one query at a time. 0 turns the budget off.",
    )
    long_query: float = _setting(
        1.0,
        "Seconds after which a running SPARQL query is long: low priority, charged to its "
        "client's budget, and stopped (429) when its client holds more than its share of "
        "the query processes while another client waits.",
    )
    answer_cache_mb: int = _setting(
        4,
        "MiB of SPARQL answers, and as much again of finished pages, kept per server "
        "process: the data is read-only, so an answer is fixed by its query text, dataset, "
        "format and the data version, a page by its URL and headers. 0 turns both off.",
    )
    max_rows: int = _setting(
        10000, "Most result rows (or triples) returned; a longer result is cut and says so."
    )
    max_query_bytes: int = _setting(
        100_000, "Largest accepted request body (and SPARQL query) in bytes; larger gets 413."
    )
    max_url_bytes: int = _setting(8192, "Longest accepted request URL in bytes; longer gets 414.")
    page_size: int = _setting(
        50,
        "Items per page on index and search pages, and values per page of a long list on a "
        "resource's page.",
    )
    strategy: str = _setting(
        "id/dokument/internasjonal-strategi",
        "The strategy document the home page and the completeness page show when the graph "
        "holds several: its IRI, or its path under the base IRI.",
    )
    rate_limit: int = _setting(
        0, "Requests per minute per client address; 0 turns rate limiting off."
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``HAMAR_GRAPH_*`` variables, then apply overrides.

        :param environ: the environment to read; defaults to :data:`os.environ`.
        :param overrides: values that win over the environment (CLI flags);
            ``None`` values are ignored so unset flags keep the environment's value.
        :raises ValueError: when a variable cannot be converted or is not a choice.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _convert(f, raw)
        for name, value in overrides.items():
            if value is not None:
                values[name] = value
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Raise :class:`ValueError` when a setting is out of range."""
        for f in fields(self):
            choices = f.metadata.get("choices")
            if choices and getattr(self, f.name) not in choices:
                raise ValueError(
                    f"{ENV_PREFIX}{f.name.upper()} must be one of {', '.join(choices)}, "
                    f"not {getattr(self, f.name)!r}"
                )
        if not self.base_iri.endswith("/"):
            raise ValueError(f"{ENV_PREFIX}BASE_IRI must end with '/', got {self.base_iri!r}")
        if self.public_url is not None and not _is_public_url(self.public_url):
            raise ValueError(
                f"{ENV_PREFIX}PUBLIC_URL must be an absolute http(s) URL ending with '/', "
                f"without query or fragment, got {self.public_url!r}"
            )
        if self.store == "remote" and not self.endpoint:
            raise ValueError(
                f"store=remote needs an endpoint: set {ENV_PREFIX}ENDPOINT or pass --endpoint URL"
            )
        if self.query_engine == "server" and self.store != "oxigraph":
            raise ValueError(
                f"{ENV_PREFIX}QUERY_ENGINE=server runs the Oxigraph server on the embedded "
                f"store: it needs {ENV_PREFIX}STORE=oxigraph, not {self.store!r}"
            )
        for name in ("query_budget", "answer_cache_mb", "data_check", "malloc_arenas"):
            if getattr(self, name) < 0:
                raise ValueError(f"{ENV_PREFIX}{name.upper()} must be 0 (off) or positive")
        for name in (
            "long_query",
            "query_timeout",
            "workers",
            "threads",
            "query_workers",
            "max_rows",
            "page_size",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{ENV_PREFIX}{name.upper()} must be positive")

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied (``None`` values ignored)."""
        new = dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})
        new.check()
        return new

    @property
    def strategy_iri(self) -> str:
        """The IRI of :attr:`strategy` (a path is taken under :attr:`base_iri`)."""
        if "://" in self.strategy:
            return self.strategy
        return self.base_iri + self.strategy.lstrip("/")

    @property
    def resolved_store_path(self) -> Path:
        """The persistent store folder: :attr:`store_path` or ``{out_dir}/store``."""
        return self.store_path if self.store_path is not None else self.out_dir / "store"


def _is_public_url(url: str) -> bool:
    """An absolute ``http``/``https`` URL with a host, a path ending in ``/``, no query."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and parts.path.endswith("/")
        and not parts.query
        and not parts.fragment
        and "?" not in url
        and "#" not in url
    )


def _convert(f: dataclasses.Field[Any], raw: str) -> Any:
    kind = str(f.type)
    try:
        if "int" in kind and "Path" not in kind:
            return int(raw)
        if "float" in kind:
            return float(raw)
        if "Path" in kind:
            return Path(raw)
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not a valid {kind}") from exc
    return raw


#: (environment variable, default, help) for every setting, for docs and ``--help``.
SETTINGS: tuple[tuple[str, Any, str], ...] = tuple(
    (ENV_PREFIX + f.name.upper(), f.default, f.metadata["help"]) for f in fields(Settings)
)


def _shown_default(default: Any) -> str:
    if default is None:
        return "(none)"
    if default == PROJECT_ROOT:
        return "the project folder"
    return f"`{default}`"


def settings_table() -> str:
    """The Markdown table of every setting: variable, default, help (README.md's Settings).

    ``python scripts/settings_table.py --write`` puts it into README.md, and
    ``tests/project/test_docs.py`` fails when the README's copy differs.
    """
    lines = ["| variable | default | what it sets |", "|---|---|---|"]
    for f in fields(Settings):
        text = f.metadata["help"].replace("|", "\\|")
        choices = f.metadata.get("choices")
        if choices:
            text += f" One of: {', '.join(f'`{c}`' for c in choices)}."
        lines.append(f"| `{ENV_PREFIX}{f.name.upper()}` | {_shown_default(f.default)} | {text} |")
    return "\n".join(lines) + "\n"
