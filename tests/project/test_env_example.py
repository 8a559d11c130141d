""".env.example lists every setting, so an operator sees all of them in one file."""

from __future__ import annotations

import re

from hamar_graph.config import PROJECT_ROOT, SETTINGS


def test_env_example_names_every_setting_and_no_other() -> None:
    text = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^# (HAMAR_GRAPH_[A-Z_]+)=", text, flags=re.MULTILINE))
    assert named == {name for name, _default, _help in SETTINGS}
