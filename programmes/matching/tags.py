"""The shared tag vocabulary (MatchingTag): city officers curate it; demands and offers may carry only active tags.

Tags are never deleted (rows already carry their codes): an officer renames a label or deactivates a tag, which
keeps it on old rows but refuses it on new writes.
"""

from __future__ import annotations

from typing import Any

from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict, forbidden, not_found
from app.paging import Page, PageParams, fetch_page
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching.schemas_demand import TagCreate, TagRead, TagUpdate
from programmes.matching.tables import MatchingTag

COMMUNITY_ORG = "community_org"  # 社区社会组织: seeded by the migration, the 专场's tag


def _read(row: dict[str, Any]) -> TagRead:
    return TagRead(id=row["id"], code=row["code"], label_zh=row["label_zh"], active=row["active"])


def _city_only(principal: Principal) -> None:
    # One vocabulary for the whole city: a district officer curating it would change every district's lists.
    if not principal.is_city_staff:
        raise forbidden("标签库由市级项目官员维护", "tags_city_staff_only")


async def list_tags(params: PageParams, *, include_inactive: bool = False) -> Page[TagRead]:
    where = () if include_inactive else (MatchingTag.active == True,)  # noqa: E712 — a SQL condition
    query = MatchingTag.select().order_by(MatchingTag.code).order_by(MatchingTag.id)
    page = await fetch_page(MatchingTag, query, params, *where)
    return page.map([_read(row) for row in page.items])


async def create_tag(principal: Principal, data: TagCreate) -> TagRead:
    _city_only(principal)
    async with unit_of_work(Actor.of(principal)) as uow:
        if await MatchingTag.exists().where(MatchingTag.code == data.code):
            raise conflict("tag_code_taken", f"标签代码 {data.code} 已存在")
        rows = await MatchingTag.insert(MatchingTag(code=data.code, label_zh=data.label_zh, active=True)).returning(
            *MatchingTag.all_columns()
        )
        await uow.audit("matching_tag.create", "matching_tag", rows[0]["id"], after=data.model_dump())
    return _read(rows[0])


async def update_tag(principal: Principal, tag_id: int, data: TagUpdate) -> TagRead:
    _city_only(principal)
    changes: dict[Any, Any] = {}
    if data.label_zh is not None:
        changes[MatchingTag.label_zh] = data.label_zh
    if data.active is not None:
        changes[MatchingTag.active] = data.active
    async with unit_of_work(Actor.of(principal)) as uow:
        before = await MatchingTag.select().where(MatchingTag.id == tag_id).lock_rows("UPDATE").first()
        if before is None:
            raise not_found("标签")
        if changes:
            await MatchingTag.update(changes).where(MatchingTag.id == tag_id)
        after = await MatchingTag.select().where(MatchingTag.id == tag_id).first()
        assert after is not None
        await uow.audit(
            "matching_tag.update",
            "matching_tag",
            tag_id,
            before={"label_zh": before["label_zh"], "active": before["active"]},
            after={"label_zh": after["label_zh"], "active": after["active"]},
        )
    return _read(after)


async def unusable_tags(codes: list[str]) -> tuple[list[str], list[str]]:
    """(unknown, inactive) among ``codes``: one query for the whole list."""
    if not codes:
        return [], []
    rows = await MatchingTag.select(MatchingTag.code, MatchingTag.active).where(MatchingTag.code.is_in(codes))
    known = {row["code"]: row["active"] for row in rows}
    unknown = [code for code in codes if code not in known]
    inactive = [code for code in codes if known.get(code) is False]
    return unknown, inactive


def tag_errors(unknown: list[str], inactive: list[str], field: str = "tags") -> list[FieldError]:
    errors = []
    if unknown:
        errors.append(FieldError(field, "tag_unknown", f"标签不存在：{'、'.join(unknown)}"))
    if inactive:
        errors.append(FieldError(field, "tag_inactive", f"标签已停用：{'、'.join(inactive)}"))
    return errors


async def ensure_usable(codes: list[str], field: str = "tags") -> None:
    """Refuse unknown or inactive tags (422 naming the field); for offers and demands alike."""
    errors = tag_errors(*await unusable_tags(codes), field)
    if errors:
        raise DomainError(errors[0].code, errors[0].message, 422, errors)
