"""``python -m hamar_graph.cli``: the same as ``hamar-graph``."""

import sys

from hamar_graph.cli import main

sys.exit(main())
