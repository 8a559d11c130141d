"""Page models: one dataclass per page, built from the store with named queries and bindings
(labels, entity, home, diagrams, ontology, search, indexes, plan gaps, catalogue, VoID)."""
