"""Charts as PNG images, rendered by vl-convert from the same Altair charts the pages show.

``chart_png`` renders a chart as it is (the "Download PNG" under each chart); ``slide_png`` first
fits a single-view chart into a box (width × height in CSS pixels, legend and labels included) so
it fills its place on a slide, then renders it at ``scale`` (2 = sharp on a projector and in print).
"""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import vl_convert

PRESENTATION_SCALE: Final = 2.0
_COMPOUND: Final = ("vconcat", "concat", "repeat")
# Room that axes, legend and headers take around the plotting area, in CSS pixels at presentation size.
_AXES_WIDTH: Final = 330
_AXES_HEIGHT: Final = 130
_PANEL_GAP: Final = 24


def chart_png(chart: alt.TopLevelMixin, scale: float = PRESENTATION_SCALE) -> bytes:
    """The chart as a PNG image, ``scale`` × its size in CSS pixels, on a white background."""
    spec = chart.to_dict()
    spec.setdefault("background", "white")
    return vl_convert.vegalite_to_png(spec, scale=scale)


def fitted_spec(chart: alt.TopLevelMixin, width: int, height: int) -> dict[str, Any]:
    """The chart's Vega-Lite spec sized to ``width`` × ``height`` pixels overall.

    Single-view and layered charts are fitted exactly (``autosize: fit``). Side-by-side parts
    (``hconcat``) get the full height; a chart faceted into columns shares the width between its
    panels. Other compound charts keep their own layout; the slide then scales the image to fit.
    """
    spec = chart.to_dict()
    spec["background"] = "white"
    if any(key in spec for key in _COMPOUND):
        return spec
    if "hconcat" in spec:
        for part in spec["hconcat"]:
            part["height"] = max(100, height - _AXES_HEIGHT)
        return spec
    if "facet" in spec and "spec" in spec:
        panels = _facet_columns(spec)
        side = min((width - _AXES_WIDTH // 3) // panels - _PANEL_GAP, height - _AXES_HEIGHT)
        spec["spec"]["width"] = spec["spec"]["height"] = max(100, side)
        return spec
    spec["width"], spec["height"] = width, height
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    return spec


def slide_png(chart: alt.TopLevelMixin, width: int, height: int, scale: float = PRESENTATION_SCALE) -> bytes:
    """The chart fitted to ``width`` × ``height`` CSS pixels, rendered at ``scale``."""
    return vl_convert.vegalite_to_png(fitted_spec(chart, width, height), scale=scale)


def _facet_columns(spec: dict[str, Any]) -> int:
    """How many column panels a faceted spec draws (the distinct values of its column field)."""
    column = spec.get("facet", {}).get("column", {})
    field = column.get("field")
    rows = spec.get("datasets", {}).get(spec.get("data", {}).get("name", ""), [])
    return max(1, len({row.get(field) for row in rows})) if field else 1
