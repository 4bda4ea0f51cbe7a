"""VoiceXML <field>: an ask, or a menu when its choices are fixed and <filled> branches on them.

A field is read as a menu only when every active grammar is known -- ``<option>``
elements, inline SRGS items, the ``boolean`` built-in (DTMF 1 is true, 2 is
false) -- and its ``<filled>`` is nothing but ``<if>`` tests of the field against
literals, each test true for at least one choice.  The tests are evaluated as
ECMAScript does (``"2" == 2`` holds, ``true == 'true'`` does not).  Anything else
is an ``ask`` collecting the field, followed by the ``<filled>`` content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Union

from ivraudit.formats._xml import XmlElement
from ivraudit.formats.vxml.checks import key_values, unread_voice
from ivraudit.formats.vxml.content import IGNORED, Context, Part, Target, split_if
from ivraudit.formats.vxml.grammars import never_matches
from ivraudit.formats.vxml.text import grammar_mode, prompt_of, prompt_parts, seconds
from ivraudit.model.errors import MenuError

if TYPE_CHECKING:
    from ivraudit.formats.vxml.dialogs import Item

Value = Union[str, float, bool]  # noqa: UP007
#: One to twenty DTMF keys, as a <choice>, <option> or <link> may give them.
DTMF_KEYS = re.compile(r"[0-9A-D*#]{1,20}")
_LITERAL = r"""'[^'\\]*'|"[^"\\]*"|-?\d+(?:\.\d+)?|true|false"""
_TEST = re.compile(
    rf"^\s*(?:(?P<name>[A-Za-z_$][\w$]*)\s*(?P<op>===|!==|==|!=)\s*(?P<lit>{_LITERAL})"
    rf"|(?P<lit2>{_LITERAL})\s*(?P<op2>===|!==|==|!=)\s*(?P<name2>[A-Za-z_$][\w$]*))\s*$"
)


@dataclass(frozen=True)
class Choice:
    """One answer a field's grammar accepts: a key or phrases, and the value it fills."""

    key: str | None
    phrases: tuple[str, ...]
    value: Value
    words: str
    element: XmlElement


class FieldReader:
    """Mixin of the VoiceXML builder: converts one <field>."""

    path: str
    #: ``{id(<if>/<elseif> element): why}`` for tests of <filled> that never hold.
    never_conds: dict[int, tuple[str, str | None]]

    def field(self, ctx: Context, item: Item, filled: list[Part], cont: Target) -> None:
        element = item.element
        choices = self.field_choices(element, ctx.scope.modes())
        listed = [(choice.words, choice.key or "") for choice in choices or []]
        ctx = replace(ctx, choices=listed)
        prompt = prompt_of(prompt_parts(element), self.expressions, listed)
        plan, reason = branch_plan(filled, item.name or "", choices) if choices else (None, "")
        description = _grammar_description(element)
        if plan is not None:
            self.field_menu(ctx, item, filled, plan, cont, prompt.fields(), description)
            return
        never = unmatchable(element, ctx.scope.modes())
        if never is not None:
            self.never_filled(ctx, item, prompt.fields(), never)
            return
        self.make(item.id, {"type": "ask"}, element, reserved=True)
        if filled:
            self.never_conds.update(self.never_filled_tests(ctx, item, filled, choices))
        after = (
            self.compile_run(filled, ctx, cont, f"{item.id}:filled", element) if filled else cont
        )
        node: dict[str, Any] = {
            **prompt.fields(),
            "collects": item.name,
            "next": self.node_id(ctx, after),
            **self.input_routes(ctx, item.id, element),
            "timeout": seconds(ctx.scope.property("timeout")),
            "note": description,
        }
        self.nodes[item.id].update({key: value for key, value in node.items() if value is not None})
        if reason:
            self.note(item.id, reason)
        for link in _links(ctx):
            self.note(item.id, f"also listens for {link}, which ivraudit cannot attach to an ask")

    def never_filled_tests(
        self, ctx: Context, item: Item, filled: list[Part], choices: list[Choice] | None
    ) -> dict[int, tuple[str, str | None]]:
        """The tests of <filled> that the field's value never satisfies (see :mod:`.checks`)."""
        modes = ctx.scope.modes()
        element = item.element
        keyed = self.field_choices(element, {"dtmf"}) if "dtmf" in modes else None
        keys = key_values(element, ctx.dialog.element, modes, keyed)
        every = [choice.value for choice in choices] if choices else None
        return never_tests(filled, item.name or "", keys, every, unread_voice(element, modes))

    def never_filled(
        self, ctx: Context, item: Item, spoken: dict[str, str], phrases: list[str]
    ) -> None:
        """A field whose grammar no caller can match: <filled> never runs, and the call
        always goes on through the noinput or nomatch handler."""
        element = item.element
        silence = self.resolve_event(ctx, "noinput", element)
        nonsense = self.resolve_event(ctx, "nomatch", element)
        words = ", ".join(phrases)
        note = (
            f"<field> '{item.name}' listens only for {words}: no caller matches it, its "
            "<filled> never runs, and the call goes on through <noinput> or <nomatch>"
        )
        if silence == nonsense:
            self.make(
                item.id,
                {"type": "say", **spoken, "next": silence, "note": note},
                element,
                reserved=True,
            )
            return
        self.make(item.id, {"type": "say", **spoken, "note": note}, element, reserved=True)
        node = {
            "type": "branch",
            "cases": [{"when": "the caller says nothing (noinput)", "next": silence}],
            "else": nonsense,
            "note": "else: the caller says something, which the grammar cannot match (nomatch)",
        }
        self.nodes[item.id]["next"] = self.make(f"{item.id}:heard", node, element)

    def field_menu(
        self,
        ctx: Context,
        item: Item,
        filled: list[Part],
        plan: list[tuple[Choice, tuple[int, int] | None]],
        cont: Target,
        spoken: dict[str, str],
        description: str,
    ) -> None:
        self.make(item.id, {"type": "menu"}, item.element, reserved=True)
        ifs = _top_ifs(filled) or []
        targets: dict[tuple[int, int] | None, str] = {}
        options: dict[str, str] = {}
        speech: dict[str, str] = {}
        for choice, case in plan:
            if case not in targets:
                if case is None:
                    targets[case] = self.node_id(ctx, cont)
                else:
                    if_index, case_index = case
                    cond, parts, case_element = split_if(ifs[if_index])[case_index]
                    label = "else" if cond is None else str(len(targets) + 1)
                    target = self.compile_run(
                        parts, ctx, cont, f"{item.id}:filled.{label}", case_element
                    )
                    targets[case] = self.node_id(ctx, target)
            if choice.key is not None:
                options.setdefault(choice.key, targets[case])
                self.position(item.id, choice.element, "options", choice.key)
            for phrase in choice.phrases:
                speech.setdefault(phrase, targets[case])
                self.position(item.id, choice.element, "speech", phrase)
        link_options, link_speech = self.link_routes(ctx, item.id)
        for key, target in link_options.items():
            options.setdefault(key, target)
        for phrase, target in link_speech.items():
            speech.setdefault(phrase, target)
        node: dict[str, Any] = {
            **spoken,
            "options": options,
            "speech": speech,
            **self.input_routes(ctx, item.id, item.element),
            "timeout": seconds(ctx.scope.property("timeout")),
            "note": f"<field> '{item.name}' with fixed choices, read as a menu ({description})",
        }
        self.nodes[item.id].update({key: value for key, value in node.items() if value is not None})

    def field_choices(self, element: XmlElement, modes: set[str]) -> list[Choice] | None:
        """The field's choices when every active grammar is known, else None."""
        choices: list[Choice] = []
        for option in element.findall("option"):
            words = option.all_text()
            key = self.dtmf_key(option) if "dtmf" in modes else None
            value = option.get("value")
            phrases = (words,) if words and "voice" in modes else ()
            choices.append(
                Choice(key, phrases, value if value is not None else words, words, option)
            )
        kind = (element.get("type") or "").strip()
        if kind:
            if kind.split("?")[0] != "boolean":
                return None
            choices.extend(_boolean(element, modes))
        for grammar in element.findall("grammar"):
            mode = grammar_mode(grammar)
            if mode not in modes:
                continue
            source = (grammar.get("src") or "").strip()
            if grammar.get("srcexpr") is not None:
                return None
            if source:
                builtin = source.removeprefix("builtin:")
                if not source.startswith("builtin:") or builtin.split("?")[0] not in (
                    "boolean",
                    "dtmf/boolean",
                    "grammar/boolean",
                    "voice/boolean",
                ):
                    return None
                if builtin.startswith("dtmf/") or mode == "dtmf":
                    choices.extend(_boolean(element, {"dtmf"}))
                continue
            items = _inline_items(grammar, mode)
            if items is None:
                return None
            choices.extend(items)
        if not choices:
            return None
        unique: dict[tuple[Any, ...], Choice] = {}
        for choice in choices:
            unique.setdefault((choice.key, choice.phrases, repr(choice.value)), choice)
        return list(unique.values())

    def dtmf_key(self, element: XmlElement) -> str | None:
        raw = element.get("dtmf")
        if raw is None:
            return None
        key = "".join(raw.split()).upper()
        if not DTMF_KEYS.fullmatch(key):
            raise MenuError(
                self.path,
                element.line,
                element.column,
                f"dtmf '{raw}' is not DTMF keys",
                "use up to 20 of 0-9, *, #, A-D",
            )
        return key


def unmatchable(element: XmlElement, modes: set[str]) -> list[str] | None:
    """How each active grammar of a field shows it never matches (see
    :func:`.grammars.never_matches`: placeholder words, the VOID rule, DTMF tokens no
    keypad sends), or None.  A field with a type, options, a grammar file or any
    grammar that may match can be filled; grammars of a mode ``inputmodes`` turns off
    are not listened to."""
    if element.get("type") or element.findall("option"):
        return None
    shown: list[str] = []
    for grammar in element.findall("grammar"):
        mode = grammar_mode(grammar)
        if grammar.get("src") or grammar.get("srcexpr"):
            return None
        if mode not in modes:
            continue
        never = never_matches(grammar, mode)
        if never is None:
            return None
        shown.append(never)
    return shown or None


def _boolean(element: XmlElement, modes: set[str]) -> list[Choice]:
    if "dtmf" not in modes:
        return []
    return [Choice("1", (), True, "yes", element), Choice("2", (), False, "no", element)]


def _inline_items(grammar: XmlElement, mode: str) -> list[Choice] | None:
    """Leaf <item>s of an inline SRGS grammar with their values, or None if not that simple."""
    if any(element.tag in ("ruleref",) for element in grammar.iter()):
        return None
    found: list[Choice] = []
    for item in grammar.iter("item"):
        if any(child.tag in ("item", "one-of") for child in item.children):
            continue
        if item.get("repeat") is not None:
            return None
        words = " ".join(item.text.split())
        for child in item.children:
            words = " ".join(f"{words} {child.tail}".split())
        value: Value = words
        tag = item.find("tag")
        if tag is not None:
            parsed = _tag_value(tag.all_text())
            if parsed is None:
                return None
            value = parsed
        if not words:
            continue
        if mode == "dtmf":
            key = "".join(words.split()).upper()
            if not DTMF_KEYS.fullmatch(key):
                return None
            found.append(Choice(key, (), value, words, item))
        else:
            found.append(Choice(None, (words,), value, words, item))
    return found


def show_value(value: Value) -> str:
    """A value as ECMAScript writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return f"'{value}'"


def _tag_value(text: str) -> Value | None:
    match = re.fullmatch(rf"\s*out\s*=\s*({_LITERAL})\s*;?\s*", text)
    return _literal(match.group(1)) if match else None


def _literal(text: str) -> Value:
    if text[0] in "'\"":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    return float(text)


def _number(value: Value) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    text = value.strip()
    if not text:
        return 0.0
    try:
        return float(text)
    except ValueError:
        return None  # NaN: equal to nothing


def loose_equal(left: Value, right: Value) -> bool:
    """ECMAScript ``==`` for strings, numbers and booleans."""
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    a, b = _number(left), _number(right)
    return a is not None and b is not None and a == b


def strict_equal(left: Value, right: Value) -> bool:
    """ECMAScript ``===``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, str) != isinstance(right, str):
        return False
    return left == right


def _test(cond: str, name: str, value: Value) -> bool | None:
    """Whether ``cond`` holds when the field is ``value``; None when it is not a plain test."""
    match = _TEST.match(cond)
    if not match:
        return None
    field_name = match.group("name") or match.group("name2")
    operator = match.group("op") or match.group("op2")
    literal = _literal(match.group("lit") or match.group("lit2"))
    if field_name != name:
        return None
    equal = strict_equal if operator in ("===", "!==") else loose_equal
    result = equal(value, literal)
    return not result if operator.startswith("!") else result


def _top_ifs(parts: list[Part]) -> list[XmlElement] | None:
    found: list[XmlElement] = []
    for part in parts:
        if isinstance(part, str):
            if part.strip():
                return None
            continue
        if part.tag == "if":
            found.append(part)
        elif part.tag not in IGNORED:
            return None
    return found or None


def branch_plan(
    filled: list[Part], name: str, choices: list[Choice]
) -> tuple[list[tuple[Choice, tuple[int, int] | None]] | None, str]:
    """For each choice, the ``(if, case)`` its value selects (None: no case).

    Returns ``(None, reason)`` when <filled> is not a plain branch on the field.
    """
    ifs = _top_ifs(filled)
    if ifs is None:
        return None, ""
    plan: list[tuple[Choice, tuple[int, int] | None]] = []
    hit: set[tuple[int, int]] = set()
    for choice in choices:
        selected: tuple[int, int] | None = None
        for if_index, element in enumerate(ifs):
            cases = split_if(element)
            if len(ifs) > 1 and len(cases) > 1:
                return None, ""
            for case_index, (cond, _, _) in enumerate(cases):
                holds = True if cond is None else _test(cond, name, choice.value)
                if holds is None:
                    return None, ""
                if holds:
                    if selected is not None and len(ifs) > 1:
                        return None, ""  # two separate tests both hold: order matters
                    selected = selected or (if_index, case_index)
                    break
        plan.append((choice, selected))
        if selected is not None:
            hit.add(selected)
    for if_index, element in enumerate(ifs):
        for case_index, (cond, _, case_element) in enumerate(split_if(element)):
            if (if_index, case_index) not in hit:
                what = "its <else>" if cond is None else f'cond "{cond}"'
                values = ", ".join(dict.fromkeys(show_value(choice.value) for choice in choices))
                return None, (
                    f"not read as a menu: {what} (line {case_element.line}) holds for none of "
                    f"the values the field's grammar fills ({values})"
                )
    return plan, ""


def _grammar_description(element: XmlElement) -> str:
    found: list[str] = []
    kind = (element.get("type") or "").strip()
    if kind:
        found.append(f"builtin:{kind}")
    for grammar in element.findall("grammar"):
        mode = grammar_mode(grammar)
        source = grammar.get("src") or grammar.get("srcexpr")
        found.append(f"{mode} {source}" if source else f"inline {mode} grammar")
    if element.findall("option"):
        found.append(f"{len(element.findall('option'))} <option>s")
    return "grammar: " + (", ".join(found) if found else "none")


def _links(ctx: Context) -> list[str]:
    described: list[str] = []
    for level in ctx.scope.chain():
        for link in level.links:
            heard = []
            if link.get("dtmf"):
                heard.append(f"key {link.get('dtmf')}")
            heard.extend(f"'{phrase}'" for phrase in _link_words(link))
            where = link.get("event") or link.get("next") or link.get("expr") or "?"
            verb = "throwing" if link.get("event") else "going to"
            described.append(
                f"{' or '.join(heard) or 'a grammar'} (line {link.line}, {verb} {where})"
            )
    return described


def _link_words(link: XmlElement) -> list[str]:
    words: list[str] = []
    for grammar in link.findall("grammar"):
        for item in grammar.iter("item"):
            text = " ".join(item.text.split())
            if text:
                words.append(text)
    return words


def never_tests(
    filled: list[Part],
    name: str,
    keys: tuple[list[Value], str] | None,
    every: list[Value] | None,
    unread: list[str],
) -> dict[int, tuple[str, str | None]]:
    """``{id(case element): why}`` for the ``<if>``/``<elseif>`` tests of ``<filled>`` that
    hold for no value the field can take: any value (``every``: all its grammars are
    known), or any value a key press fills (``keys``) when the test compares a boolean
    with the string ``'true'`` or ``'false'`` -- a voice grammar that is not read may fill
    that string, but the key the prompt offers never does.  The second item is then the
    route that stays: the test holding for what such a grammar fills (None: no such route)."""
    found: dict[int, tuple[str, str | None]] = {}
    for part in filled:
        if isinstance(part, str) or part.tag != "if":
            continue
        for cond, _, element in split_if(part):
            if cond is None:
                continue
            values = every if every is not None else _boolean_spelled(cond, keys)
            if not values or any(_test(cond, name, value) is not False for value in values):
                continue
            spoken = None
            if every is None and not unread:
                continue  # the unknown grammar is not an external file: not judged
            if every is None:
                spoken = f"{cond}, for speech ({', '.join(unread)} is not read)"
            found[id(element)] = (_never_why(cond, name, values, keys, every, unread), spoken)
    return found


def _never_why(
    cond: str,
    name: str,
    values: list[Value],
    keys: tuple[list[Value], str] | None,
    every: list[Value] | None,
    unread: list[str],
) -> str:
    shown = " or ".join(dict.fromkeys(show_value(value) for value in values))
    if every is not None:
        source = f" ({keys[1]})" if keys is not None and keys[0] == every else ""
        why = f"'{name}' is only ever {shown}{source}, which the test never matches"
    else:
        assert keys is not None
        why = (
            f"for a key press: {keys[1]} fills '{name}' with {shown}, which the test never "
            f"matches (what {', '.join(unread)} fills for speech is not read)"
        )
    spelled = re.search(r"""(['"])(true|false)\1""", cond)
    if spelled and any(isinstance(value, bool) for value in values):
        why += (
            f"; ECMAScript's == turns the string '{spelled.group(2)}' into a number (NaN), so "
            f"{spelled.group(2)} == '{spelled.group(2)}' is false"
        )
    return why


def _boolean_spelled(cond: str, keys: tuple[list[Value], str] | None) -> list[Value] | None:
    """The key values, when the test spells a boolean as a string and they are booleans."""
    if keys is None or not re.search(r"""(['"])(?:true|false)\1""", cond):
        return None
    values = keys[0]
    return values if values and all(isinstance(value, bool) for value in values) else None
