"""Call outcomes: where a call may rightly end (a person, a hand-off, voicemail, a
callback, a completed call), what leads there, and which hangups leave a caller unserved.

The third layer of :class:`~ivraudit.analysis.context.AuditContext`: a hangup's
outcome depends on the reason read from its prompts.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ivraudit.analysis.graph import DISCONNECT, ERROR_VIAS
from ivraudit.analysis.readings import PromptReadings
from ivraudit.analysis.routes import reachable
from ivraudit.model.menu import TransferNode

#: Edge kinds a call follows without the caller choosing or failing anything.
PASSIVE_VIAS = frozenset(
    {"next", "open", "closed", "holiday", "case", "else", "error", "return", "subflow", "fail"}
)

#: A menu's route for a caller who presses nothing (see ``waiting_to_human``).
_WAITING_VIAS = frozenset({"no_input"})

#: Outcome kinds: where a call may rightly end.
OUTCOME_KINDS = ("human", "voicemail", "callback", "completed", "handoff")


class CallOutcomes(PromptReadings):
    """Where calls through one menu end, and which nodes lead to an outcome or to service."""

    def outcome_kind(self, node: str) -> str | None:
        """``human``, ``handoff``, ``voicemail``, ``callback``, ``completed``, or None."""
        model = self.model(node)
        if isinstance(model, TransferNode):
            return "human" if model.human else "handoff"
        kind = self.kind(node)
        if kind in ("voicemail", "callback"):
            return kind
        if kind == "hangup" and self.hangup_reasons[node][0] == "completed":
            return "completed"
        if kind == "return" and not self.data[node]["subflow"]:
            # A flow module or subroutine checked on its own: returning hands the
            # call back to whatever flow ran it.
            return "handoff"
        return None

    @cached_property
    def outcomes(self) -> dict[str, str]:
        """Every outcome node and its kind, in graph order."""
        found: dict[str, str] = {}
        for node in self.data:
            kind = self.outcome_kind(node)
            if kind is not None:
                found[node] = kind
        return found

    @cached_property
    def humans(self) -> list[str]:
        """Human transfer nodes."""
        return [node for node, kind in self.outcomes.items() if kind == "human"]

    @cached_property
    def unknowns(self) -> list[str]:
        """Nodes where a route leaves what was read (``unknown`` nodes), in graph order.

        What lies beyond one may be a person, an outcome or a menu: rules that
        claim "no way out" or "no person" do not claim it where one is reachable.
        """
        return list(self.by_kind.get("unknown", ()))

    @cached_property
    def reaches_outcome(self) -> set[str]:
        """Nodes from which some outcome -- or what was not read, which may be one -- can
        be reached."""
        return reachable(self.into, [*self.outcomes, *self.unknowns])

    @cached_property
    def unserved_hangups(self) -> list[str]:
        """Hangups that end a call the caller chose to make, without serving it (DE003).

        Not: completed or closed hangups (DE006 judges those), hangups no caller
        reaches, and hangups every arrival at which is excused (see
        :meth:`refusing_arrival`): caller errors are DE005's, a told system failure
        is error handling, and after a person, voicemail or callback the call was served.
        """
        found = []
        for node, _ in self.nodes("hangup"):
            if self.hangup_reasons[node][0] in ("completed", "closed"):
                continue
            if self.start is not None and node not in self.reachable:
                continue  # no caller gets there (ST002 says so)
            if (
                self.start is not None
                and node not in self.before_service
                and not self._refused_after_transfer(node)
            ):
                continue  # every route to it has served the call
            if self.refusing_arrival(node) is not None or not self.arrivals(node):
                found.append(node)
        return found

    def _refused_after_transfer(self, node: str) -> bool:
        """Whether hangup ``node`` refuses the call ("we cannot take your call, please
        call back later") right after a human transfer a caller reaches fails (busy,
        no answer, a full queue): the transfer served nobody."""
        if self.hangup_reasons[node][0] != "unavailable":
            return False
        for source, data in self.arrivals(node):
            model = self.model(source)
            if (
                data["via"] == "fail"
                and isinstance(model, TransferNode)
                and model.human
                and source in self.before_service
            ):
                return True
        return False

    def refusing_arrival(self, node: str) -> list[tuple[str, str]] | None:
        """The steps of one arrival at hangup ``node`` that no excuse covers, or None.

        Excused: a caller error (DE005's), a system step that failed when the caller
        is told so (error handling), and an arrival after the call was served.
        """
        told = self.hangup_reasons[node][0] in ("error", "unavailable")
        for source, data, steps in self.arrival_routes(node):
            via = data["via"]
            # 'fail' out of a transfer is busy or a full queue, not the caller's error.
            caller_error = via in ERROR_VIAS and not (
                via == "fail" and self.kind(source) in ("transfer", "action")
            )
            if caller_error or (told and via == "error"):
                continue
            if via == "error" and self._error_handler(source):
                continue  # the flow's error handler itself failed: a last resort
            if told and via == "else" and self._defensive_default(source, steps):
                continue
            # After an outcome the call was served -- unless it is the transfer failing.
            served = (
                source in self.outcomes and via != "fail"
            ) or source not in self.before_service
            if self.start is not None and served:
                continue
            return steps
        return None

    def _error_handler(self, node: str) -> bool:
        """Whether every route a caller takes into step ``node`` (through plain messages)
        is a step failing: ``node`` is the flow's error handling (a Connect "Transfer to
        flow" into the error flow), and its own failure is a failure of the failure."""
        found = self._error_handlers.get(node)
        if found is None:
            arrivals = [
                data["via"]
                for source, data in self.arrivals(node)
                if self.start is None or source in self.reachable
            ]
            found = self._error_handlers[node] = bool(arrivals) and all(
                via == "error" for via in arrivals
            )
        return found

    @cached_property
    def _error_handlers(self) -> dict[str, bool]:
        """:meth:`_error_handler`'s answers, each worked out once."""
        return {}

    def _defensive_default(self, branch: str, steps: list[tuple[str, str]]) -> bool:
        """Whether the ``else`` of ``branch`` (the first of ``steps``) is a defensive
        default: the branch compares no answer of the caller, and its ``else`` leads to
        the very message the flow's failing steps lead to (Connect's "No match" wired
        to the error prompt of the Error branches)."""
        model = self.model(branch)
        if any(case.input is not None for case in getattr(model, "cases", ())):
            return False
        first = self.edge_target(branch, steps[0][1])
        if first is None:
            return False
        return any(
            data["via"] == "error" and (self.start is None or source in self.reachable)
            for source, _, data in self.into[first]
        )

    @cached_property
    def before_service(self) -> set[str]:
        """Nodes a caller can reach from the start without first being served (without
        passing a person, a hand-off, a voicemail, a callback or a completed call)."""
        if self.start is None:
            return set()
        outcomes = self.outcomes
        seen = {self.start}
        stack = [self.start]
        while stack:
            node = stack.pop()
            if node in outcomes:
                continue
            for target, _, _ in self.out[node]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen

    @cached_property
    def after_choice(self) -> set[str]:
        """Nodes a caller reaches only by answering something: every node reachable from
        a branch out of a menu or a question.  The rest are reached by every caller of
        the line alike, on routes decided by who calls, the number dialled or the clock."""
        chosen = [
            target for node, _ in self.nodes("menu", "ask") for target, _, _ in self.out[node]
        ]
        return reachable(self.out, chosen)

    @cached_property
    def reaches_service(self) -> set[str]:
        """Nodes from which a person, a voicemail or a callback -- or what was not read,
        which may be one -- can be reached."""
        served = [
            node
            for node, kind in self.outcomes.items()
            if kind in ("human", "voicemail", "callback")
        ]
        return reachable(self.into, [*served, *self.unknowns])

    def _passive_edge(self, source: str, data: dict[str, Any]) -> bool:
        # Walking backwards: may a call go from ``source`` along this edge without
        # choosing anything or failing anything?  A 'fail' counts only when a
        # transfer or a step fails, not when the caller fails a question.
        via = data["via"]
        if via not in PASSIVE_VIAS or data["synthetic"]:
            return False
        return via != "fail" or self.kind(source) in ("transfer", "action")

    @cached_property
    def passive_to_human(self) -> set[str]:
        """Nodes that reach a person -- or what was not read, which may be one -- with no
        further selection or caller error.

        Found backwards from the human transfers (and unknowns) over edges that are
        neither a selection nor a caller error (messages, hours checks, branches, steps).
        """
        return reachable(
            self.into,
            [*self.humans, *self.unknowns],
            allowed=self._passive_edge,
        )

    @cached_property
    def reaches_human(self) -> set[str]:
        """Nodes from which a human transfer can be reached by any route at all (choices
        and caller errors included).  Unknowns are not counted: whether a person lies
        beyond one is what nobody can tell."""
        return reachable(self.into, self.humans)

    @cached_property
    def past_menu_to_human(self) -> set[str]:
        """Nodes a caller reaches through a menu from which a person can be reached: the
        person is on the caller's line, though perhaps no longer ahead.  (A node reached
        from the start only through steps and branches -- an Asterisk context answering
        many numbers -- does not share the person of another number's menu.)"""
        menus = [
            node
            for node, _ in self.nodes("menu")
            if node in self.reaches_human and node in self.reachable
        ]
        return reachable(self.out, menus)

    @cached_property
    def waiting_to_human(self) -> set[str]:
        """Nodes from which a caller who presses nothing reaches a person -- or what was
        not read, which may be one.

        Found backwards from the human transfers (and unknowns) over the edges of
        :attr:`passive_to_human` and a menu's own ``no_input`` route (not the
        platform's default disconnect): "stay on the line for a counsellor", also
        through a retry counter and another menu (Twilio Studio).  A menu's
        ``retries_exhausted`` is not counted: it is the fallback for a caller who
        struggles, not the way the menu offers to a person.
        """
        return reachable(self.into, [*self.humans, *self.unknowns], allowed=self._waiting_edge)

    def _waiting_edge(self, source: str, data: dict[str, Any]) -> bool:
        # Walking backwards: does a caller who presses nothing go along this edge?
        if data["via"] in _WAITING_VIAS and not data["synthetic"]:
            return self.kind(source) == "menu"
        return self._passive_edge(source, data)

    def hangup_after(self, node: str | None) -> str | None:
        """The hangup without service a route entering ``node`` ends at after plain
        messages, or None (another node, or the platform's own disconnect)."""
        if node is None:
            return None
        end = self.follow_messages(node)
        return end if end != DISCONNECT and self.is_disconnect(end) else None

    def is_disconnect(self, node: str) -> bool:
        """Whether the call ends here without service (platform or non-completed hangup)."""
        if node == DISCONNECT:
            return True
        return self.kind(node) == "hangup" and self.outcome_kind(node) is None
