"""Who may see the resource rows: staff whose district covers the row (``staff``, the built-in rule). Partners and
offers recorded by city staff are the city's; a district officer sees its district's. Anything else is the uniform
404 ``<label>不存在或无权访问``."""

from __future__ import annotations

from app.access import protect
from programmes.resources.tables import ResourceIntroduction, ResourceOffer, ResourcePartner

PARTNERS = protect(ResourcePartner, "资源方")
OFFERS = protect(ResourceOffer, "资源")
INTRODUCTIONS = protect(ResourceIntroduction, "资源对接")
