"""Print, or write into README.md, the table of settings generated from the code.

    python scripts/settings_table.py           # print the table
    python scripts/settings_table.py --write   # replace the table in README.md

The table sits in README.md between ``<!-- settings-table:start -->`` and
``<!-- settings-table:end -->``; ``tests/project/test_docs.py`` fails when it differs from
:func:`hamar_graph.config.settings_table`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hamar_graph.config import settings_table

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- settings-table:start -->\n"
END = "<!-- settings-table:end -->\n"


def replace_table(text: str, table: str) -> str:
    """``text`` with the part between the markers replaced by ``table``."""
    head, start, rest = text.partition(START)
    _old, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"README.md lacks the markers {START.strip()} ... {END.strip()}")
    return head + START + table + END + tail


def main(argv: list[str]) -> int:
    table = settings_table()
    if "--write" in argv:
        README.write_text(replace_table(README.read_text(encoding="utf-8"), table), "utf-8")
        print(f"wrote the settings table into {README}")
    else:
        sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
