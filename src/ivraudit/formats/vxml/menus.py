"""What a caller can press or say to leave a dialog: a <menu> and its <choice>s, and the
<link>s active in a scope."""

from __future__ import annotations

from typing import Any

from ivraudit.formats._xml import XmlElement
from ivraudit.formats.vxml.content import Context
from ivraudit.formats.vxml.dialogs import Dialog
from ivraudit.formats.vxml.fields import DTMF_KEYS
from ivraudit.formats.vxml.grammars import ANY_SPEECH, catch_all
from ivraudit.formats.vxml.text import (
    children_and_text,
    grammar_mode,
    prompt_of,
    prompt_parts,
    seconds,
)
from ivraudit.model.errors import MenuError


class MenuReader:
    """Mixin of the VoiceXML builder: converts a <menu> and the <link>s of a scope.

    The builder provides ``path``, ``nodes``, ``taken``, ``expressions``,
    ``make``, ``position``, ``dtmf_key``, ``resolve_event``, ``input_routes``,
    ``uri_target`` and ``handoff``.
    """

    path: str
    nodes: dict[str, dict[str, Any]]
    taken: set[str]

    def menu(self, dialog: Dialog) -> None:
        element = dialog.element
        modes = dialog.scope.modes()
        choices = self.menu_choices(element)
        listed = [(words, key or "") for words, key, _ in choices]
        # A menu is its own only item: handlers that end without a transition visit it again.
        ctx = Context(dialog, dialog.scope, dialog.id, dialog.id, dialog.id, 0, listed)
        self.taken.add(dialog.id)
        self.make(dialog.id, {"type": "menu"}, element, reserved=True)
        options: dict[str, str] = {}
        speech: dict[str, str] = {}
        for words, key, choice in choices:
            phrases = _grammar_phrases(choice) or ([words] if words else [])
            if key is None and not phrases:
                raise MenuError(
                    self.path,
                    choice.line,
                    choice.column,
                    "<choice> has no dtmf, text or grammar: callers cannot pick it",
                    'add dtmf="1" or the words a caller says',
                )
            target = self.choice_target(ctx, choice, key or (phrases[0] if phrases else "choice"))
            if key is not None and "dtmf" in modes:
                if key in options:
                    raise MenuError(
                        self.path,
                        choice.line,
                        choice.column,
                        f"dtmf '{key}' is given to two choices of menu '{dialog.id}'",
                        "give each choice its own key",
                    )
                options[key] = target
                self.position(dialog.id, choice, "options", key)
            if "voice" in modes:
                for phrase in phrases:
                    speech.setdefault(phrase, target)
                    self.position(dialog.id, choice, "speech", phrase)
        link_options, link_speech = self.link_routes(ctx, dialog.id)
        for key, target in link_options.items():
            options.setdefault(key, target)
        for phrase, target in link_speech.items():
            speech.setdefault(phrase, target)
        prompt = prompt_of(prompt_parts(element), self.expressions, ctx.choices)
        node: dict[str, Any] = {"type": "menu", **prompt.fields()}
        node["options"] = options
        node["speech"] = speech
        node.update(self.input_routes(ctx, dialog.id, element))
        node["timeout"] = seconds(dialog.scope.property("timeout"))
        self.nodes[dialog.id].update(
            {key: value for key, value in node.items() if value is not None}
        )

    def menu_choices(self, element: XmlElement) -> list[tuple[str, str | None, XmlElement]]:
        """``(words, key, element)`` of each <choice>; dtmf="true" numbers the rest 1 to 9."""
        numbered = (element.get("dtmf") or "").strip() == "true"
        next_number = 1
        found: list[tuple[str, str | None, XmlElement]] = []
        for choice in element.findall("choice"):
            key = self.dtmf_key(choice)
            if key is None and numbered and next_number <= 9:
                key = str(next_number)
                next_number += 1
            words = " ".join(
                part if isinstance(part, str) else part.all_text()
                for part in children_and_text(choice)
                if isinstance(part, str) or part.tag != "grammar"
            )
            found.append((" ".join(words.split()), key, choice))
        return found

    def choice_target(self, ctx: Context, choice: XmlElement, label: str) -> str:
        event = choice.get("event") or self.expressions.evaluate(choice.get("eventexpr"))
        if event:
            return self.resolve_event(ctx, event.strip(), choice)
        uri = choice.get("next")
        if uri is None and choice.get("expr") is not None:
            uri = self.expressions.evaluate(choice.get("expr"))
            if uri is None:
                note = (
                    f"goes where the expression {choice.get('expr')} says, "
                    "worked out during the call"
                )
                return self.handoff(
                    "{" + str(choice.get("expr")) + "}",
                    note,
                    f"{ctx.dialog.id}:{label}",
                    choice,
                    {},
                    reason="run-time",
                )
        if uri is None:
            raise MenuError(
                self.path,
                choice.line,
                choice.column,
                "<choice> has no next, expr or event",
                'say where it goes, e.g. next="#sales"',
            )
        found = self.uri_target(uri)
        if found is not None:
            return found
        return self.handoff(uri.strip(), None, f"{ctx.dialog.id}:{label}", choice, {})

    def link_routes(self, ctx: Context, node_id: str) -> tuple[dict[str, str], dict[str, str]]:
        """Keys and phrases of the <link>s active at this item: ``(options, speech)``."""
        options: dict[str, str] = {}
        speech: dict[str, str] = {}
        modes = ctx.scope.modes()
        for level in ctx.scope.chain():
            for link in level.links:
                target = self.link_target(ctx, link)
                key = "".join((link.get("dtmf") or "").split()).upper()
                if key and "dtmf" in modes and DTMF_KEYS.fullmatch(key):
                    options.setdefault(key, target)
                    self.position(node_id, link, "options", key)
                if "voice" in modes:
                    for phrase in _grammar_phrases(link):
                        speech.setdefault(phrase, target)
                        self.position(node_id, link, "speech", phrase)
        return options, speech

    def link_target(self, ctx: Context, link: XmlElement) -> str:
        event = link.get("event") or self.expressions.evaluate(link.get("eventexpr"))
        if event:
            return self.resolve_event(ctx, event.strip(), link)
        uri = link.get("next") or self.expressions.evaluate(link.get("expr"))
        if uri is None:
            raise MenuError(
                self.path,
                link.line,
                link.column,
                "<link> has no next, expr, event or eventexpr",
                'say where it goes, e.g. next="#main"',
            )
        found = self.uri_target(uri)
        if found is not None:
            return found
        wanted = f"link:{uri}"
        if wanted in self.nodes:
            return wanted
        return self.handoff(uri, None, wanted, link, {})


def _grammar_phrases(element: XmlElement) -> list[str]:
    """Words of the inline voice grammar items under ``element`` (<choice>, <link>);
    ``<any>`` for a grammar of nothing but ``GARBAGE`` (SRGS 1.0 section 2.2.3: it "may
    match any speech"), a catch-all that callers need not remember."""
    phrases: list[str] = []
    for grammar in element.findall("grammar"):
        if grammar_mode(grammar) != "voice" or grammar.get("src"):
            continue
        if catch_all(grammar):
            phrases.append(ANY_SPEECH)
            continue
        for item in grammar.iter("item"):
            if any(child.tag in ("item", "ruleref", "one-of") for child in item.children):
                continue
            words = " ".join(item.text.split())
            if words:
                phrases.append(words)
    return list(dict.fromkeys(phrases))
