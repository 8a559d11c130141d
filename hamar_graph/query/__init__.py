"""Queries: the pages' named queries, the example gallery, and running one query from the shell."""
