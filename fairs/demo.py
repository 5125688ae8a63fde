"""The fairs' demo data: an upcoming fair with a few exhibitors, and a past one."""

from datetime import timedelta

from sqlalchemy import select

from core.demo import fill_english
from core.extensions import db
from fairs.booths import create_fair
from fairs.models import BoothRequest, Fair
from marketplace.models import Cooperative

# The English a visitor reads, by the fair's Vietnamese name.
FAIRS_EN = {
    "Hội chợ OCOP Hậu Giang": (
        "Hậu Giang OCOP Fair",
        "Exhibits, sales and buyer meetings for the OCOP products of all eight districts, towns "
        "and cities of the province, with workshops on packaging and product traceability.",
    ),
    "Phiên chợ nông sản OCOP Ngã Bảy": (
        "Ngã Bảy OCOP farm produce market",
        "A weekend market beside the floating market, showing the fruit and OCOP specialities "
        "of the area.",
    ),
}


def seed_fairs(today) -> None:
    """An upcoming fair with a few exhibitors, and a past one. Dates follow today, so the
    demo always has a fair ahead."""
    fairs = [
        ("Hội chợ OCOP Hậu Giang", "Quảng trường Bảy Ngàn", "Đường Trần Hưng Đạo, TP Vị Thanh",
         today + timedelta(days=40), 4, 6, "Trưng bày, bán và kết nối tiêu thụ sản phẩm OCOP của "
         "tám huyện, thị, thành phố; hội thảo về bao bì và truy xuất nguồn gốc."),
        ("Phiên chợ nông sản OCOP Ngã Bảy", "Chợ nổi Ngã Bảy", "Phường Ngã Bảy, TP Ngã Bảy",
         today - timedelta(days=120), 2, 5, "Phiên chợ cuối tuần giới thiệu trái cây và đặc sản "
         "OCOP bên chợ nổi."),
    ]  # fmt: skip
    for name, venue, address, starts, rows, cols, description in fairs:
        name_en, description_en = FAIRS_EN[name]
        seeded = db.session.scalar(select(Fair).where(Fair.name == name))
        if seeded is not None:
            fill_english(seeded, name_en=name_en, description_en=description_en)
            continue
        fair = create_fair(
            rows=rows, cols=cols, pattern="{row}{col}", zone="Nông sản và thực phẩm",
            size="3 × 3 m", price=1_500_000, name=name, venue=venue, address=address,
            starts_on=starts, ends_on=starts + timedelta(days=4),
            registration_deadline=starts - timedelta(days=10), description=description,
            name_en=name_en, description_en=description_en,
        )  # fmt: skip
        db.session.flush()
        exhibitors = ("htx-ky-nhu", "htx-khom-cau-duc-hoa-tien", "htx-chanh-khong-hat-dong-phuoc")
        for booth, slug in zip(fair.booths[:3], exhibitors, strict=True):
            cooperative = db.session.scalar(select(Cooperative).where(Cooperative.slug == slug))
            db.session.add(
                BoothRequest(
                    fair_id=fair.id,
                    booth_id=booth.id,
                    cooperative_id=cooperative.id,
                    status="approved",
                    contact_person=cooperative.name,
                    contact_phone=cooperative.phone,
                    products=cooperative.products[:3],
                )
            )
    db.session.commit()
