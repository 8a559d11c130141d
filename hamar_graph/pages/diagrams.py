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


#: Average glyph width as a share of the font size, on the generous side for the
#: system sans-serif fonts, so that wrapped lines stay inside their boxes.
GLYPH = 0.62


def chars_for(width: float, font_size: float) -> int:
    """How many characters fit on a line ``width`` wide at ``font_size``."""
    return max(8, int(width / (GLYPH * font_size)))


def _box(
    x: float,
    y: float,
    w: float,
    h: float,
    lines: list[str],
    *,
    fill: str,
    size: int,
    rx: int = 4,
    stroke: float = 1,
    extra: str = "",
    css: str = "node",
    centred: bool = False,
) -> str:
    """A box with its text inside, each line on its own row, vertically centred (and
    horizontally, when ``centred``). Box and text share a ``<g class="node">``, so a test
    can check that the text stays inside the box."""
    top = y + (h - len(lines) * (size + 3)) / 2 + size - 1
    tx = x + w / 2 if centred else x + 8
    anchor = ' text-anchor="middle"' if centred else ""
    spans = "".join(
        f'<tspan x="{tx:.1f}" dy="{0 if i == 0 else size + 3}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<g class="{css}"><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
        f'rx="{rx}" fill="{fill}" stroke="{ACCENT}" stroke-width="{stroke}"{extra}/>'
        f'<text x="{tx:.1f}" y="{top:.1f}" font-size="{size}"{anchor}>{spans}</text></g>'
    )


def strategy_tree(
    axes: list[TreeAxis], *, title: str, desc: str, ident: str = "tree", shared: str = ""
) -> str:
    """Axes (left) → their action-plan goals (middle) → measures (right).

    Every label is wrapped to fit its box. A goal's measures stand beside it, joined by
    short lines inside the goal's own band, so every measure–goal link can be followed;
    a measure that serves two goals stands beside each, with a dashed outline and the
    word ``shared`` under its name.
    """
    ax_x, ax_w = 8.0, 214.0
    goal_x, goal_w = 250.0, 420.0
    m_x, m_w = 712.0, 280.0
    size, line, gap = 12, 15, 8
    goal_chars = chars_for(goal_w - 16, size)
    m_chars = chars_for(m_w - 16, size)
    ax_chars = chars_for(ax_w - 16, 13)
    uses: dict[str, int] = {}
    for axis in axes:
        for goal in axis.goals:
            for measure in goal.measures:
                uses[measure.href] = uses.get(measure.href, 0) + 1

    def m_lines(measure: Node) -> list[str]:
        lines = wrap(measure.label, m_chars)
        return [*lines, f"({shared})"] if shared and uses.get(measure.href, 0) > 1 else lines

    body: list[str] = []
    y = 12.0
    for axis in axes:
        axis_top = y
        label_lines = wrap(f"{axis.notation} {axis.axis.label}".strip(), ax_chars)
        centres: list[float] = []
        for goal in axis.goals:
            g_lines = wrap(goal.goal.label, goal_chars)
            g_h = len(g_lines) * line + 12
            m_boxes = [(m, m_lines(m)) for m in goal.measures]
            m_heights = [len(ls) * line + 12 for _, ls in m_boxes]
            stack = sum(m_heights) + gap * max(0, len(m_heights) - 1)
            row_h = max(g_h, stack)
            g_y = y + (row_h - g_h) / 2
            centre = g_y + g_h / 2
            centres.append(centre)
            body.append(_box(goal_x, g_y, goal_w, g_h, g_lines, fill="#ffffff", size=size))
            my = y + (row_h - stack) / 2
            for (measure, lines), h in zip(m_boxes, m_heights, strict=True):
                mid = my + h / 2
                dashed = ' stroke-dasharray="5 3"' if uses.get(measure.href, 0) > 1 else ""
                body.append(
                    f'<path d="M{goal_x + goal_w:.1f} {centre:.1f} H{goal_x + goal_w + 21:.1f} '
                    f'V{mid:.1f} H{m_x:.1f}" fill="none" stroke="{LINE}" stroke-width="1"/>'
                )
                body.append(_box(m_x, my, m_w, h, lines, fill=BOX, size=size, extra=dashed))
                my += h + gap
            y += row_h + gap
        if not axis.goals:
            y += 2 * line + 12 + gap
        axis_h = max(y - gap - axis_top, len(label_lines) * 16 + 12)
        y = max(y, axis_top + axis_h + gap)
        for centre in centres:
            body.append(
                f'<line x1="{ax_x + ax_w:.1f}" y1="{centre:.1f}" x2="{goal_x:.1f}" '
                f'y2="{centre:.1f}" stroke="{LINE}" stroke-width="1"/>'
            )
        body.append(
            _box(ax_x, axis_top, ax_w, axis_h, label_lines, fill=BOX, size=13, rx=6, stroke=1.5)
        )
        y += gap
    height = max(y + 4, 80)
    out = _open(ident, 1000, height, title, desc)
    out.extend(body)
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
    """Areas of responsibility in a row, their responsible actors in a row below, each
    label wrapped to fit its box."""
    n = max(1, len(areas))
    gap, size, line = 12, 13, 16
    box_w = (1000 - 16 - gap * (n - 1)) / n
    chars = chars_for(box_w - 16, size)
    actors: dict[str, tuple[Node, list[float]]] = {}
    for area in areas:
        for actor in area.actors:
            actors.setdefault(actor.href, (actor, []))
    m = max(1, len(actors))
    a_w = (1000 - 16 - gap * (m - 1)) / m
    a_chars = chars_for(a_w - 16, size)
    area_lines = [wrap(a.area.label, chars) for a in areas]
    actor_lines = [wrap(a.label, a_chars) for a, _ in actors.values()]
    area_h = max([len(ls) for ls in area_lines] + [2]) * line + 16
    actor_h = max([len(ls) for ls in actor_lines] + [2]) * line + 16
    area_y = 12
    actor_y = area_y + area_h + 60
    body: list[str] = []
    for i, (area, lines) in enumerate(zip(areas, area_lines, strict=True)):
        x = 8 + i * (box_w + gap)
        body.append(
            _box(
                x, area_y, box_w, area_h, lines, fill=BOX, size=size, rx=6, stroke=1.5, centred=True
            )
        )
        for actor in area.actors:
            actors[actor.href][1].append(x + box_w / 2)
    body.append(f'<text x="8" y="{actor_y - 12}" font-weight="700">{escape(heading)}</text>')
    for j, ((_, xs), lines) in enumerate(zip(actors.values(), actor_lines, strict=True)):
        ax = 8 + j * (a_w + gap)
        for x in xs:
            body.insert(
                0,
                f'<line x1="{x:.1f}" y1="{area_y + area_h}" x2="{ax + a_w / 2:.1f}" '
                f'y2="{actor_y}" stroke="{LINE}" stroke-width="1.2"/>',
            )
        body.append(
            _box(
                ax,
                actor_y,
                a_w,
                actor_h,
                lines,
                fill="#ffffff",
                size=size,
                rx=6,
                stroke=1.5,
                centred=True,
            )
        )
    out = _open(ident, 1000, actor_y + actor_h + 14, title, desc)
    out.extend(body)
    out.append("</svg>")
    return "\n".join(out)
