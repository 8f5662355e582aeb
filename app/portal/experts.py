"""The expert's pages beyond the list and the scoring form (``app.portal.reviews``), in one list for the portal's
router: declining with a declared conflict, the application's files, the final's live scoring, the mentor's log."""

from __future__ import annotations

from typing import Any

from app.portal.mentors import MENTOR_PAGES
from app.portal.review_decline import DECLINE_PAGES
from app.portal.review_files import REVIEW_FILE_PAGES
from app.portal.roadshow import ROADSHOW_PAGES

EXPERT_PAGES: list[Any] = [*DECLINE_PAGES, *REVIEW_FILE_PAGES, *ROADSHOW_PAGES, *MENTOR_PAGES]
