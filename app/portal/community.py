"""社区 (街道/居委) pages of 聚力计划, one list for the portal's router: demands and their applications and
recommendations (``community_demands``), the xlsx import (``community_import``), orders with delivery confirmation
and evaluation (``community_orders``), and replicating a case (``community_cases``)."""

from __future__ import annotations

from app.portal.community_cases import CASE_PAGES
from app.portal.community_demands import DEMAND_PAGES
from app.portal.community_import import IMPORT_PAGES
from app.portal.community_orders import ORDER_PAGES

COMMUNITY_PAGES = [*IMPORT_PAGES, *DEMAND_PAGES, *ORDER_PAGES, *CASE_PAGES]
