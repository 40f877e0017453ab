"""The geometry of the dashboard's charts, drawn as SVG by ``questions/staff/_charts.html``.

Pure functions: numbers in, rectangles and labels out (in the SVG's own units). The drawing
is 360 units wide, the width of a phone, so its text stays readable at 360 px; on a wider
screen it grows with the column (``.chart`` in the style sheet).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH = 360
LEFT = 34  # room for the values of the vertical axis
RIGHT = 8
TOP = 12
AXIS = 34  # room for the labels under the bars
ROW = 40  # one line of label and one bar, in a chart of rows


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: int
    late: bool
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]
    ticks: list[Tick]
    baseline: float
    left: int


@dataclass(frozen=True)
class RowChart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]
    values: list[Label]


def nice_top(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… at least ``value`` (a round top for an axis)."""
    if value <= 1:
        return 1
    power: int = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    raise AssertionError("unreachable")


def columns(
    categories: list[str],
    series: list[list[int]],
    *,
    names: list[str],
    late: list[bool] | None = None,
    height: int = 220,
) -> ColumnChart:
    """Vertical bars: one group per category, one bar per series side by side.

    Categories' labels are thinned out so that at most about eight show.
    """
    count = len(categories)
    top = nice_top(max((v for values in series for v in values), default=0))
    plot_height = height - TOP - AXIS
    baseline = TOP + plot_height
    slot = (WIDTH - LEFT - RIGHT) / max(count, 1)
    gap = slot * 0.2
    bar_width = (slot - gap) / max(len(series), 1)
    every = max(1, math.ceil(count / 7))
    bars, labels = [], []
    for index, category in enumerate(categories):
        x0 = LEFT + index * slot + gap / 2
        for number, values in enumerate(series):
            value = values[index]
            bar_height = plot_height * value / top
            bars.append(
                Bar(
                    x=round(x0 + number * bar_width, 2),
                    y=round(baseline - bar_height, 2),
                    width=round(bar_width, 2),
                    height=round(bar_height, 2),
                    value=value,
                    series=number,
                    late=bool(late and late[index]),
                    title=f"{category} : {names[number]} {value}",
                )
            )
        if index % every == 0:
            x = round(LEFT + (index + 0.5) * slot, 2)
            labels.append(Label(x=x, y=baseline + 18, text=category))
    step = tick_step(top)
    ticks = [
        Tick(y=round(baseline - plot_height * value / top, 2), text=str(value))
        for value in range(0, top + 1, step)
    ]
    return ColumnChart(
        width=WIDTH,
        height=height,
        bars=bars,
        labels=labels,
        ticks=ticks,
        baseline=baseline,
        left=LEFT,
    )


def tick_step(top: int) -> int:
    """Whole numbers between the lines of the axis: 1, 2, 5, 10… give 0–5 lines."""
    if top <= 2:
        return 1
    return top // 5 if top % 5 == 0 else top // 2


def rows(labels: list[str], values: list[int], *, name: str, limit: int = 40) -> RowChart:
    """Horizontal bars, each under its label (a long label needs the whole width on a phone)."""
    top = max(values, default=0) or 1
    room = WIDTH - RIGHT - 48  # the value is written after the bar
    bars, texts, numbers = [], [], []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + index * ROW
        short = label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
        texts.append(Label(x=0, y=y + 13, text=short))
        width = round(room * value / top, 2)
        bars.append(
            Bar(
                x=0,
                y=y + 19,
                width=width,
                height=14,
                value=value,
                series=0,
                late=False,
                title=f"{label} : {name} {value}",
            )
        )
        numbers.append(Label(x=round(width + 6, 2), y=y + 31, text=str(value)))
    return RowChart(
        width=WIDTH, height=TOP + len(labels) * ROW + 4, bars=bars, labels=texts, values=numbers
    )
