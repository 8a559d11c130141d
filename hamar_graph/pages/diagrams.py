"""Three pictures drawn here as SVG, with no external service.

- :func:`strategy_tree`: axes → action-plan goals → measures;
- :func:`twin_city_map`: Hamar and its twin cities on a world outline from the
  packaged Natural Earth 1:110m land (``assets/land-110m.json``, TopoJSON from the
  npm package *world-atlas*), in equirectangular projection;
- :func:`responsibility_chart`: the chart of section 5, areas → responsible actors.

Each SVG has ``role="img"``, a ``<title>`` and a ``<desc>`` referenced by
``aria-labelledby``; pages also print the same content as text next to it. Only
presentation attributes are used (no ``style``), so a strict Content Security
Policy applies. All text is escaped.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from importlib import resources

#: Colours with at least 4.5:1 contrast against white (text) or for outlines.
INK = "#1a1a1a"


ACCENT = "#1f4e79"


BOX = "#e8f0f8"


LINE = "#5a5a5a"


LAND = "#dfe6da"


SEA = "#f4f8fb"


HAMAR = "#a4161a"


FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@dataclass(frozen=True)
class Node:
    """A labelled thing in a picture, with the page it links to (for the text version)."""

    label: str
    href: str
    lang: str | None = None


@dataclass(frozen=True)
class TreeGoal:
    """A goal and its measures."""

    goal: Node
    measures: tuple[Node, ...] = ()


@dataclass(frozen=True)
class TreeAxis:
    """An axis and its goals."""

    axis: Node
    notation: str
    goals: tuple[TreeGoal, ...] = ()


@dataclass(frozen=True)
class MapPlace:
    """A place on the map."""

    place: Node
    lat: float
    long: float
    home: bool = False
    country: str = ""


@dataclass(frozen=True)
class ChartArea:
    """One box of the responsibility chart and its responsible actors."""

    area: Node
    actors: tuple[Node, ...] = field(default_factory=tuple)


def _open(ident: str, width: float, height: float, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" class="diagram" '
        f'font-family="{escape(FONT)}" font-size="13" fill="{INK}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` characters (long words kept whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) > width and current:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def _text_lines(x: float, y: float, lines: list[str], anchor: str = "start") -> str:
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 15}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{spans}</text>'


def strategy_tree(axes: list[TreeAxis], *, title: str, desc: str, ident: str = "tree") -> str:
    """Axes (left) → their action-plan goals (middle) → measures (right).

    A measure that serves two goals is drawn once, with a line from each goal.
    """
    row = 34
    ax_x, ax_w = 8, 230
    goal_x, goal_w = 268, 430
    m_x, m_w = 738, 254
    rows: list[tuple[TreeAxis, TreeGoal | None]] = []
    for axis in axes:
        if axis.goals:
            rows.extend((axis, g) for g in axis.goals)
        else:
            rows.append((axis, None))
    height = max(row * len(rows) + 40, 80)
    out = _open(ident, 1000, height, title, desc)
    top = 30
    headers = ((ax_x, "axis"), (goal_x, "goal"), (m_x, "measure"))
    del headers  # column headings are in the text version; the picture stays uncluttered
    y_of_goal: dict[str, float] = {}
    i = 0
    for axis in axes:
        n = max(1, len(axis.goals))
        y0 = top + i * row
        h = n * row - 6
        out.append(
            f'<rect x="{ax_x}" y="{y0:.0f}" width="{ax_w}" height="{h:.0f}" rx="6" '
            f'fill="{BOX}" stroke="{ACCENT}" stroke-width="1.5"/>'
        )
        label = f"{axis.notation} {axis.axis.label}".strip()
        lines = wrap(label, 30)[: max(1, int(h // 15))]
        ty = y0 + h / 2 - (len(lines) - 1) * 7.5 + 4
        out.append(_text_lines(ax_x + 10, ty, lines))
        for j, goal in enumerate(axis.goals):
            gy = top + (i + j) * row
            y_of_goal[goal.goal.href] = gy + (row - 6) / 2
            out.append(
                f'<line x1="{ax_x + ax_w}" y1="{y0 + h / 2:.1f}" x2="{goal_x}" '
                f'y2="{gy + (row - 6) / 2:.1f}" stroke="{LINE}" stroke-width="1"/>'
            )
            out.append(
                f'<rect x="{goal_x}" y="{gy:.0f}" width="{goal_w}" height="{row - 6}" rx="4" '
                f'fill="#ffffff" stroke="{ACCENT}" stroke-width="1"/>'
            )
            out.append(
                f'<text x="{goal_x + 8}" y="{gy + row / 2 + 1:.1f}" font-size="12">'
                f"{escape(_shorten(goal.goal.label, 66))}</text>"
            )
        i += n
    # Measures: once each, placed at the first goal that lists them, pushed down on overlap.
    placed: dict[str, float] = {}
    last_y = -math.inf
    for axis in axes:
        for goal in axis.goals:
            for measure in goal.measures:
                if measure.href in placed:
                    continue
                y = max(y_of_goal[goal.goal.href], last_y + row)
                placed[measure.href] = y
                last_y = y
    for href, y in placed.items():
        name = next(m.label for a in axes for g in a.goals for m in g.measures if m.href == href)
        out.append(
            f'<rect x="{m_x}" y="{y - (row - 6) / 2:.1f}" width="{m_w}" height="{row - 6}" '
            f'rx="4" fill="{BOX}" stroke="{ACCENT}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{m_x + 8}" y="{y + 4:.1f}" font-size="12">'
            f"{escape(_shorten(name, 38))}</text>"
        )
    for axis in axes:
        for goal in axis.goals:
            for measure in goal.measures:
                gy = y_of_goal[goal.goal.href]
                out.append(
                    f'<line x1="{goal_x + goal_w}" y1="{gy:.1f}" x2="{m_x}" '
                    f'y2="{placed[measure.href]:.1f}" stroke="{LINE}" stroke-width="1"/>'
                )
    out.append("</svg>")
    return "\n".join(out)


@lru_cache(maxsize=1)
def land_rings() -> tuple[tuple[tuple[float, float], ...], ...]:
    """Rings (lon, lat) of the packaged Natural Earth 1:110m land outline."""
    raw = resources.files("hamar_graph").joinpath("assets/land-110m.json").read_text("utf-8")
    topo = json.loads(raw)
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indices: list[int]) -> tuple[tuple[float, float], ...]:
        points: list[tuple[float, float]] = []
        for index in indices:
            arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
            points.extend(arc if not points else arc[1:])
        # Unwrap longitudes across the antimeridian so no edge crosses the whole map.
        unwrapped: list[tuple[float, float]] = []
        shift = 0.0
        for i, (lon, lat) in enumerate(points):
            if i and lon + shift - unwrapped[-1][0] > 180:
                shift -= 360
            elif i and lon + shift - unwrapped[-1][0] < -180:
                shift += 360
            unwrapped.append((lon + shift, lat))
        # Bring the ring back where most of its points lie (Afro-Eurasia crosses at Chukotka).
        best = min(
            (-360.0, 0.0, 360.0),
            key=lambda d: sum(1 for lon, _ in unwrapped if not -180 <= lon + d <= 180),
        )
        return tuple((lon + best, lat) for lon, lat in unwrapped)

    rings: list[tuple[tuple[float, float], ...]] = []
    for geometry in topo["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            rings.extend(ring(r) for r in polygon)
    return tuple(rings)


#: Label positions tried in turn: (side, vertical shift).
_SIDES = [(s, d) for d in (0, 12, -12, 24, -24) for s in ("right", "left", "above", "below")]


def _label_box(
    x: float, y: float, text: str, side: str, dy: float = 0
) -> tuple[float, float, float, float]:
    width = 7.0 * len(text) + 4
    y += dy
    if side == "right":
        return (x + 8, y - 11, x + 8 + width, y + 4)
    if side == "left":
        return (x - 8 - width, y - 11, x - 8, y + 4)
    if side == "above":
        return (x - width / 2, y - 24, x + width / 2, y - 9)
    return (x - width / 2, y + 8, x + width / 2, y + 23)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return not (a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1])


def twin_city_map(places: list[MapPlace], *, title: str, desc: str, ident: str = "map") -> str:
    """Hamar and its twin cities as dots on the land outline, each labelled."""
    if not places:
        return "\n".join([*_open(ident, 1000, 100, title, desc), "</svg>"])
    lons = [p.long for p in places]
    lats = [p.lat for p in places]
    west, east = min(lons) - 14, max(lons) + 14
    south, north = max(min(lats) - 9, -85), min(max(lats) + 7, 85)
    width = 1000.0
    k = width / (east - west)
    height = (north - south) * k

    def project(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - west) * k, (north - lat) * k)

    out = _open(ident, width, height, title, desc)
    out.append(f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="{SEA}"/>')
    paths: list[str] = []
    for ring in land_rings():
        rl = [p[0] for p in ring]
        rb = [p[1] for p in ring]
        if max(rl) < west or min(rl) > east or max(rb) < south or min(rb) > north:
            continue
        d: list[str] = []
        last: tuple[float, float] | None = None
        for lon, lat in ring:
            x, y = project(lon, lat)
            if last is not None and abs(x - last[0]) + abs(y - last[1]) < 1.2:
                continue
            d.append(f"{'M' if last is None else 'L'}{x:.1f} {y:.1f}")
            last = (x, y)
        if len(d) > 2:
            paths.append("".join(d) + "Z")
    out.append(f'<path d="{" ".join(paths)}" fill="{LAND}" stroke="#8a9a80" stroke-width="0.6"/>')
    boxes: list[tuple[float, float, float, float]] = []
    marks: list[str] = []
    for place in sorted(places, key=lambda p: (not p.home, -p.lat)):
        x, y = project(place.long, place.lat)
        if place.home:
            marks.append(
                f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" fill="{HAMAR}" '
                f'stroke="#ffffff" stroke-width="1.5"/>'
            )
        else:
            marks.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="{ACCENT}" '
                f'stroke="#ffffff" stroke-width="1.5"/>'
            )
        boxes.append((x - 6, y - 6, x + 6, y + 6))
    for place in sorted(places, key=lambda p: (not p.home, -p.lat)):
        x, y = project(place.long, place.lat)
        text = place.place.label
        box = next(
            (
                b
                for b in (_label_box(x, y, text, side, dy) for side, dy in _SIDES)
                if not any(_overlaps(b, other) for other in boxes) and b[0] >= 0 and b[2] <= width
            ),
            _label_box(x, y, text, "right"),
        )
        boxes.append(box)
        weight = ' font-weight="700"' if place.home else ""
        marks.append(
            f'<rect x="{box[0]:.1f}" y="{box[1]:.1f}" width="{box[2] - box[0]:.1f}" '
            f'height="{box[3] - box[1]:.1f}" rx="3" fill="#ffffff" fill-opacity="0.85"/>'
            f'<text x="{box[0] + 2:.1f}" y="{box[3] - 3:.1f}"{weight}>{escape(text)}</text>'
        )
    out.extend(marks)
    out.append("</svg>")
    return "\n".join(out)


def responsibility_chart(
    areas: list[ChartArea], *, title: str, desc: str, heading: str, ident: str = "chart"
) -> str:
    """Areas of responsibility in a row, their responsible actors in a row below."""
    n = max(1, len(areas))
    gap = 12
    box_w = (1000 - 16 - gap * (n - 1)) / n
    area_h, actor_h = 78, 62
    area_y, actor_y = 12, 150
    out = _open(ident, 1000, actor_y + actor_h + 14, title, desc)
    chars = max(8, int(box_w / 7.2))
    actors: dict[str, tuple[Node, list[float]]] = {}
    for i, area in enumerate(areas):
        x = 8 + i * (box_w + gap)
        out.append(
            f'<rect x="{x:.1f}" y="{area_y}" width="{box_w:.1f}" height="{area_h}" rx="6" '
            f'fill="{BOX}" stroke="{ACCENT}" stroke-width="1.5"/>'
        )
        lines = wrap(area.area.label, chars)[:4]
        out.append(
            _text_lines(
                x + box_w / 2, area_y + area_h / 2 - (len(lines) - 1) * 7.5 + 4, lines, "middle"
            )
        )
        for actor in area.actors:
            actors.setdefault(actor.href, (actor, []))[1].append(x + box_w / 2)
    out.append(f'<text x="8" y="{actor_y - 14}" font-weight="700">{escape(heading)}</text>')
    m = max(1, len(actors))
    a_w = (1000 - 16 - gap * (m - 1)) / m
    for j, (actor, xs) in enumerate(actors.values()):
        ax = 8 + j * (a_w + gap)
        for x in xs:
            out.append(
                f'<line x1="{x:.1f}" y1="{area_y + area_h}" x2="{ax + a_w / 2:.1f}" '
                f'y2="{actor_y}" stroke="{LINE}" stroke-width="1.2"/>'
            )
        out.append(
            f'<rect x="{ax:.1f}" y="{actor_y}" width="{a_w:.1f}" height="{actor_h}" rx="6" '
            f'fill="#ffffff" stroke="{ACCENT}" stroke-width="1.5"/>'
        )
        lines = wrap(actor.label, max(8, int(a_w / 7.2)))[:3]
        out.append(
            _text_lines(
                ax + a_w / 2, actor_y + actor_h / 2 - (len(lines) - 1) * 7.5 + 4, lines, "middle"
            )
        )
    out.append("</svg>")
    return "\n".join(out)
