"""Routing: which agent takes an arriving contact, which contact a freed agent takes.

Queues are first-come-first-served per contact type, which is what lets abandonment be lazy: a
waiting contact needs no timer, because whoever reaches the head of a queue after the caller's
deadline (entry + patience) has passed finds that they hung up at exactly that deadline. This is
exact because routing is work-conserving: while a contact waits, no eligible agent is idle (under
``priority`` the engine sets one timer for the moment a contact becomes eligible for overflow).

Idle agents are kept per group as the times they became idle, oldest first, so "longest idle"
is the left end of a deque. Agents within a group are interchangeable, so nothing else about
them needs to be stored.
"""

from __future__ import annotations

import math
from collections import deque

WAITING, ANSWERED, ABANDONED, ENDED = 0, 1, 2, 3
"""States of a contact that reached the agent queues. ``ENDED``: left the queue otherwise
(deflected, or a call-back still owed at the close; see ``ccsim.sim.journeys``)."""


class Router:
    """Queues and idle agents shared by both policies; subclasses decide who goes where.

    ``entry``, ``deadline`` and ``state`` are the engine's per-contact lists (seconds from the
    start of the day), read here and, for ``state``, updated when an abandonment is found.
    """

    def __init__(
        self,
        group_skills: list[list[int]],
        n_types: int,
        entry: list[float],
        deadline: list[float],
        state: list[int],
    ) -> None:
        self.group_skills = group_skills
        self.type_groups: list[list[int]] = [
            [g for g, skills in enumerate(group_skills) if k in skills] for k in range(n_types)
        ]
        self.queues: list[deque[int]] = [deque() for _ in range(n_types)]
        self.idle: list[deque[float]] = [deque() for _ in group_skills]
        self._entry = entry
        self._deadline = deadline
        self._state = state

    def enqueue(self, contact: int, contact_type: int) -> None:
        """Put a contact at the back of its type's queue."""
        self.queues[contact_type].append(contact)

    def head(self, contact_type: int, now: float) -> int:
        """The first contact still waiting in a queue at ``now`` (-1 if none).

        Contacts whose patience ran out are dropped from the front and marked abandoned;
        contacts that already left otherwise (abandoned, deflected) are dropped as they are.
        """
        queue, state, deadline = self.queues[contact_type], self._state, self._deadline
        while queue:
            contact = queue[0]
            if state[contact] == WAITING:
                if deadline[contact] >= now:
                    return contact
                state[contact] = ABANDONED
            queue.popleft()
        return -1

    def remove(self, contact: int, contact_type: int, now: float) -> None:
        """Take a contact out of its queue (it is normally at the head)."""
        if self.head(contact_type, now) == contact:
            self.queues[contact_type].popleft()
        else:
            self.queues[contact_type].remove(contact)

    def waiting(self) -> list[int]:
        """Every contact still queued (used at the close to settle the remaining ones)."""
        return [c for queue in self.queues for c in queue if self._state[c] == WAITING]

    def agent_for(self, contact_type: int, waited: float) -> int:
        """The group whose agent takes a contact that has waited ``waited`` s (-1 if none)."""
        raise NotImplementedError

    def contact_for(self, group: int, now: float) -> int:
        """The contact a freed agent of ``group`` takes at ``now``, removed from its queue."""
        raise NotImplementedError

    def may_take(self, group: int, contact_type: int, waited: float) -> bool:
        """True if an agent of ``group`` (which has the skill) may take a contact of
        ``contact_type`` that has waited ``waited`` s."""
        raise NotImplementedError

    def chat_for(self, group: int, now: float, chat: list[bool]) -> int:
        """As ``contact_for``, among the types with ``chat[type]`` only: the next chat of an
        agent who already holds one (-1 if none)."""
        raise NotImplementedError


class LongestIdleRouter(Router):
    """An arriving contact goes to the longest-idle eligible agent over all groups; a freed
    agent takes the longest-waiting contact among its skills."""

    def agent_for(self, contact_type: int, waited: float) -> int:
        best, since = -1, math.inf
        idle = self.idle
        for group in self.type_groups[contact_type]:
            agents = idle[group]
            if agents and agents[0] < since:
                best, since = group, agents[0]
        if best >= 0:
            idle[best].popleft()
        return best

    def contact_for(self, group: int, now: float) -> int:
        best, best_type, earliest = -1, -1, math.inf
        entry = self._entry
        for contact_type in self.group_skills[group]:
            contact = self.head(contact_type, now)
            if contact >= 0 and entry[contact] < earliest:
                best, best_type, earliest = contact, contact_type, entry[contact]
        if best >= 0:
            self.queues[best_type].popleft()
        return best

    def may_take(self, group: int, contact_type: int, waited: float) -> bool:
        return True

    def chat_for(self, group: int, now: float, chat: list[bool]) -> int:
        best, best_type, earliest = -1, -1, math.inf
        entry = self._entry
        for contact_type in self.group_skills[group]:
            if not chat[contact_type]:
                continue
            contact = self.head(contact_type, now)
            if contact >= 0 and entry[contact] < earliest:
                best, best_type, earliest = contact, contact_type, entry[contact]
        if best >= 0:
            self.queues[best_type].popleft()
        return best


class PriorityRouter(Router):
    """Groups and skills are tried in their listed order. A group takes a contact of a skill
    that is not its first only once the contact has waited ``overflow_after_s`` seconds."""

    def __init__(self, *args: object, overflow_after_s: float, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.overflow_after_s = overflow_after_s
        self._primary = [[bool(skills) and skills[0] == k for k in range(len(self.queues))]
                         for skills in self.group_skills]  # no skills: an e-mail-only group

    def needs_overflow_timer(self, contact_type: int) -> bool:
        """True if some group may take this type only after the overflow delay."""
        return self.overflow_after_s > 0 and any(
            not self._primary[g][contact_type] for g in self.type_groups[contact_type]
        )

    def agent_for(self, contact_type: int, waited: float) -> int:
        late = waited >= self.overflow_after_s
        for group in self.type_groups[contact_type]:
            agents = self.idle[group]
            if agents and (late or self._primary[group][contact_type]):
                agents.popleft()
                return group
        return -1

    def contact_for(self, group: int, now: float) -> int:
        entry = self._entry
        for rank, contact_type in enumerate(self.group_skills[group]):
            contact = self.head(contact_type, now)
            if contact >= 0 and (rank == 0 or now - entry[contact] >= self.overflow_after_s):
                self.queues[contact_type].popleft()
                return contact
        return -1

    def may_take(self, group: int, contact_type: int, waited: float) -> bool:
        return waited >= self.overflow_after_s or self._primary[group][contact_type]

    def chat_for(self, group: int, now: float, chat: list[bool]) -> int:
        entry = self._entry
        for rank, contact_type in enumerate(self.group_skills[group]):
            if not chat[contact_type]:
                continue
            contact = self.head(contact_type, now)
            if contact >= 0 and (rank == 0 or now - entry[contact] >= self.overflow_after_s):
                self.queues[contact_type].popleft()
                return contact
        return -1
