"""The organisation's account after applying: attachments, notifications (every role), feedback after the 公示,
agreements and bank accounts — one list for app.portal.routes."""

from __future__ import annotations

from app.portal.after_award import AFTER_AWARD_PAGES
from app.portal.attachments import ATTACHMENT_PAGES
from app.portal.feedback import FEEDBACK_PAGES
from app.portal.notifications import NOTIFICATION_PAGES

AFTER_APPLYING_PAGES = [*ATTACHMENT_PAGES, *FEEDBACK_PAGES, *NOTIFICATION_PAGES, *AFTER_AWARD_PAGES]
