"""The emotion curve of the HTML export: one inline SVG across every step column."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.exports.sanitize import html_text

CURVE_HEIGHT = 170
_TOP, _BOTTOM = 26, 34
EMOTION_COLOURS = {-2: "#d64545", -1: "#ee8f52", 0: "#e3b93c", 1: "#8cbf5a", 2: "#3b9a57"}


@dataclass(frozen=True)
class CurvePoint:
    """One step on the curve: its column, score, feeling and whether it is a moment of truth."""

    column: int
    score: int
    label: str
    moment: bool


def _y(score: int) -> float:
    return _TOP + (2 - score) / 4 * (CURVE_HEIGHT - _TOP - _BOTTOM)


def _clamp(y: float) -> float:
    return min(max(y, _y(2)), _y(-2))


def _smooth_path(points: list[tuple[float, float]]) -> str:
    """A Catmull-Rom spline through the points, written as cubic Bezier segments."""
    if not points:
        return ""
    d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for i in range(1, len(points)):
        p0 = points[max(i - 2, 0)]
        p1, p2 = points[i - 1], points[i]
        p3 = points[min(i + 1, len(points) - 1)]
        # Control points are clamped to the score range so the curve never overshoots +2 or -2.
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, _clamp(p1[1] + (p2[1] - p0[1]) / 6))
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, _clamp(p2[1] - (p3[1] - p1[1]) / 6))
        d += f" C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} {p2[0]:.1f},{p2[1]:.1f}"
    return d


def emotion_curve_svg(
    points: list[CurvePoint], columns: int, column_width: int, stage_starts: list[int]
) -> str:
    """Inline SVG of the curve; `stage_starts` are the columns where a new stage begins."""
    width = columns * column_width
    xy = [((p.column + 0.5) * column_width, _y(p.score)) for p in points]
    parts = [
        f'<svg class="curve" width="{width}" height="{CURVE_HEIGHT}" '
        f'viewBox="0 0 {width} {CURVE_HEIGHT}" role="img" aria-label="Emotion curve">',
        "<title>Emotion curve: how the customer feels at each step (+2 top, -2 bottom)</title>",
        f'<rect x="0" y="{_TOP - 8}" width="{width}" height="{_y(0) - _TOP + 8:.1f}" fill="#eef7ee"/>',
        f'<rect x="0" y="{_y(0):.1f}" width="{width}" height="{_y(-2) - _y(0) + 8:.1f}" fill="#fbeeee"/>',
    ]
    for score in (2, 1, -1, -2):
        parts.append(f'<line x1="0" x2="{width}" y1="{_y(score):.1f}" y2="{_y(score):.1f}" class="grid"/>')
    parts.append(f'<line x1="0" x2="{width}" y1="{_y(0):.1f}" y2="{_y(0):.1f}" class="zero"/>')
    for column in stage_starts[1:]:
        x = float(column * column_width)
        parts.append(f'<line x1="{x}" x2="{x}" y1="0" y2="{CURVE_HEIGHT}" class="stage-line"/>')
    if xy:
        parts.append(f'<path d="{_smooth_path(xy)}" class="line"/>')
    for p, (x, y) in zip(points, xy, strict=True):
        colour = EMOTION_COLOURS[p.score]
        if p.moment:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="12" class="mot-ring"/>'
                f'<text x="{x:.1f}" y="{y - 16:.1f}" class="mot-star">★</text>'
            )
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{colour}" class="dot"/>')
        caption = f"{p.score:+d}" if p.score else "0"
        if p.label:
            caption += f" {p.label}"
        parts.append(f'<text x="{x:.1f}" y="{y + 22:.1f}" class="caption">{html_text(caption, 26)}</text>')
    parts.append("</svg>")
    return "".join(parts)
