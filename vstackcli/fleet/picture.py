"""The topology picture of a Smart Install network: a text tree and an HTML page with an inline SVG.

One neutral tree (``Node``), two sources, two renderings:

- ``director_tree(device)``: from the director database (``show vstack topology``,
  a vstackcli extension): the director at the root, each client under the
  upstream neighbour its reports name (by IP), with the port, index, PID, IP,
  hostname and status letters; stack members under their stack;
- ``fleet_tree(state)``: from a fleet's topology and what its switches did
  (``vstackcli fleet --html FILE``);
- ``text_tree(node)``: ASCII lines for the shell;
- ``html_page(node, title)``: a self-contained HTML page (inline SVG and CSS, no
  script, no network fetch), laid out as an indented tree: depth to the right,
  one row per switch, so hundreds of switches stay readable.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vstackcli.grammar.values import parse_interface

if TYPE_CHECKING:
    from vstackcli.engine.device import Device
    from vstackcli.fleet.state import FleetState

__all__ = ["Node", "director_tree", "fleet_tree", "html_page", "short_port", "show_vstack_topology", "text_tree"]


@dataclass
class Node:
    """One device in the picture; ``port`` is the port of the parent it hangs off."""

    title: str
    details: list[str] = field(default_factory=list)
    port: str = ""
    status: str = "ok"  # ok | busy | failed | inactive | director | waiting | held
    children: list[Node] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # stack members, one line each

    def count(self) -> int:
        return 1 + sum(child.count() for child in self.children)


def short_port(name: str) -> str:
    """``GigabitEthernet1/0/3`` -> ``Gi1/0/3`` (unchanged when it does not parse)."""
    try:
        return parse_interface(name).short
    except (ValueError, AttributeError):
        return name


# ---- sources -----------------------------------------------------------------------------------

def _client_status(status: str, phase: str) -> str:
    letters = status.split()
    if "X" in letters or "x" in letters or phase == "failed" or "d" in letters:
        return "failed"
    if "I" in letters[1:2]:
        return "inactive"
    if "h" in letters:
        return "held"
    if "i" in letters or "c" in letters or phase not in ("joined", "discovered"):
        return "busy"
    return "ok"


def director_tree(device: Device) -> Node | None:
    """The director database as a tree; None when this device is not an operational director."""
    director = device.director
    if not director.operational:
        return None
    v = device.config.vstack
    db = director.db
    root = Node(device.config.hostname, [f"{v.director}  {device.platform.pid}", "Director"], status="director")
    nodes = {}
    heads = [c for c in db.clients if c.stack_of is None]
    for c in heads:
        ip = str(c.ip) if c.ip else "0.0.0.0"
        nodes[c.index] = Node(c.hostname or str(c.mac), [f"{c.index}  {c.pid or '?'}  {ip}", c.status],
                              status=_client_status(c.status, c.phase))
        nodes[c.index].members = [f"member {m.number}  {m.mac}  {m.pid}" for m in c.stack if m.mac != c.mac]
    by_ip = {c.ip: c for c in heads if c.ip is not None}
    for c in heads:
        node = nodes[c.index]
        up = c.upstream
        parent = root
        if up is not None:
            node.port = short_port(str(up.interface))
            upstream = by_ip.get(up.host)
            if upstream is not None and upstream is not c and not _below(upstream, c, by_ip):
                parent = nodes[upstream.index]
            elif up.host != v.director:
                node.port = f"{node.port} of {up.host}"
        parent.children.append(node)
    return root


def _below(candidate, entry, by_ip) -> bool:
    """Would hanging ``entry`` under ``candidate`` make a loop (``candidate`` is downstream of ``entry``)?"""
    seen = set()
    current = candidate
    while current is not None and current.upstream is not None and current.index not in seen:
        seen.add(current.index)
        current = by_ip.get(current.upstream.host)
        if current is entry:
            return True
    return False


_FLEET_STATUS = {"joined": "ok", "failed": "failed", "denied": "failed", "held": "held", "replaced": "inactive",
                 "waiting": "waiting"}


def fleet_tree(state: FleetState) -> Node:
    """A fleet's switches under their upstream switch, with what each reached."""
    root = Node("director", ["Smart Install director"], status="director")
    nodes: dict[str, Node] = {}
    for name, s in state.switches.items():
        spec = s.spec
        lines = [f"{spec.pid}  {s.ip or '-'}", f"{s.hostname or '-'}  {s.column}"]
        nodes[name] = Node(name, lines, short_port(spec.upstream_port), _FLEET_STATUS.get(s.column, "busy"))
        nodes[name].members = [f"member {m.number}  {m.mac}  {m.pid}" for m in spec.members if m.mac != spec.mac]
    for name, s in state.switches.items():
        parent = nodes.get(s.spec.upstream) if s.spec.upstream else root
        (parent or root).children.append(nodes[name])
    return root


# ---- renderings ----------------------------------------------------------------------------------

def text_tree(root: Node) -> list[str]:
    """ASCII tree lines: `` +-Gi1/0/1  title  details``, ``|`` down the open branches."""
    lines = [f"{root.title}  {'  '.join(root.details)}"]

    def walk(node: Node, prefix: str) -> None:
        for n, child in enumerate(node.children):
            last = n == len(node.children) - 1
            port = f"{child.port}  " if child.port else ""
            lines.append(f"{prefix} +-{port}{child.title}  {'  '.join(child.details)}")
            inner = prefix + ("   " if last else " | ")
            lines.extend(f"{inner}   {member}" for member in child.members)
            walk(child, inner)

    walk(root, "")
    return lines


ROW, BOX_W, BOX_H, INDENT, MARGIN = 58, 260, 48, 80, 16
_FILL = {"ok": "#e3f4e1", "busy": "#fff4cc", "failed": "#fbdada", "inactive": "#e6e6e6", "director": "#dbe8fb",
         "waiting": "#f4f4f4", "held": "#fde7c8"}
_STROKE = {"ok": "#2e7d32", "busy": "#b38600", "failed": "#c62828", "inactive": "#777777", "director": "#1f5fbf",
           "waiting": "#999999", "held": "#d17a00"}


def svg(root: Node) -> str:
    """The tree as an SVG drawing (one row per device, depth to the right)."""
    rows: list[tuple[Node, int, int, int | None]] = []  # node, depth, row, parent row

    def place(node: Node, depth: int, parent_row: int | None) -> None:
        row = len(rows)
        rows.append((node, depth, row, parent_row))
        for child in node.children:
            place(child, depth + 1, row)

    place(root, 0, None)
    depth = max(d for _, d, _, _ in rows)
    width = MARGIN * 2 + depth * INDENT + BOX_W + 220
    height = MARGIN * 2 + len(rows) * ROW
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">']
    y_of = {row: MARGIN + row * ROW for _, _, row, _ in rows}
    x_of = {row: MARGIN + d * INDENT for _, d, row, _ in rows}
    for node, _d, row, parent in rows:  # edges first, under the boxes
        if parent is None:
            continue
        px = x_of[parent] + 16
        py = y_of[parent] + BOX_H
        cy = y_of[row] + BOX_H // 2
        out.append(f'<path d="M{px},{py} V{cy} H{x_of[row]}" fill="none" stroke="#888" stroke-width="1.2"/>')
        if node.port:
            out.append(f'<text x="{px + 4}" y="{cy - 4}" font-size="10" fill="#555">{html.escape(node.port)}</text>')
    for node, _d, row, _parent in rows:
        x, y = x_of[row], y_of[row]
        fill, stroke = _FILL.get(node.status, "#ffffff"), _STROKE.get(node.status, "#333333")
        title = html.escape(node.title)
        tooltip = html.escape(" | ".join([node.title, *node.details, *node.members]))
        out.append(f'<g class="{html.escape(node.status)}"><title>{tooltip}</title>')
        out.append(f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="1.5"/>')
        out.append(f'<text x="{x + 8}" y="{y + 15}" font-weight="bold">{title}</text>')
        for n, line in enumerate(node.details[:2]):
            out.append(f'<text x="{x + 8}" y="{y + 29 + 13 * n}">{html.escape(line)}</text>')
        if node.members:
            members = html.escape(f"stack: {len(node.members) + 1} members")
            out.append(f'<text x="{x + BOX_W + 8}" y="{y + 29}" fill="#555">{members}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def html_page(root: Node, title: str = "Smart Install topology") -> str:
    """A self-contained HTML page (no script, no external resource) with the SVG inline."""
    counts: dict[str, int] = {}

    def count(node: Node) -> None:
        counts[node.status] = counts.get(node.status, 0) + 1
        for child in node.children:
            count(child)

    for child in root.children:
        count(child)
    legend = " ".join(f'<span class="key" style="background:{_FILL[s]};border-color:{_STROKE[s]}">'
                      f"{html.escape(s)}: {counts[s]}</span>" for s in _FILL if s in counts)
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8"/>',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;margin:1em}"
        ".key{border:1px solid;border-radius:4px;padding:1px 6px;margin-right:4px;font-size:90%}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{root.count() - 1} switches under {html.escape(root.title)}. {legend}</p>",
        svg(root),
        "</body>",
        "</html>",
        "",
    ])


def show_vstack_topology(device: Device, as_html: bool = False) -> list[str]:
    """``show vstack topology [html]`` (a vstackcli extension): the director database as a tree."""
    if not device.config.vstack.enabled:
        return ["SmartInstall: DISABLED"]
    root = director_tree(device)
    if root is None:
        return ["Smart Install topology is available on the director only"]
    if as_html:
        return html_page(root, f"Smart Install topology of {device.config.hostname}").rstrip("\n").split("\n")
    lines = text_tree(root)
    if not root.children:
        lines.append(" (no clients in the director database)")
    return lines
