"""Reading a label sheet back as a phone would: the PDF rendered to PNG (pypdfium2) and its QR
codes decoded by zbar (`zbarimg`, Debian's zbar-tools). Shared by the label tests and the
browser journey."""

import io
import shutil
import subprocess

import pytest

from marketplace import lot_labels
from tests.ci import not_available

DPI = 200


def find_zbarimg() -> str:
    """zbarimg's path; without it the test skips, except in CI, where it fails."""
    path = shutil.which("zbarimg")
    if path is None:
        message = (
            "No zbarimg found: the label sheet's QR codes are not read back. Install it with "
            "`apt-get install zbar-tools`."
        )
        not_available(message)
    return path


@pytest.fixture(scope="session")
def zbarimg():
    return find_zbarimg()


def pages_as_png(pdf: bytes) -> list:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    return [page.render(scale=DPI / 72).to_pil() for page in document]


def decode(zbarimg, image) -> list[str]:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    found = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-"],
        input=buffer.getvalue(),
        capture_output=True,
        check=False,
    )
    return found.stdout.decode().split()


def codes_per_label(zbarimg, pdf: bytes) -> list[list[str]]:
    """What each sticker's place on the sheets decodes to, sticker by sticker (one crop each:
    zbar reading two dozen codes on one page at once sometimes misses one)."""
    mm = DPI / 25.4
    found = []
    for image in pages_as_png(pdf):
        for n in range(lot_labels.PER_SHEET):
            column, row = n % lot_labels.COLUMNS, n // lot_labels.COLUMNS
            left, top = column * lot_labels.LABEL_W, lot_labels.TOP + row * lot_labels.LABEL_H
            box = (left, top, left + lot_labels.LABEL_W, top + lot_labels.LABEL_H)
            found.append(decode(zbarimg, image.crop(tuple(round(v * mm) for v in box))))
    return found
