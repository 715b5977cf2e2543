"""How a date reads on the site: the way Chinese official texts write it."""

from __future__ import annotations

import datetime as dt


def cn_date(value: dt.date | None) -> str:
    """2024年3月2日."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
