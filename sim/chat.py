"""Chat in the engine: an agent holds up to its group's ``max_chats`` chats at once.

A scenario with a contact type of ``channel: chat`` runs ``ChatDayModel`` (or
``ChatJourneyDayModel`` with journeys); without one the plain engines of ``sim.model`` and
``sim.journeys`` run untouched, so a scenario without chat gives exactly its former numbers on
the same seed. The rules (DESIGN.md, "Channels"):

* an agent with no contact in hand is idle, as before, in the router's idle deques; an idle
  agent who takes a chat becomes a *chat agent*, tracked one by one with the number of chats it
  holds, until its last chat ends and it is idle (anonymous) again;
* a chat goes to an idle agent if there is one (by the routing policy, as any contact), else to
  the eligible chat agent holding the fewest chats (then the router's group order, then the one
  that reached that number first); under ``priority`` a group takes a chat of a skill that is
  not its first only after ``overflow_after_s``, as for idle agents;
* a chat's handle time is multiplied by ``chat_slowdown[j-1]`` where j is the number of chats
  the agent holds once it starts (the group's ``handle_time_factor`` applies too);
* a voice call needs an idle agent: a chat agent takes chats only, and an agent on a call
  takes nothing else. When a chat ends the agent takes the longest-waiting chat of its skills
  (if any) until it is full; when its last chat ends it is free for anything;
* staffing changes: idle agents go home first, then chat agents with room for more (they take
  no new chats and leave once their last one ends), the rest as soon as they finish; when
  staffing rises again such agents are kept before new ones start.

Common random numbers: nothing is drawn here; every contact keeps the pre-drawn handle time,
patience and journey draws of ``sim.callers`` (the slowdown only scales its handle time).

Why lazy abandonment stays exact. Queues stay first-come-first-served per type, and routing
stays work-conserving for every kind of seat: a chat waits only while no eligible agent has
room for a chat (idle, or a chat agent below ``max_chats`` and not leaving), a call waits only
while no eligible agent is idle. Every event that frees room (a chat ends, an agent's last chat
ends, staffing rises, an agent is kept, the overflow delay passes) offers it to the queues at
once, so a caller whose deadline passed before anyone reached them could not have been
answered earlier, and whoever finds them at the head records the abandon at that deadline.

Occupancy counts an agent busy while it holds at least one chat (the spells in
``ChatRecords``), whatever the number; ``chat_load`` is chat-seconds over those spells.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ccsim.sim.callers import CallerModel, Callers
from ccsim.sim.carry import Carry, Place
from ccsim.sim.journeys import JourneyDayModel
from ccsim.sim.model import DayModel
from ccsim.sim.records import ChatRecords, Records
from ccsim.sim.scenario import Scenario
from ccsim.sim.timebase import on_tick


class ChatDayModel(DayModel):
    """The engine with chat agents who hold several chats at once."""

    def __init__(self, scenario: Scenario, callers: Callers, models: list[CallerModel],
                 seed: int, replication: int, day: int | Place = 0,
                 carry: Carry | None = None) -> None:
        super().__init__(scenario, callers, models, seed, replication, day, carry)
        self._chat = [t.channel == "chat" for t in scenario.contact_types]
        self._max_chats = [g.max_chats for g in scenario.agent_groups]
        self._slowdown = [[g.slowdown(j) for j in range(1, g.max_chats + 1)]
                          for g in scenario.agent_groups]
        # chat agents, by id: group, chats held, leaving once the last ends, spell start
        self._agent_group: list[int] = []
        self._open: list[int] = []
        self._going: list[bool] = []
        self._since: list[float] = []
        self._agent_of: dict[int, int] = {}
        # agents with room: [group][chats held] -> ids in the order they got there
        self._room: list[list[dict[int, None]]] = [
            [{} for _ in range(k)] for k in self._max_chats]
        self._leaving_agents: list[dict[int, None]] = [{} for _ in self._max_chats]
        self._next_agent = -1  # the agent the next _answer of a chat goes to (-1: a new one)
        self._filling = False
        self._spells: tuple[list[int], list[float], list[float]] = ([], [], [])

    # --- seats ---

    def _seat(self, contact_type: int, waited: float) -> int:
        if not self._chat[contact_type]:
            return -1
        router = self.router
        groups = router.type_groups[contact_type]
        for held in range(1, max(self._max_chats[g] for g in groups)):
            for group in groups:
                if held < self._max_chats[group]:
                    room = self._room[group][held]
                    if room and router.may_take(group, contact_type, waited):
                        agent = next(iter(room))
                        del room[agent]
                        self._next_agent = agent
                        return group
        return -1

    def _answer(self, contact: int, group: int) -> None:
        if not self._chat[self.ctype[contact]]:
            super()._answer(contact, group)
            return
        agent = self._next_agent
        self._next_agent = -1
        if agent < 0:  # an idle agent starts a spell of chats
            agent = len(self._open)
            self._agent_group.append(group)
            self._open.append(0)
            self._going.append(False)
            self._since.append(self.env.now)
        self._open[agent] += 1
        self._agent_of[contact] = agent
        slow = self._slowdown[group][self._open[agent] - 1]
        if slow != 1.0:
            self.handle[contact] = on_tick(self.handle[contact] * slow)
        super()._answer(contact, group)
        if not self._filling:
            self._fill(agent)

    def _fill(self, agent: int) -> None:
        """A chat agent with room takes waiting chats until full, then waits for more."""
        group = self._agent_group[agent]
        full = self._max_chats[group]
        self._filling = True
        while self._open[agent] < full:
            contact = self.router.chat_for(group, self.env.now, self._chat)
            if contact < 0:
                break
            self._next_agent = agent
            self._answer(contact, group)
        self._filling = False
        if 0 < self._open[agent] < full:
            self._room[group][self._open[agent]][agent] = None

    # --- the end of a chat ---

    def _release(self, contact: int) -> None:
        agent = self._agent_of.pop(contact, -1)
        if agent < 0:  # a call
            super()._release(contact)
            return
        group = self._agent_group[agent]
        held = self._open[agent]
        if held < self._max_chats[group]:
            self._room[group][held].pop(agent, None)
        held -= 1
        self._open[agent] = held
        if held == 0:
            groups, starts, ends = self._spells
            groups.append(group)
            starts.append(self._since[agent])
            ends.append(self.env.now)
            if self._going[agent]:
                self._going[agent] = False
                del self._leaving_agents[group][agent]
            else:
                self._agent_free(group)
        elif not self._going[agent]:
            if self.leaving[group]:
                self.leaving[group] -= 1
                self._going[agent] = True
                self._leaving_agents[group][agent] = None
            else:
                self._fill(agent)

    # --- staffing changes ---

    def _send_home(self, group: int, wanted: int) -> int:
        sent = 0
        for room in self._room[group]:
            while room and sent < wanted:
                agent = next(iter(room))
                del room[agent]
                self._going[agent] = True
                self._leaving_agents[group][agent] = None
                sent += 1
        return sent

    def _recall(self, group: int, wanted: int) -> int:
        going = self._leaving_agents[group]
        kept = 0
        while going and kept < wanted:
            agent = next(iter(going))
            del going[agent]
            self._going[agent] = False
            self._fill(agent)
            kept += 1
        return kept

    def _records(self) -> Records:
        groups, starts, ends = self._spells
        return replace(super()._records(), chat=ChatRecords(
            group=np.asarray(groups, dtype=np.int16),
            start=np.asarray(starts, dtype=float),
            end=np.asarray(ends, dtype=float),
        ))


class ChatJourneyDayModel(ChatDayModel, JourneyDayModel):
    """Chat agents and journeys (transfers, repeats, call-backs, deflection) together."""
