"""``python -m benchmarks.query_path``: the whole run (see the package's description)."""

import sys

from benchmarks.query_path.cli import main

sys.exit(main())
