"""Drawing primitives for the deck: titles, text boxes, tables and pictures on a 16:9 slide.

Everything is real PowerPoint content: text stays editable text, tables are native tables, charts
are pictures with their alt text. Sizes are in inches on a 13.333 × 7.5 in slide.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from PIL import Image
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from alignment.export.safety import xml_text

DEFAULT_BRAND: Final = "#0072B2"
SLIDE_WIDTH: Final = 13.333
SLIDE_HEIGHT: Final = 7.5
MARGIN: Final = 0.6
FONT: Final = "Arial"
INK: Final = RGBColor(0x1B, 0x1F, 0x24)
MUTED: Final = RGBColor(0x5B, 0x63, 0x6E)
RULE: Final = RGBColor(0xD5, 0xDA, 0xE1)
ZEBRA: Final = RGBColor(0xF3, 0xF5, 0xF8)
WHITE: Final = RGBColor(0xFF, 0xFF, 0xFF)
CSS_PX_PER_INCH: Final = 96


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in inches."""

    left: float
    top: float
    width: float
    height: float

    def pixels(self) -> tuple[int, int]:
        """The box in CSS pixels: the size a chart is drawn at before it is scaled up."""
        return int(self.width * CSS_PX_PER_INCH), int(self.height * CSS_PX_PER_INCH)


BODY: Final = Box(MARGIN, 1.55, SLIDE_WIDTH - 2 * MARGIN, 5.3)


def brand_colour(value: str | None) -> str:
    """``value`` as ``#RRGGBB`` when it is a hex colour (``#abc`` or ``#aabbcc``), else the default."""
    text = (value or "").strip()
    if re.fullmatch(r"#?[0-9a-fA-F]{6}", text):
        return "#" + text.lstrip("#").upper()
    if re.fullmatch(r"#?[0-9a-fA-F]{3}", text):
        return "#" + "".join(c * 2 for c in text.lstrip("#")).upper()
    return DEFAULT_BRAND


def rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#"))


def rectangle(slide: Slide, box: Box, colour: RGBColor) -> None:
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(box.left), Inches(box.top), Inches(box.width),
                                   Inches(box.height))
    shape.fill.solid()
    shape.fill.fore_color.rgb = colour
    shape.line.fill.background()
    shape.shadow.inherit = False


def text(
    slide: Slide,
    box: Box,
    paragraphs: str | Sequence[str],
    size: float = 18,
    *,
    bold: bool = False,
    colour: RGBColor = INK,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
    bullets: bool = False,
    space_after: float = 6,
    name: str = "",
) -> None:
    """A text box; each string is a paragraph (``bullets`` puts "•" in front); ``name`` names the shape."""
    shape = slide.shapes.add_textbox(Inches(box.left), Inches(box.top), Inches(box.width), Inches(box.height))
    if name:
        shape.name = name
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    frame.margin_top = frame.margin_bottom = Inches(0.03)
    for position, line in enumerate([paragraphs] if isinstance(paragraphs, str) else paragraphs):
        paragraph = frame.paragraphs[0] if position == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_after = Pt(space_after)
        run = paragraph.add_run()
        run.text = ("•  " if bullets else "") + xml_text(line)
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
        run.font.color.rgb = colour


def heading(slide: Slide, title: str, brand: str, kicker: str = "") -> None:
    """The brand bar across the top, a small kicker line above the slide title."""
    rectangle(slide, Box(0, 0, SLIDE_WIDTH, 0.14), rgb(brand))
    if kicker:
        text(slide, Box(MARGIN, 0.38, SLIDE_WIDTH - 2 * MARGIN, 0.35), kicker.upper(), 12, bold=True,
             colour=rgb(brand))
    text(slide, Box(MARGIN, 0.68, SLIDE_WIDTH - 2 * MARGIN, 0.8), title, 30, bold=True, name="Title")


def footer(slide: Slide, left_text: str, number: int) -> None:
    text(slide, Box(MARGIN, SLIDE_HEIGHT - 0.5, 10.5, 0.35), left_text, 10, colour=MUTED)
    text(slide, Box(SLIDE_WIDTH - MARGIN - 1.0, SLIDE_HEIGHT - 0.5, 1.0, 0.35), str(number), 10, colour=MUTED,
         align=PP_ALIGN.RIGHT)


def picture(slide: Slide, png: bytes, box: Box, description: str = "") -> None:
    """The image as large as fits in ``box`` without distortion, centred, with its alt text."""
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    fit = min(box.width / width, box.height / height)
    shown_w, shown_h = width * fit, height * fit
    left = box.left + (box.width - shown_w) / 2
    top = box.top + (box.height - shown_h) / 2
    shape = slide.shapes.add_picture(io.BytesIO(png), Inches(left), Inches(top), Emu(int(Inches(shown_w))),
                                     Emu(int(Inches(shown_h))))
    if description:
        shape._element.nvPicPr.cNvPr.set("descr", xml_text(description)[:1000])


def table(
    slide: Slide,
    box: Box,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    brand: str,
    size: float = 14,
    align_right: Sequence[int] = (),
    fills: Mapping[tuple[int, int], RGBColor] | None = None,
) -> None:
    """A native table: brand-coloured header, light zebra rows, ``widths`` as fractions of the box.

    ``fills`` colours single body cells: (row, column) counted from 0 over ``rows``."""
    row_height = min(0.55, box.height / max(1, len(rows) + 1))
    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(box.left), Inches(box.top),
                                   Inches(box.width), Inches(row_height * (len(rows) + 1)))
    grid = shape.table
    style = shape._element.graphic.graphicData.tbl
    style_id = style.tblPr.find(qn("a:tableStyleId"))
    if style_id is not None:
        style_id.text = "{5940675A-B579-460E-94D1-54222C63F5DA}"  # "No Style, Table Grid": our own fills show
    for column, fraction in enumerate(widths):
        grid.columns[column].width = Inches(box.width * fraction)
    for row_no, values in enumerate([list(header), *[list(r) for r in rows]]):
        grid.rows[row_no].height = Inches(row_height)
        for column, value in enumerate(values):
            cell = grid.cell(row_no, column)
            cell.fill.solid()
            zebra = ZEBRA if row_no % 2 == 0 else WHITE
            cell.fill.fore_color.rgb = rgb(brand) if row_no == 0 else (fills or {}).get((row_no - 1, column), zebra)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.margin_left = cell.margin_right = Inches(0.08)
            frame = cell.text_frame
            frame.word_wrap = True
            paragraph = frame.paragraphs[0]
            paragraph.alignment = PP_ALIGN.RIGHT if column in align_right else PP_ALIGN.LEFT
            run = paragraph.add_run()
            run.text = xml_text(str(value))
            run.font.size, run.font.name, run.font.bold = Pt(size), FONT, row_no == 0
            run.font.color.rgb = WHITE if row_no == 0 else INK
