"""A count shown with its noun goes through ngettext, so English says "1 order", "2 orders"
(outside tourism, whose pages have their own check). A gettext call whose text puts a
placeholder before a counted noun fails here, unless its number is never one (listed)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOUNS = (
    "sản phẩm|đơn|gian|hợp tác xã|tin nhắn|lượt|khách|người|chỗ|ngày|đêm|buổi|khoản|mục|"
    "địa chỉ|lần|giờ|tháng|kiện|dòng|giao dịch|ảnh"
)
COUNTED = re.compile(r"(?<![n\w])_l?\(\s*\"([^\"]*%\(\w+\)s (?:" + NOUNS + r")\b[^\"]*)\"")
# Counts that are never one: fixed settings and limits.
NEVER_ONE = {
    "Chứng nhận hết hạn trong %(n)s ngày tới",  # EXPIRY_WARNING_DAYS, 90
    # marketplace.lots.EXPIRY_WARNING_DAYS, 14
    "Lô còn hàng hết hạn trong %(n)s ngày tới, hoặc đã hết hạn: lô quá hạn không được bán.",
    "Sổ địa chỉ đã đủ %(n)s địa chỉ; hãy xóa bớt một địa chỉ.",  # the book's limit
    "Giỏ hàng đã đủ %(n)s sản phẩm khác nhau.",  # the cart's limit
    "Tệp có hơn %(rows)s dòng. Hãy tách sao kê thành nhiều tệp.",  # the statement's limit
    "Mục tiêu: mỗi đơn vị cấp huyện có 2–3 sản phẩm; đạt khi có từ 2 sản phẩm. "
    "%(n)s / %(t)s đơn vị đạt.",  # the province's eight district-level units
    "Mỗi ô là một đơn vị cấp huyện, đặt gần đúng vị trí trên bản đồ tỉnh. Số trong ô là số sản "
    "phẩm đạt OCOP; ô có dấu ✓ đã đạt chỉ tiêu (từ %(n)s sản phẩm), ô gạch chéo chưa đạt.",  # 2
    "còn %(rest)s khách trả khi đến",  # money, not a count of guests
    "Đường dẫn dùng được trong %(minutes)s phút và chỉ một lần.",  # an hour
    "Đường dẫn đặt lại mật khẩu chỉ dùng được trong %(minutes)s phút, và đường dẫn này đã hết hạn.",
}


def sources():
    for folder, pattern in (("templates", "*.*"), ("marketplace", "*.py"), ("fairs", "*.py"),
                            ("programme", "*.py"), ("core", "*.py"), ("payments", "*.py")):  # fmt: skip
        for path in (ROOT / folder).rglob(pattern):
            if "tourism" not in path.relative_to(ROOT).parts:
                yield path


def test_counts_with_their_noun_go_through_ngettext():
    found = {
        (path.relative_to(ROOT).as_posix(), text)
        for path in sources()
        for text in COUNTED.findall(path.read_text(encoding="utf-8"))
    }
    assert [item for item in sorted(found) if item[1] not in NEVER_ONE] == []


def test_the_check_finds_a_count_without_ngettext():
    assert COUNTED.findall('{{ _("%(n)s đơn hàng", n=3) }}') == ["%(n)s đơn hàng"]
    assert COUNTED.findall('{{ ngettext("%(num)s đơn", "%(num)s đơn", 3) }}') == []
