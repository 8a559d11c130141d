"""The blueprints: pages, publication (catalogue, VoID, dumps, sitemap) and ``/sparql``."""
