"""聚力计划 communities and tags: one-time invitations for community accounts (hashed code, expiring, single use,
like password reset codes), and the starting tag vocabulary officers curate from (including 社区社会组织)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T16:10:01:000001"
VERSION = "1.38.0"
DESCRIPTION = "聚力计划 community invitations and seed tags"

TAGS = [
    ("community_org", "社区社会组织"),
    ("elderly", "为老服务"),
    ("children", "儿童关爱"),
    ("disability", "助残服务"),
    ("volunteering", "志愿服务"),
    ("mental_health", "心理健康"),
    ("rural_revitalisation", "乡村振兴"),
    ("neighbourhood", "邻里互助"),
    ("culture", "文化活动"),
    ("sports", "体育健身"),
]

STATEMENTS = [
    # The table itself is created by the auto migration before this one (so Piccolo's snapshot knows it).
    "ALTER TABLE community_invitation ADD CONSTRAINT community_invitation_contact CHECK (email <> '' OR mobile <> '')",
    "CREATE INDEX community_invitation_community ON community_invitation (community)",
    "CREATE INDEX community_member_community ON community_member (community)",
    "CREATE INDEX demand_community ON demand (community, status)",
    *(
        f"INSERT INTO matching_tag (code, label_zh, active, created_at) VALUES ('{code}', '{label}', true, now())"
        " ON CONFLICT (code) DO NOTHING"
        for code, label in TAGS
    ),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="programmes", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
