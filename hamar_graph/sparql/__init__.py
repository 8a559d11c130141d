"""The public SPARQL endpoint's query path: protocol requests, the read-only guard, the
service description, and the sandboxed query processes."""
