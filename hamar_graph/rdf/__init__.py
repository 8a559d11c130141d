"""RDF plumbing with no knowledge of the project's data: the format registry, deterministic
serialisation, names of IRIs, term conversion for pyoxigraph, datasets, atomic writes."""
