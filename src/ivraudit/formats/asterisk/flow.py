"""Asterisk priorities -> ivraudit nodes.

A call runs priority after priority.  Most priorities (Set, NoOp, Answer) change
nothing a caller notices; they are folded into the next step that does, and a
plain ``Goto`` becomes an edge.  Prompts are merged into what follows them (a
menu, a question, a transfer, a hang-up), so each node is something a caller
experiences.  Node ids read like the dialplan, ``context,extension,priority``
(the priority's label when it has one), and every node points at its line.

:class:`Flow` runs the building: :mod:`.targets` finds where jumps land,
:mod:`.walker` steps through priorities, and :mod:`.talk` and :mod:`.jumps` make
the node each kind of application becomes.  Nothing here recurses on the input:
chains of steps are followed in loops, and the only recursion is over the small
fixed-depth target structures.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from ivraudit.formats.asterisk.jumps import Jumps
from ivraudit.formats.asterisk.nodes import Pool, branch, branch_node, collapse, in_macro
from ivraudit.formats.asterisk.parse import Dialplan
from ivraudit.formats.asterisk.talk import Talk
from ivraudit.formats.asterisk.targets import (
    Ends,
    Loc,
    Missing,
    Target,
    Targets,
    Timed,
    Unknown,
)
from ivraudit.formats.asterisk.walker import Walker
from ivraudit.model.errors import Position

#: Applications with which an agent logs in to take queue calls.
_AGENT_APPS = frozenset(["agentlogin", "agentcallbacklogin"])


class Flow:
    """Turns a parsed dialplan into node pools, on demand from the places calls enter."""

    def __init__(self, plan: Dialplan) -> None:
        self.plan = plan
        self.targets = Targets(plan)
        self.walker = Walker(self.targets)
        self.talk = Talk(self)
        self.jumps = Jumps(self)
        self.pools = {"main": Pool("main"), "macro": Pool("macro")}
        self.queue: deque[Callable[[], None]] = deque()

    # -- running the queue ---------------------------------------------------------------

    def run(self) -> None:
        """Build every node that has been asked for, and those they lead to."""
        while self.queue:
            self.queue.popleft()()
        for pool in self.pools.values():
            collapse(pool)

    def resolve(self, pool: Pool, node_id: str) -> str:
        """A node id, after nodes that only pass the call on have been removed."""
        return pool.renamed.get(node_id, node_id)

    # -- entering places -----------------------------------------------------------------

    def enter(self, pool: Pool, loc: Loc) -> str:
        """The id of the node a call is at when it arrives at ``loc``."""
        previous = self.jumps.use(pool, loc)  # a subroutine's constant arguments, per call site
        try:
            return self._enter(pool, loc)
        finally:
            self.jumps.restore(previous)

    def _enter(self, pool: Pool, loc: Loc) -> str:
        path: list[tuple[str, int]] = []
        seen: set[tuple[str, int]] = set()
        current = loc
        while True:
            key = (current.chan, id(current.step))
            known = pool.memo.get(key)
            if known is not None:
                result = known
                break
            if key in seen:
                result = self._loop(pool, current)
                break
            seen.add(key)
            path.append(key)
            agent = self._agent_side(pool, current)
            if agent is not None:
                result = agent
                break
            follow = self.walker.fold(current)
            if follow is None:
                result = self._allocate(pool, current)
                break
            if not isinstance(follow, Loc):
                result = self.falloff(pool, current)
                break
            current = follow
        for key in path:
            pool.memo[key] = result
        return pool.renamed.get(result, result)

    def _agent_side(self, pool: Pool, loc: Loc) -> str | None:
        """An extension that runs AgentLogin/AgentCallbackLogin is the agents' side (the
        one dialling it is an agent logging in to take calls), and the ``fax`` extension
        takes fax machines: not a caller's line, even when a Goto leads there; the route
        leaves what ivraudit audits."""
        extension = loc.step.exten
        name = extension.name.partition("/")[0]
        if name == "fax":
            # Asterisk's special extension 'fax': where a channel that detects a fax tone
            # sends the call (a fax machine), not a caller's line.
            kind, what = "fax", "takes the calls fax detection sends there (a fax machine)"
        elif any(step.app.strip().lower() in _AGENT_APPS for step in extension.steps.values()):
            kind, what = "agent", "logs agents in (AgentLogin): the agents' side"
        else:
            return None
        place = f"{loc.step.context},{name},1"
        helper, new = pool.claim((kind, loc.chan, id(extension)), f"{place}:{kind}")
        if new:
            note = f"extension {name} of context {loc.step.context} {what}, not a caller's line"
            node = {"type": "unknown", "reason": "unsupported", "target": place, "note": note}
            pool.add(helper, node, extension.where)
        return helper

    def after(self, pool: Pool, loc: Loc) -> str:
        """The node reached when ``loc`` is done and the call goes to the next priority."""
        follow = self.walker.successor(loc)
        if isinstance(follow, Loc):
            return self.enter(pool, follow)
        return self.falloff(pool, loc)

    def _allocate(self, pool: Pool, loc: Loc) -> str:
        wanted = self.walker.step_id(loc)
        if wanted in pool.taken and loc.chan != loc.step.context:
            # Two included contexts give this context the same extension (a timed include
            # and its fallback): name the second after the context it is written in.
            wanted = self.walker.step_id(Loc(loc.step.context, loc.step))
        node_id, new = pool.claim(("step", loc.chan, id(loc.step)), wanted)
        if new:
            self.queue.append(lambda: self._build(pool, loc, node_id))
        return node_id

    def _loop(self, pool: Pool, loc: Loc) -> str:
        node_id, new = pool.claim(("step", loc.chan, id(loc.step)), self.walker.step_id(loc))
        if new:
            note = (
                f"{loc.step.app}({loc.step.data}): these priorities jump in a circle without "
                "waiting for the caller, so the call never leaves them"
            )
            pool.add(node_id, {"type": "action", "note": note, "next": node_id}, loc.step.where)
        return node_id

    def falloff(self, pool: Pool, loc: Loc) -> str:
        """The node for running off the end of an extension."""
        extension = loc.step.exten
        wanted = f"{loc.chan},{extension.name},<end>"
        node_id, new = pool.claim(("end", loc.chan, id(extension)), wanted)
        if not new:
            return node_id
        number = loc.step.number + 1
        if pool.mode == "macro" and in_macro(loc.chan):
            node: dict[str, Any] = {
                "type": "return",
                "note": "the macro runs out of priorities here and returns to its caller",
            }
        elif self.plan.falls_through(loc.step.where.file):
            node = {
                "type": "hangup",
                "note": f"extension {extension.name} has no priority {number}: Asterisk "
                "hangs up here (autofallthrough)",
            }
        elif self._after_prompt(loc):
            # A prompt then the wait: the caller was just told what to dial, a menu.
            node = self.talk.menu(pool, node_id, loc, loc.chan, [], [], None, None)
            node["note"] = (
                f"extension {extension.name} has no priority {number}; with autofallthrough=no "
                "Asterisk waits for the caller to dial an extension of this context"
            )
            node["no_input"] = self.handler_link(
                pool, loc.chan, ("t", "e"), node_id, "timeout", loc.step.where
            )
        else:
            node = self._wait_for_extension(pool, node_id, loc)
        pool.add(node_id, node, loc.step.where)
        return node_id

    def _after_prompt(self, loc: Loc) -> bool:
        """Whether the last priority that does something before the end plays a prompt."""
        steps = loc.step.exten.steps
        number = loc.step.number
        while number in steps:
            tag = self.walker.kind(Loc(loc.chan, steps[number])).tag
            if tag != "pass":
                return tag == "prompt"
            number -= 1
        return False

    def _wait_for_extension(self, pool: Pool, node_id: str, loc: Loc) -> dict[str, Any]:
        """autofallthrough=no: past the last priority Asterisk waits (the response timeout,
        10 s) for the caller to dial another extension of the context, as WaitExten does.

        No prompt offers anything there: the caller hears silence until the timeout, then
        the ``t`` extension runs (else ``e``), else Asterisk hangs up (docs.asterisk.org,
        extensions.conf [general] ``autofallthrough``; *Special Dialplan Extensions*).  It
        is neither a menu nor a question, and the context's extensions are not options
        there: no caller is told to dial one (issue 14: "an autofallthrough=no wait after
        the last priority is not a menu")."""
        extension = loc.step.exten
        number = loc.step.number + 1
        where = loc.step.where
        silence = self.handler_link(pool, loc.chan, ("t", "e"), node_id, "timeout", where)
        if silence is None:
            silence, fresh = pool.claim(("helper", node_id, "timeout"), f"{node_id}:timeout")
            if fresh:
                note = f"nothing is dialled and {loc.chan} has no 't' extension: Asterisk hangs up"
                pool.add(silence, {"type": "hangup", "note": note}, where)
        return {
            "type": "action",
            "next": silence,
            "note": f"extension {extension.name} has no priority {number}; with "
            "autofallthrough=no Asterisk waits silently (the response timeout, 10 s) for an "
            "extension to be dialled, with no prompt asking for one: the caller hears "
            "silence, then the timeout",
        }

    # -- links -----------------------------------------------------------------------------

    def link(
        self, pool: Pool, target: Target | None, anchor: str, role: str, where: Position
    ) -> str | None:
        """The node id a target leads to, making a helper node when it is not one place."""
        if target is None:
            return None
        if isinstance(target, Loc):
            return self.enter(pool, target)
        if isinstance(target, Missing):
            return target.name
        helper, new = pool.claim(("helper", anchor, role), f"{anchor}:{role}")
        if not new:
            return helper
        if isinstance(target, Unknown):
            node: dict[str, Any] = target.node()
        elif isinstance(target, Ends):
            node = {"type": "hangup", "note": target.note, "reason": target.reason}
        elif isinstance(target, Timed):
            node = {
                "type": "hours",
                "schedule": target.schedule or None,
                "open": self.link(pool, target.open, helper, "open", where),
                "closed": self.link(pool, target.closed, helper, "closed", where),
                "note": "the extension is in a context included only at these times",
            }
        else:
            linked = [
                (when, self.link(pool, each, helper, f"case {number}", where))
                for number, (when, each) in enumerate(target.cases, start=1)
            ]
            otherwise = self.link(pool, target.otherwise, helper, "else", where)
            node = branch(linked, otherwise)
            if node.get("single"):
                pool.ids[("helper", anchor, role)] = node["single"]
                pool.taken.discard(helper)
                return node["single"]
        pool.add(helper, node, where)
        return helper

    def handler_link(
        self,
        pool: Pool,
        chan: str,
        names: tuple[str, ...],
        anchor: str,
        role: str,
        where: Position,
    ) -> str | None:
        """The link to the first of the handler extensions ``names`` (``i``, ``t``, ``e``)
        that Asterisk finds for ``chan``, or None when it has none of them."""
        for name in names:
            found = self.targets.handler(chan, name)
            if found is not None:
                return self.link(pool, found, anchor, role, where)
        return None

    # -- building nodes --------------------------------------------------------------------

    def _build(self, pool: Pool, loc: Loc, node_id: str) -> None:
        """The node at ``loc``: which builder makes it, by what its application does."""
        previous = self.jumps.use(pool, loc)
        try:
            self._make(pool, loc, node_id)
        finally:
            self.jumps.restore(previous)

    def _make(self, pool: Pool, loc: Loc, node_id: str) -> None:
        kind = self.walker.kind(loc)
        tag = kind.tag
        where = loc.step.where
        if tag in ("prompt", "waitexten", "read", "hangup", "transfer", "voicemail"):
            node = self.talk.run(pool, loc, node_id)
        elif tag == "gotoif":
            node = self.jumps.branch_chain(pool, loc, node_id)
        elif tag == "gotoiftime":
            node = self.jumps.hours(pool, loc, node_id, kind)
        elif tag == "goto":
            node = self.jumps.goto_node(pool, loc, node_id, kind)
        elif tag == "call":
            node = self.jumps.call(
                pool, loc, node_id, kind, kind.target or "", self.after(pool, loc)
            )
        elif tag == "callif":
            node = self.jumps.call_if(pool, loc, node_id, kind)
        elif tag in ("execif", "execiftime"):
            node = self.jumps.exec_if(pool, loc, node_id, kind)
        elif tag == "while":
            end = self.walker.while_end(loc)
            otherwise = self.after(pool, end) if end is not None else self.after(pool, loc)
            node = branch_node(
                [(kind.cond or "", self.after(pool, loc))], otherwise, f"While({kind.cond})"
            )
        elif tag == "return":
            node = {"type": "return", "note": f"{kind.app}()" if kind.app != "Return" else None}
            pool.returned[node_id] = self.jumps.returned(loc, kind.app, loc.step.data)
        else:
            node = {"type": "action", "note": kind.note, "next": self.after(pool, loc)}
        if not node.get("note") and loc.chan != loc.step.context:
            node["note"] = f"written in context {loc.step.context}"
        pool.add(node_id, node, where)
        start = pool.menu_starts.pop(node_id, None)
        if start is not None and node.get("type") == "menu":
            # Background(a) then WaitExten() in one extension is one menu (its keys, its
            # i and t): the part reached by Goto is placed where that menu begins.
            pool.where[("nodes", node_id)] = start
            pool.where[("nodes", node_id, "no_input")] = where
