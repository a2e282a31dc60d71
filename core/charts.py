"""Charts drawn on the server as SVG: no script, no web fonts, the same in a page and a PDF.

Every chart is an image with a title and a description that says every value, and the page
shows a data table beside it, so nothing is known only from the picture."""

import hashlib

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colours chosen for contrast on white: text #212529 is 15.4:1, the bars #1f4e8c 8.3:1 (bars
# need 3:1 as graphics; the value is also written beside each bar as text).
TEXT_COLOUR = "#212529"
BAR_COLOUR = "#1f4e8c"
TRACK_COLOUR = "#6c757d"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

WIDTH = 480
LABEL_WIDTH = 150
VALUE_WIDTH = 56
ROW_HEIGHT = 28
BAR_HEIGHT = 18
TOP = 8
LABEL_CHARACTERS = 22  # longer labels are shortened in the picture; the table has them whole


def _number(value: float) -> str:
    """A value as people write it: whole numbers without a point, others to one decimal."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def bar_chart_svg(
    *,
    title: str,
    labels: list[str],
    values: list[int | float],
    max_value: int | float | None = None,
    chart_id: str | None = None,
) -> SafeString:
    """A horizontal bar chart, one labelled bar per value, as inline SVG markup.

    Every label and the title are escaped here, so the result is safe to put in a page as it
    is. `chart_id` makes the ids of the title and description unique on a page; by default it
    comes from what the chart shows."""
    if len(labels) != len(values):
        raise ValueError("A bar chart needs one label per value.")
    top = max([*values, max_value or 0]) or 1
    if chart_id is None:
        digest = hashlib.sha256(repr((title, labels, values)).encode()).hexdigest()[:10]
        chart_id = f"chart-{digest}"
    chart_id = escape(chart_id)
    height = TOP * 2 + ROW_HEIGHT * max(len(labels), 1)
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    summary = "; ".join(
        f"{label}: {_number(value)}" for label, value in zip(labels, values, strict=True)
    )
    description = f"Bar chart. {summary}." if labels else "Bar chart with no values yet."

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{escape(FONT)}" font-size="14">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for row, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + row * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2
        length = round(track * max(value, 0) / top, 1)
        parts += [
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{TEXT_COLOUR}">{escape(_short(str(label)))}</text>',
            f'<line x1="{LABEL_WIDTH}" y1="{y + 2}" x2="{LABEL_WIDTH}" '
            f'y2="{y + ROW_HEIGHT - 2}" stroke="{TRACK_COLOUR}" stroke-width="1"/>',
            f'<rect x="{LABEL_WIDTH}" y="{middle - BAR_HEIGHT / 2}" width="{length}" '
            f'height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>',
            f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" dominant-baseline="middle" '
            f'fill="{TEXT_COLOUR}">{escape(_number(value))}</text>',
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
