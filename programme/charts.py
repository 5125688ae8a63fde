"""Charts of the plan's dashboard, drawn on the server as SVG (no script): the geometry here,
the templates (admin/_bars.html, admin/_district_map.html) draw it.

Every chart writes its numbers as text next to what it draws, so it reads without colour,
and the page repeats them in a table.
"""

from collections.abc import Iterable
from dataclasses import dataclass

# --- horizontal bars -----------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    title: str  # label and value, for the row's <title>
    y: int  # top of the row
    percent: float  # the bar's length, in percent of the chart's width


@dataclass(frozen=True)
class BarChart:
    """One row per item: its label and value on a line, a bar under them as long as the value.

    Only the rows' heights are fixed; the lengths are percentages of whatever width the page
    gives the chart, so the text keeps its size from a phone to a wide screen.
    """

    chart_id: str  # unique on the page: the ids of its <title> and <desc>
    title: str
    description: str
    bars: list[Bar]
    row_height: int
    text_baseline: int  # from the top of a row
    bar_top: int
    bar_height: int

    @property
    def height(self) -> int:
        return len(self.bars) * self.row_height


def bar_chart(
    chart_id: str, title: str, description: str, rows: Iterable[tuple[str, int, str]]
) -> BarChart:
    """rows: (label, value, value as text); the longest bar fills the width."""
    rows = list(rows)
    row_height = 44
    top = max((value for _label, value, _text in rows), default=0)
    bars = [
        Bar(
            label=label,
            value_text=text,
            title=f"{label}: {text}",
            y=i * row_height,
            percent=round(100 * value / top, 2) if top > 0 else 0,
        )
        for i, (label, value, text) in enumerate(rows)
    ]
    return BarChart(
        chart_id=chart_id, title=title, description=description, bars=bars,
        row_height=row_height, text_baseline=16, bar_top=22, bar_height=14,
    )  # fmt: skip


# --- the district tile map -----------------------------------------------------------------

# Where each district-level unit of Hậu Giang sits on a 3-column grid, north at the top: a
# sketch of the province, not a map to scale. (column, row)
HAU_GIANG_GRID = {
    "Huyện Châu Thành A": (1, 0),
    "Huyện Châu Thành": (2, 0),
    "TP Vị Thanh": (0, 1),
    "Huyện Vị Thủy": (1, 1),
    "TP Ngã Bảy": (2, 1),
    "TX Long Mỹ": (0, 2),
    "Huyện Long Mỹ": (1, 2),
    "Huyện Phụng Hiệp": (2, 2),
}
COLUMNS = 3
KIND_PREFIXES = ("Thành phố ", "Thị xã ", "Huyện ", "TP ", "TX ")
LONG_NAME = 12  # characters; a longer name is squeezed into the tile


@dataclass(frozen=True)
class Tile:
    full_name: str
    kind: str  # "Huyện", "TP", "TX" (the first line), or ""
    name: str  # the name without its kind (the second line)
    count: int
    met: bool
    x: int
    y: int

    @property
    def squeeze(self) -> bool:
        return len(self.name) > LONG_NAME


@dataclass(frozen=True)
class TileMap:
    chart_id: str
    title: str
    description: str
    tiles: list[Tile]
    width: int
    height: int
    tile_width: int
    tile_height: int


def split_name(name: str) -> tuple[str, str]:
    """("Huyện", "Châu Thành A") from "Huyện Châu Thành A"; ("", name) without a kind."""
    for prefix in KIND_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return prefix.strip(), name[len(prefix) :]
    return "", name


def place(names: list[str]) -> dict[str, tuple[int, int]]:
    """A cell for each name: Hậu Giang's units where they lie, any other name in the first
    free cell, reading left to right and top to bottom."""
    cells = {name: HAU_GIANG_GRID[name] for name in names if name in HAU_GIANG_GRID}
    taken = set(cells.values())
    free = (divmod(i, COLUMNS)[::-1] for i in range(10_000))  # (column, row) in reading order
    for name in names:
        if name in cells:
            continue
        cell = next(c for c in free if c not in taken)
        cells[name] = cell
        taken.add(cell)
    return cells


def district_map(
    chart_id: str,
    title: str,
    description: str,
    counts: Iterable[tuple[str, int, bool]],
    tile_width: int = 114,
    tile_height: int = 96,
    gap: int = 9,
) -> TileMap:
    """counts: (district name, number, met) for each district."""
    counts = list(counts)
    cells = place([name for name, _n, _met in counts])
    tiles = []
    for name, number, met in counts:
        column, row = cells[name]
        kind, short = split_name(name)
        tiles.append(
            Tile(
                full_name=name, kind=kind, name=short, count=number, met=met,
                x=column * (tile_width + gap), y=row * (tile_height + gap),
            )
        )  # fmt: skip
    rows = max((cells[name][1] for name, _n, _met in counts), default=-1) + 1
    return TileMap(
        chart_id=chart_id,
        title=title,
        description=description,
        tiles=tiles,
        width=COLUMNS * tile_width + (COLUMNS - 1) * gap,
        height=max(rows * tile_height + (rows - 1) * gap, 0),
        tile_width=tile_width,
        tile_height=tile_height,
    )
