"""What a portal harvests: the dumps, the DCAT catalogue in two profiles, VoID, and the one
manifest."""
