"""Who is calling: the one object a view resolves (see `api.auth`) and hands to services."""

import uuid

from api.extensions import db
from api.models import Member, Role

# The questions a service can ask of the caller; the response cache keys on their answers.
IDENTITY = "identity"  # who the caller is: a response that asks is about them alone


class Viewer:
    """An anonymous caller, or a logged-in member with a role.

    Services ask it what the caller may see (`has_role`, `sees_unpublished`) or who the
    caller is (`member`, `member_id`). It remembers the questions asked, so that the
    response cache shares a response with every caller who would get the same answers
    (members read the anonymous entry of a page that never asked anything) and never
    shares one that asked who the caller is (see `api.http_cache`).
    """

    def __init__(self, member_id: uuid.UUID | None = None, role: Role | None = None,
                 session_id: uuid.UUID | None = None):
        self._member_id = member_id
        self._role = role
        self._member: Member | None = None
        self.session_id = session_id
        self.asked: set[str] = set()

    @property
    def is_anonymous(self) -> bool:
        """True without a login. (Asks nothing: this is for caching headers, not content.)"""
        return self._member_id is None

    def has_role(self, role: Role) -> bool:
        """True when the caller is logged in with `role` or a higher one."""
        self.asked.add(f"role:{Role(role).value}")
        return self._has_role(role)

    @property
    def sees_unpublished(self) -> bool:
        """Editors and admins see drafts and items scheduled for later."""
        return self.has_role(Role.EDITOR)

    @property
    def member_id(self) -> uuid.UUID | None:
        self.asked.add(IDENTITY)
        return self._member_id

    @property
    def member(self) -> Member | None:
        """The caller's account (loaded on first use), or None for an anonymous caller."""
        self.asked.add(IDENTITY)
        if self._member is None and self._member_id is not None:
            self._member = db.session.get(Member, self._member_id)
        return self._member

    def answers(self, questions) -> str:
        """This caller's answers to `questions` (from `asked`), as part of a cache key."""
        return ",".join(f"{question}={int(self._answer(question))}" for question in questions)

    def _answer(self, question) -> bool:
        kind, _, value = question.partition(":")
        if kind == "role":
            return self._has_role(Role(value))
        raise ValueError(f"{question!r} has no shared answer")

    def _has_role(self, role) -> bool:
        return self._role is not None and self._role.rank >= Role(role).rank

