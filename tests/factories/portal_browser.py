"""What the portal's browser tests share: the phone viewport, where screenshots go, and the check every page gets
(axe-core clean, no horizontal scroll at 375 px, an optional full-page screenshot)."""

from __future__ import annotations

from typing import Any

from tests.factories.admin_browser import axe_clean
from tests.factories.browser import ROOT

PHONE = {"width": 375, "height": 800}
SHOTS = ROOT / ".seedbed" / "test" / "portal"


async def checked(page: Any, shot: str | None = None) -> None:
    await axe_clean(page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if shot:
        await page.screenshot(path=str(SHOTS / shot), full_page=True)
