"""Chart geometry for the figures page. Python computes positions; the Jinja macros
in templates/admin/_charts.html draw them as inline SVG (no script, no inline style)."""
from __future__ import annotations

from datetime import datetime
from math import ceil, log10

BAR_WIDTH = 640
BAR_LABEL = 200   # room for the label column on the left
BAR_ROW = 26
LINE_WIDTH, LINE_HEIGHT = 640, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 16, 14, 30


def nice_max(value: float) -> int:
    """The smallest of 4, 5, 8, 10, 20, 40, 50, 80, 100 … at or above value, so the
    axis splits into whole-number ticks."""
    if value <= 4:
        return 4
    magnitude = 10 ** int(log10(value))
    for step in (1, 2, 4, 5, 8, 10):
        if step * magnitude >= value and step * magnitude >= 4:
            return int(step * magnitude)
    return int(ceil(value))


def tick_values(top: int) -> list[int]:
    """Whole-number ticks from 0 to top."""
    parts = 4 if top % 4 == 0 else 5 if top % 5 == 0 else 2 if top % 2 == 0 else 1
    return [top * i // parts for i in range(parts + 1)]


def _short(label: str, length: int = 28) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def bar_chart(rows: list[tuple[str, int]]) -> dict:
    """Horizontal bars, one row per (label, value)."""
    top = nice_max(max((value for _, value in rows), default=0))
    area = BAR_WIDTH - BAR_LABEL - 50
    bars = []
    for index, (label, value) in enumerate(rows):
        y = PAD_TOP + index * BAR_ROW
        width = round(area * value / top, 1) if top else 0
        bars.append({"label": _short(label), "full_label": label, "value": value, "y": y,
                     "text_y": y + BAR_ROW / 2 + 4, "x": BAR_LABEL, "width": width,
                     "height": BAR_ROW - 8, "value_x": BAR_LABEL + width + 6})
    height = PAD_TOP + max(len(rows), 1) * BAR_ROW + PAD_BOTTOM
    ticks = [{"x": round(BAR_LABEL + area * value / top, 1), "value": value} for value in tick_values(top)]
    return {"width": BAR_WIDTH, "height": height, "bars": bars, "ticks": ticks, "axis_y": height - PAD_BOTTOM,
            "top": top, "empty": not rows}


def line_chart(points: list[tuple[datetime, int]], label_time) -> dict:
    """A line over time; ``label_time(datetime) -> str`` formats the x-axis labels."""
    plot_w = LINE_WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = LINE_HEIGHT - PAD_TOP - PAD_BOTTOM
    top = nice_max(max((count for _, count in points), default=0))
    if not points:
        return {"width": LINE_WIDTH, "height": LINE_HEIGHT, "empty": True, "points": "", "dots": [],
                "yticks": [], "xticks": [], "top": top, "base_y": PAD_TOP + plot_h, "left": PAD_LEFT,
                "right": LINE_WIDTH - PAD_RIGHT}
    start, end = points[0][0], points[-1][0]
    span = (end - start).total_seconds() or 1.0

    def xy(at: datetime, count: int) -> tuple[float, float]:
        x = PAD_LEFT + (plot_w * (at - start).total_seconds() / span if len(points) > 1 else plot_w / 2)
        return round(x, 1), round(PAD_TOP + plot_h - plot_h * count / top, 1)

    coords = [xy(at, count) for at, count in points]
    yticks = [{"y": round(PAD_TOP + plot_h - plot_h * value / top, 1), "value": value} for value in tick_values(top)]
    picks = sorted({0, len(points) // 2, len(points) - 1})
    xticks = [{"x": coords[i][0], "label": label_time(points[i][0])} for i in picks]
    dots = coords if len(coords) <= 60 else []
    return {"width": LINE_WIDTH, "height": LINE_HEIGHT, "empty": False,
            "points": " ".join(f"{x},{y}" for x, y in coords), "dots": dots, "yticks": yticks,
            "xticks": xticks, "top": top, "base_y": PAD_TOP + plot_h, "left": PAD_LEFT,
            "right": LINE_WIDTH - PAD_RIGHT}
