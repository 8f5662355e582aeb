"""Kinds of resource partners and of what they offer (pure enums, apart from the tables)."""

from __future__ import annotations

from enum import StrEnum


class PartnerKind(StrEnum):
    foundation = "foundation"  # 基金会
    enterprise = "enterprise"  # 企业
    street = "street"  # 街镇
    other = "other"  # 其他


class OfferKind(StrEnum):
    funding = "funding"  # 资金支持
    venue = "venue"  # 场地
    mentoring = "mentoring"  # 导师辅导
    service_purchase = "service_purchase"  # 购买服务
    other = "other"  # 其他（见说明）


PARTNER_KIND_ZH = {
    PartnerKind.foundation: "基金会",
    PartnerKind.enterprise: "企业",
    PartnerKind.street: "街镇",
    PartnerKind.other: "其他",
}
OFFER_KIND_ZH = {
    OfferKind.funding: "资金支持",
    OfferKind.venue: "场地",
    OfferKind.mentoring: "导师辅导",
    OfferKind.service_purchase: "购买服务",
    OfferKind.other: "其他",
}
