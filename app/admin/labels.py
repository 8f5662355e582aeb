"""Chinese names for the admin's tables and columns (issue 16): one place every admin view reads them from.

``table_label`` names a menu table (「申报」 for ``application``); ``column_label`` names one of its columns
(「提交时间」 for ``submitted_at``). Piccolo Admin's own views, the xlsx exports of its lists and the custom pages all
read these two functions, so a name is chosen once. A column missing from both dictionaries falls back to its
field name — a test lists every menu column and fails on any fallback.
"""

from __future__ import annotations

# Per table (``_meta.tablename``): its name in the menu and on its pages.
TABLE_LABELS: dict[str, str] = {}

# Column names shared by many tables (``created_at`` is 创建时间 everywhere) …
COMMON_COLUMN_LABELS: dict[str, str] = {}

# … and per table where a column means something of its own (``(tablename, column)``).
COLUMN_LABELS: dict[tuple[str, str], str] = {}


def table_label(tablename: str) -> str:
    return TABLE_LABELS.get(tablename, tablename)


def column_label(tablename: str, column: str) -> str:
    return COLUMN_LABELS.get((tablename, column)) or COMMON_COLUMN_LABELS.get(column) or column
