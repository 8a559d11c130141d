"""Issue 12's query-path targets: our /sparql against the Oxigraph server, in one run.

The instrument for "make the query path lean and fair". It measures every target of the
issue as a ratio to the Oxigraph server (``oxigraph serve-read-only``) on the same
N-Triples, started and stopped by this script, on loopback only:

- ``throughput``: ``wrk -t2 -c16`` against each server (and the floor) for (a) lookups with
  a different subject IRI and a different query text on every request, (b) one lookup text
  repeated, (c) a join with a FILTER repeated; req/s counting 2xx answers only, p50/p99,
  non-2xx;
- ``memory``: proportional set size (``Pss:`` of ``/proc/PID/smaps_rollup``) summed over
  each server's whole process tree: at rest after start, peak while loaded, after load,
  and peak through the fairness run (pages and queries) when it runs;
- ``startup``: seconds from starting the process to its first answer on ``/sparql``,
  from a persistent store;
- ``scale``: a graph of ``--copies`` strategies (about 1M triples at 620), loaded into a
  persistent store for each server: median latency of heavy queries and of lookups, and
  peak PSS of each tree;
- ``fairness`` (ours only; the Oxigraph server's behaviour under the same hostile load is
  noted): 24 ordinary clients, each from its own loopback address (127.0.0.2 ...), pausing
  0.2 s between requests for pages and small queries, and one hostile address
  (127.0.0.200) keeping twice as many expensive queries in flight as there are query
  processes; statuses and p50/p99 per class, and whether refusals carry ``Retry-After``.

It talks to the servers over HTTP only and drives ``hamar-graph build`` / ``serve`` as
subprocesses (each server in its own process group, always stopped, Ctrl-C included); it
imports nothing of the project but :mod:`benchmarks.scale` and, for the floor (the least a
Python server can do, :mod:`benchmarks.query_path.floor_app`, a third peer in the
throughput runs), :mod:`hamar_graph.config`, so it keeps working while the server code
moves. Judge ratios, not absolute numbers: the client runs on the same two
cores as the servers.

Usage::

    python -m benchmarks.query_path                      # the full run (about 7 minutes)
    python -m benchmarks.query_path --quick              # a smoke test (about 2 minutes)
    python -m benchmarks.query_path --only throughput,memory --json /tmp/qp.json
    python -m benchmarks.query_path --compare before.json after.json
"""

from __future__ import annotations

from benchmarks.query_path.workloads import HEAVY

__all__ = ["HEAVY"]
