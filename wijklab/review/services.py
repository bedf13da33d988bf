"""The one-click review link: which state a link is in, and the few things it can do by itself
(retire itself for a fresh link, or pass the review on to the wijkdocent). Approving, returning,
signing off and feedback go through the tasks' and goals' own services, under their rules."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, lazyload, selectinload

from wijklab.accounts.models import Role
from wijklab.accounts.tokens import OneTimeToken, Purpose, find_token, issue_token, use_token
from wijklab.activity.models import Delivery
from wijklab.activity.services import notify, record, register_actions, register_kind
from wijklab.extensions import db
from wijklab.goals.models import GoalEvidence, GoalStatus, LearningGoal
from wijklab.projects.models import Project
from wijklab.tasks.models import Task, TaskParticipation, TaskStatus
from wijklab.teams.models import Team

# object type in the token → the model it names
OBJECT_TYPES = {"Task": Task, "LearningGoal": LearningGoal}
# What the review page shows of each, loaded with it: a fixed number of queries however much
# evidence and feedback a goal has.
_PAGE_LOADS = {
    Task: [joinedload(Task.team).joinedload(Team.project).joinedload(Project.owner)],
    LearningGoal: [
        joinedload(LearningGoal.team).joinedload(Team.project).joinedload(Project.owner),
        lazyload(LearningGoal.framework_items),
        selectinload(LearningGoal.evidence)
        .joinedload(GoalEvidence.participation)
        .joinedload(TaskParticipation.task),
        selectinload(LearningGoal.feedback),
    ],
}


class LinkState(enum.StrEnum):
    """Where a review link stands, in the order the checks run."""

    UNKNOWN = "unknown"  # no such token, malformed, tampered, or its object is gone
    USED = "used"  # already used (or retired for a fresh link)
    EXPIRED = "expired"
    FORBIDDEN = "forbidden"  # its user is no longer the team's supervisor, or is deactivated
    DONE = "done"  # the task or goal no longer waits for a review
    CHANGED = "changed"  # the object changed since the link was made
    OPEN = "open"


@dataclass
class Review:
    """A review link looked up: the token, the task or goal it names, and its state."""

    state: LinkState
    token: OneTimeToken | None = None
    obj: Task | LearningGoal | None = None

    @property
    def is_task(self) -> bool:
        return isinstance(self.obj, Task)

    @property
    def supervisor(self):
        return self.token.user if self.token is not None else None


def is_waiting(obj: Task | LearningGoal) -> bool:
    """A task waits while pending; a goal while its review is requested."""
    if isinstance(obj, Task):
        return obj.status == TaskStatus.PENDING
    return obj.status == GoalStatus.REVIEW_REQUESTED


def look_up(raw: str | None) -> Review:
    """The review link's token, object and state; reads only, changes nothing."""
    token = find_token(raw, Purpose.REVIEW)
    model = OBJECT_TYPES.get(token.object_type) if token is not None else None
    if token is None or model is None or token.object_id is None:
        return Review(LinkState.UNKNOWN)
    obj = db.session.get(model, token.object_id, options=_PAGE_LOADS[model], populate_existing=True)
    if obj is None:
        return Review(LinkState.UNKNOWN)
    if token.used_at is not None:
        return Review(LinkState.USED, token, obj)
    if token.is_expired:
        return Review(LinkState.EXPIRED, token, obj)
    user = token.user
    if user is None or not user.is_active or obj.team.supervisor_id != user.id:
        return Review(LinkState.FORBIDDEN, token, obj)
    if not is_waiting(obj):
        return Review(LinkState.DONE, token, obj)
    if token.version != obj.version:
        return Review(LinkState.CHANGED, token, obj)
    return Review(LinkState.OPEN, token, obj)


def refresh(review: Review) -> str | None:
    """Retire a link whose object changed and issue a fresh one for the current version; None
    when another request used the old link first."""
    if not use_token(review.token):
        return None
    raw = issue_token(
        review.token.user_id,
        Purpose.REVIEW,
        object_type=review.token.object_type,
        object_id=review.obj.id,
        version=review.obj.version,
    )
    record(review.supervisor, "review.refreshed", review.obj, token=review.token.id)
    db.session.flush()
    return raw


def continue_link(review: Review) -> str:
    """After feedback the supervisor may still sign off or return the goal: the used link's
    successor, for the goal as it is now."""
    db.session.flush()
    return issue_token(
        review.token.user_id,
        Purpose.REVIEW,
        object_type=review.token.object_type,
        object_id=review.obj.id,
        version=review.obj.version,
    )


def redirect_to_wijkdocent(review: Review, *, link: str) -> bool:
    """ "I am not the right person": the link is used up, and the project's wijkdocent hears of
    it with a link to the task or goal in the app; False when the link was used first."""
    if not use_token(review.token):
        return False
    obj = review.obj
    notify(
        obj.team.project.owner_id,
        "review_redirected",
        link,
        by=review.supervisor.name,
        title=obj.title,
        team=obj.team.label,
    )
    record(review.supervisor, "review.redirected", obj)
    db.session.flush()
    return True


register_kind(
    "review_redirected",
    _l(
        "%(by)s is niet de juiste persoon om ‘%(title)s’ (%(team)s) te beoordelen. "
        "Wil jij dit oppakken?"
    ),
    label=_l("Een werkbegeleider stuurt een beoordeling naar jou door"),
    roles={Role.WIJKDOCENT},
    defaults={Role.WIJKDOCENT: Delivery.IMMEDIATE},
)
register_actions(
    {
        "review.redirected": _l("Beoordeling doorgestuurd naar de wijkdocent"),
        "review.refreshed": _l("Nieuwe beoordelingslink gemaakt"),
    }
)
