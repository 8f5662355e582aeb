"""聚力计划: communities' demand lists (需求清单), organisations' service offers, matching sessions
(交流对接活动), orders (接单 → delivery → evaluation) and the case library (可复制、可推广的优秀项目案例)."""
