"""Vietnam's 34 province-level units since the 2025 reorganisation (Hậu Giang is now part of
Cần Thơ) and their 3,321 wards and communes, from the `vietnam-provinces` package; the region
each province belongs to for delivery fees.

A province is stored and shown by its short name, the library's without "Thành phố " or
"Tỉnh " ("Cần Thơ", "Hồ Chí Minh"), and sorted by it in Vietnamese order, so Hồ Chí Minh is
under H. A ward is stored by its full name ("Phường Ninh Kiều", "Xã Hỏa Lựu") and sorted by
its name without "Phường"/"Xã"/"Đặc khu". Orders stored before, with "TP Hồ Chí Minh" or a
ward typed by hand, stay as they were written (text); `canonical_province` reads the old
province names.
"""

from functools import cache

from vietnam_provinces import Province, Ward

from core.text import vietnamese_sort_key

SAME_PROVINCE = "Cần Thơ"
MEKONG_DELTA = ("Cần Thơ", "An Giang", "Cà Mau", "Đồng Tháp", "Vĩnh Long")

_PROVINCE_PREFIXES = ("Thành phố ", "Tỉnh ")
_WARD_PREFIXES = ("Phường ", "Xã ", "Đặc khu ")
# Names the site stored before it used the library.
OLD_NAMES = {"TP Hồ Chí Minh": "Hồ Chí Minh", "TP. Hồ Chí Minh": "Hồ Chí Minh"}


def _tidy(name: str) -> str:
    return " ".join(name.split())  # the library has a few double spaces ("Xã  Phú Hữu")


def _without(name: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def short_name(province: Province) -> str:
    """ "Thành phố Cần Thơ" -> "Cần Thơ": the name the site stores and shows."""
    return _without(_tidy(province.name), _PROVINCE_PREFIXES)


@cache
def _provinces() -> dict[str, Province]:
    """short name -> the library's province, in Vietnamese alphabetical order."""
    by_name = {short_name(p): p for p in Province.iter_all()}
    return {name: by_name[name] for name in sorted(by_name, key=vietnamese_sort_key)}


@cache
def _wards() -> dict[int, tuple[str, ...]]:
    """province code -> its wards' full names, sorted by the name after "Phường"/"Xã"."""
    found: dict[int, list[str]] = {}
    for ward in Ward.iter_all():
        found.setdefault(int(ward.province_code), []).append(_tidy(ward.name))
    return {
        code: tuple(sorted(names, key=lambda n: vietnamese_sort_key(_without(n, _WARD_PREFIXES))))
        for code, names in found.items()
    }


def province_names() -> tuple[str, ...]:
    """The 34 short names, in Vietnamese order."""
    return tuple(_provinces())


def canonical_province(name: str | None) -> str | None:
    """The short name of a province as stored now or before ("TP Hồ Chí Minh"); None if none."""
    name = _tidy(name or "")
    name = OLD_NAMES.get(name, name)
    return name if name in _provinces() else None


def is_province(name: str | None) -> bool:
    return bool(name) and name in _provinces()


def wards_of(province: str | None) -> tuple[str, ...]:
    """The wards and communes of a province (its short name); () for anything else."""
    found = _provinces().get(canonical_province(province) or "")
    return _wards().get(int(found.code), ()) if found else ()


def is_ward_of(ward: str | None, province: str | None) -> bool:
    return bool(ward) and _tidy(ward) in wards_of(province)


def delivery_region(province: str) -> str:
    province = canonical_province(province) or province
    if province == SAME_PROVINCE:
        return "same_province"
    if province in MEKONG_DELTA:
        return "mekong"
    return "elsewhere"
