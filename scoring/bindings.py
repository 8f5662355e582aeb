"""The scoring app's tables bound to their workflows (loaded by ``scoring/piccolo_app.py``)."""

from __future__ import annotations

from app.workflow.registry import bind
from programmes.workflows.mentorship import MENTORSHIP
from programmes.workflows.publication import OBJECTION, PUBLICATION
from programmes.workflows.review import REVIEW_ASSIGNMENT
from programmes.workflows.roadshow import ROADSHOW_SESSION
from scoring.mentors.tables import Mentorship
from scoring.roadshow.tables import RoadshowSession
from scoring.tables import Objection, Publication, ReviewAssignment

bind(ReviewAssignment, REVIEW_ASSIGNMENT)
bind(Publication, PUBLICATION)
bind(Objection, OBJECTION)
bind(Mentorship, MENTORSHIP)
bind(RoadshowSession, ROADSHOW_SESSION)
