"""A lot's label sheet: A4, 3 × 8 stickers of 70 × 37 mm (the common Tomy / Avery 3475-like
sheets), each with the product, the cooperative, the lot, its dates, the OCOP stars and the
QR of the lot's trace page (marketplace.trace.lot_uri).

The labels are in Vietnamese whatever the screen's language: goods sold in Vietnam are
labelled in Vietnamese (Decree 43/2017/NĐ-CP). The font is DejaVu Sans, bundled in
static/fonts (a Unicode TrueType font: every Vietnamese diacritic, and ★), so a machine
without fonts-dejavu-core prints the same sheet. The QR is drawn as vector rectangles from
segno's matrix (error correction M, a quiet zone of four modules), 24 mm wide.
"""

from datetime import date
from pathlib import Path

import segno
from babel.dates import format_date
from fpdf import FPDF

from core.bounds import number_arg
from core.formatting import DATE_FORMATS

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
COLUMNS, ROWS = 3, 8
PER_SHEET = COLUMNS * ROWS
MAX_LABELS = 10 * PER_SHEET  # ten sheets: more than any lot's printing at once
LABEL_W, LABEL_H = 70.0, 37.0
PAGE_W, PAGE_H = 210.0, 297.0
TOP = (PAGE_H - ROWS * LABEL_H) / 2
# Inside each sticker: cutting is never exact, and printers leave 4 mm or so at the page's
# edges, which the outer stickers touch.
PADDING = 4.5
QR_SIZE = 26.0  # the whole code with its quiet zone; the symbol itself is 20 mm or more
QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks
TEXT_W = LABEL_W - QR_SIZE - 2 * PADDING


def label_count(asked: str | None) -> int:
    """How many labels a ?count= asks for, within 1 … MAX_LABELS; one sheet when it says
    nothing readable."""
    return number_arg(asked, 1, MAX_LABELS) or PER_SHEET


def _vi_date(value: date | None) -> str:
    return format_date(value, DATE_FORMATS["vi"]["date"], locale="vi") if value else "—"


def _qr(data: str):
    return segno.make(data, error="m", micro=False, boost_error=False)


def symbol_mm(data: str) -> float:
    """The width of the printed QR symbol of data, without its quiet zone."""
    modules = _qr(data).symbol_size(border=0)[0]
    return QR_SIZE * modules / (modules + 2 * QUIET_ZONE)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """text, shortened with "…" until it fits the width in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _draw_qr(pdf: FPDF, data: str, x: float, y: float) -> None:
    rows = list(_qr(data).matrix_iter(border=QUIET_ZONE))
    module = QR_SIZE / len(rows)
    for j, row in enumerate(rows):
        i = 0
        while i < len(row):
            if not row[i]:
                i += 1
                continue
            start = i
            while i < len(row) and row[i]:
                i += 1
            # One rectangle per run of dark modules: a smaller file than one per module.
            pdf.rect(x + start * module, y + j * module, (i - start) * module, module, style="F")


def _draw_label(pdf: FPDF, facts: dict, x: float, y: float) -> None:
    _draw_qr(pdf, facts["uri"], x + LABEL_W - QR_SIZE - PADDING, y + (LABEL_H - QR_SIZE) / 2)
    width = TEXT_W
    pdf.set_xy(x + PADDING, y + PADDING)
    pdf.set_font("DejaVu", "B", 8)
    # Two lines at most for the name, so that a long one never pushes the dates off the label.
    lines = pdf.multi_cell(width, 3.6, facts["product"], dry_run=True, output="LINES")
    if len(lines) > 2:
        lines = [lines[0], _fit(pdf, lines[1] + " " + lines[2], width)]
    for line in lines:
        pdf.cell(width, 3.6, line, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(x + PADDING, pdf.get_y() + 0.4)
    pdf.set_font("DejaVu", "", 6)
    pdf.cell(width, 2.8, _fit(pdf, facts["cooperative"], width), new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    for line in (f"Lô: {facts['lot']}", f"NSX: {facts['packed']}", f"HSD: {facts['expires']}"):
        pdf.cell(width, 3.4, _fit(pdf, line, width), new_x="LEFT", new_y="NEXT")
    if facts["stars"]:
        pdf.set_font("DejaVu", "B", 8)
        pdf.set_text_color(176, 120, 0)
        pdf.cell(width, 4, "★" * facts["stars"] + " OCOP", new_x="LEFT", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)


def label_sheet(lot, uri: str, count: int, stars: int) -> bytes:
    """The PDF of `count` labels of the lot, whose QR carries `uri`; `stars`: the OCOP stars
    that count today (0: none shown)."""
    product = lot.product
    facts = {
        "uri": uri,
        "product": product.name,
        "cooperative": product.cooperative.name,
        "lot": lot.code,
        "packed": _vi_date(lot.packed_on),
        "expires": _vi_date(lot.expires_on),
        "stars": stars,
    }
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Nhãn lô {lot.code} – {product.name}")
    pdf.set_creator("OCOP Hậu Giang")
    for n in range(count):
        if n % PER_SHEET == 0:
            pdf.add_page()
        column, row = n % COLUMNS, (n % PER_SHEET) // COLUMNS
        _draw_label(pdf, facts, column * LABEL_W, TOP + row * LABEL_H)
    return bytes(pdf.output())
