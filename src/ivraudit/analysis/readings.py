"""Prompt readings: what each node's words tell the audit -- what is heard and for how
long, which identity field an ask collects, why a hangup hangs up, who announces hours.

The second layer of :class:`~ivraudit.analysis.context.AuditContext`, over the graph facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ivraudit.analysis.facts import MenuFacts
from ivraudit.analysis.routes import reachable
from ivraudit.config import Config
from ivraudit.model.menu import ActionNode, AskNode, HangupNode, Menu, SayNode
from ivraudit.model.prompts import (
    IdentityMatcher,
    announces_hours,
    hangup_reason_from_recording,
    hangup_reason_from_text,
    spoken_seconds,
)


@dataclass(frozen=True)
class Collection:
    """An identity field a node collects, and whether the field was inferred."""

    node: str
    field: str
    inferred: bool


class PromptReadings(MenuFacts):
    """What one menu's prompts say, read once: heard text, seconds, fields and reasons."""

    def __init__(self, menu: Menu, config: Config | None = None) -> None:
        super().__init__(menu, config)
        self.identity = IdentityMatcher.build(self.config.identity_fields)

    # -- what is heard --------------------------------------------------------------------------

    def prompt(self, node: str) -> str | None:
        """The prompt text a node speaks (None for recorded or no prompt)."""
        model = self.model(node)
        return None if model is None else model.say

    def hears(self, node: str) -> str | None:
        """What the caller hears at a node, for witnesses: text, or the recording's name."""
        model = self.model(node)
        if model is None:
            return None
        if model.say:
            return model.say
        if model.play:
            return f"[recording {model.play}]"
        return None

    def recorded_before(self, node: str) -> bool:
        """Whether what the caller hears last at or right before ``node`` is, on every
        way in, a recording with no text: then what it says is unknown (a reason for a
        hangup, another number to call)."""
        model = self.model(node)
        if model is not None and (model.say or model.play):
            return not model.say
        into = self.into[node]
        if not into:
            return False
        for source, _, data in into:
            heard = self.model(source)
            if data["via"] != "next" or self.kind(source) != "say" or heard is None:
                return False
            if heard.say or not heard.play:
                return False
        return True

    def prompt_seconds(self, node: str) -> float:
        """Estimated seconds the node's prompt takes to play."""
        model = self.model(node)
        if model is None:
            return 0.0
        seconds = spoken_seconds(model.say, self.settings.words_per_minute)
        if model.play and not model.say:
            seconds += self.settings.audio_prompt_seconds
        return seconds

    @cached_property
    def reaches_hours_announcement(self) -> set[str]:
        """Nodes from which a prompt announcing the opening hours -- or a recording whose
        words are unknown, which may -- can be reached."""
        announcing = [
            node
            for node, model in self.nodes()
            if announces_hours(model.say) or (model.play and not model.say)
        ]
        return reachable(self.into, announcing)

    # -- why hangups hang up --------------------------------------------------------------------

    @cached_property
    def hangup_reasons(self) -> dict[str, tuple[str | None, bool]]:
        """``{hangup node: (reason, inferred)}``; reasons not declared are read from prompts.

        A hangup with no text of its own takes the reason from the messages
        played just before it; any refusal among them wins.
        """
        reasons: dict[str, tuple[str | None, bool]] = {}
        for node, model in self.nodes("hangup"):
            assert isinstance(model, HangupNode)
            if model.reason is not None:
                reasons[node] = (model.reason, False)
                continue
            reason = _reason_heard(model)
            if reason is None:
                found = [
                    _reason_heard(self.model(source))
                    for source, _, data in self.into[node]
                    if data["via"] == "next" and isinstance(self.model(source), SayNode)
                ]
                known = [item for item in found if item is not None]
                refusals = [item for item in known if item != "completed"]
                reason = refusals[0] if refusals else (known[0] if known else None)
            reasons[node] = (reason, reason is not None)
        return reasons

    def noted_reason(self, node: str) -> str | None:
        """Why hangup ``node`` ends the call, read from what the author noted beside its
        recordings (``recording_note``: a comment beside ``Playback(goodbye)``), on the
        hangup or on the messages played just before it; any refusal among them wins.
        Read one way only (DE003): a noted goodbye means a reason is given; a note never
        makes a finding, nor the hangup a completed outcome (it may describe the
        recording rather than transcribe it)."""
        notes = [hangup_reason_from_text(getattr(self.model(node), "recording_note", None))]
        notes.extend(
            hangup_reason_from_text(self.model(source).recording_note)
            for source, _, data in self.into.get(node, ())
            if data["via"] == "next" and isinstance(self.model(source), SayNode)
        )
        known = [note for note in notes if note is not None]
        refusals = [note for note in known if note != "completed"]
        return refusals[0] if refusals else (known[0] if known else None)

    # -- identity fields ------------------------------------------------------------------------

    @cached_property
    def collections(self) -> dict[str, Collection]:
        """Identity fields collected by asks (and by actions that declare ``collects``)."""
        found: dict[str, Collection] = {}
        for node, model in self.nodes("ask", "action"):
            assert isinstance(model, (AskNode, ActionNode))
            if isinstance(model, ActionNode) and model.collects is None:
                continue
            prompt = model.say if isinstance(model, AskNode) else None
            field, inferred = self.identity.field_of(model.collects, prompt)
            if field is not None:
                found[node] = Collection(node, field, inferred)
        return found


def _reason_heard(model: Any) -> str | None:
    """A hangup reason from a node's prompt text, else from its recording's file name."""
    if model is None:
        return None
    return hangup_reason_from_text(model.say) or hangup_reason_from_recording(model.play)
