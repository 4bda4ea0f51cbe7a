"""Menu rules: too many options, no operator, prompts that mislead, drag or grate."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ivraudit.analysis.context import AuditContext
from ivraudit.model.findings import Severity
from ivraudit.model.keypad import is_pattern, keypad_samples, takes_key
from ivraudit.model.prompts import announced_keys, find_phrases, shorten, words
from ivraudit.rules.registry import Hit, rule


@rule(
    "MN001",
    "too-many-options",
    Severity.WARNING,
    "A menu offers more options than the limit (default 5).",
    uses=("max_options", "operator_key"),
)
def too_many_options(ctx: AuditContext) -> Iterator[Hit]:
    """Finds menus offering more than ``max_options`` choices.  The operator key,
    ``*``, ``#`` and extensions dialled by number are not counted; spoken options
    count once per destination that no key reaches.  Keys and words that only move
    around the menus are not counted either: back to this menu (a repeat key, also
    through the step a platform runs the block in, Connect's ``Main menu (runs)``)
    or to the main menu, with nothing new to hear on the way.  A key that plays a
    message and then returns ("for opening hours press 5") is an option.

    ## Why callers suffer
    Nobody remembers option 1 by the time option 8 is read; callers replay the
    menu or pick the wrong one.  Avaya's guidance is four or five at most.

    ## Example
    ```yaml
    # bad: eight options
    options: {"1": billing, "2": tech, "3": plans, "4": roaming, "5": lost,
              "6": business, "7": porting, "8": stores}
    ```
    ```yaml
    # good: four, with the rest one level down or on the website
    options: {"1": billing, "2": tech, "3": plans, "4": other, "0": adviser}
    ```

    ## Fix
    Group options, move rare ones a level down, or route by data.
    """
    limit = ctx.settings.max_options
    for node, _ in ctx.nodes("menu"):
        count = len(ctx.menu_choices(node))
        if count > limit:
            yield Hit(
                node=node,
                message=f"menu '{node}' offers {count} options, more than the limit of {limit}",
                fact="too many options",
            )


@rule(
    "MN002",
    "no-operator",
    Severity.WARNING,
    "The operator key (default 0) does not lead to a person.",
    uses=("operator_key",),
)
def no_operator(ctx: AuditContext) -> Iterator[Hit]:
    """Finds menus where pressing the operator key (``operator_key``, default
    ``0``) does not lead straight to a person: the key is not wired, or it leads
    somewhere that needs further choices first.  A key pattern that takes the
    key (Asterisk's ``_X``, ``/^[0-9]$/``) wires it.  Menus of a line with no
    human transfer at all are left to DP003, and so are menus from which no
    person can be reached when callers reach persons only on other routes that
    no menu before it offers (an Asterisk context answering many numbers).  Not
    reported: an unwired key whose invalid-key route goes straight to a person,
    a menu whose every option is a person or where waiting leads to one (also
    through a retry counter and another menu's silence), and a key that leads
    where ivraudit cannot see (what was not read may be a person).

    ## Why callers suffer
    "0 for an operator" is the one shortcut every caller knows (the GetHuman
    standard requires it); when it does nothing, they are trapped in the tree.

    ## Example
    ```yaml
    # bad
    options: {"1": billing, "2": support}
    ```
    ```yaml
    # good
    options: {"1": billing, "2": support, "0": adviser}
    ```

    ## Fix
    Wire the operator key in every menu to a human transfer (with a fallback
    for busy times).
    """
    if not ctx.humans:
        return
    key = ctx.settings.operator_key
    waiting = ctx.waiting_to_human
    # A person callers reach, but neither from a menu nor past a menu that offers one,
    # is another line's (an Asterisk context dispatching many numbers): that menu's
    # line has no person, DP003's.  (A person no caller reaches at all is the line's
    # own, wired wrong.)
    elsewhere = any(human in ctx.reachable for human in ctx.humans)
    for node, model in ctx.nodes("menu"):
        if node not in ctx.reachable:
            continue
        if elsewhere and node not in ctx.reaches_human and node not in ctx.past_menu_to_human:
            continue
        choices = [ctx.edge_target(node, f"key:{choice}") for choice in model.options]
        if len(choices) > 1 and all(choice in waiting for choice in choices):
            continue  # every option is a person: the menu only picks which one
        if ctx.edge_target(node, "no_input") in waiting and model.no_input != node:
            continue  # waiting is the way to a person: nothing to press
        option = ctx.option_taking(node, key)
        if option is None:
            if ctx.edge_target(node, "no_match") in ctx.passive_to_human:
                continue  # an unwired key is an invalid key, and that goes to a person
            yield Hit(
                node=node,
                message=f"menu '{node}' has no operator key {key}: callers cannot ask for a person",
                fact="unwired",
            )
            continue
        graph_target = ctx.edge_target(node, f"key:{option}")
        if graph_target not in ctx.passive_to_human:
            dead_end = ctx.hangup_after(graph_target)
            taken = "" if option == key else f" (taken by option {option})"
            yield Hit(
                node=node,
                message=f"key {key} of menu '{node}'{taken} goes to '{model.options[option]}', "
                "which does not lead straight to a person",
                fact="not human",
                field=("options", option),
                # The key drops the call: DE003 tells that dead end, naming the key.
                fault_at=(dead_end,) if dead_end is not None else (),
            )


@rule(
    "MN003",
    "announced-keys-mismatch",
    Severity.WARNING,
    "The prompt announces a key that is not wired, or a wired key is never announced.",
    uses=("operator_key",),
)
def announced_keys_mismatch(ctx: AuditContext) -> Iterator[Hit]:
    """Compares the keys a menu's prompt announces ("press 1", "dial 2", "say or
    press 3", "press star", "press hash") with the keys it wires.  A prompt that
    announces no key at all, or a recorded prompt whose text is unknown, is not
    checked; the operator key may go unannounced.  A key that leads to a test hook
    (a widget named ``cyara_test``) is MN010's.

    ## Why callers suffer
    Pressing an announced key that is not wired plays "invalid option" (or
    hangs up); a wired key nobody announces is a choice nobody can find.

    ## Example
    ```yaml
    # bad: 5 is announced but not wired
    say: ... To change your payment date press 5.
    options: {"1": pay, "2": balance, "3": copy, "4": disputes}
    ```
    ```yaml
    # good
    options: {"1": pay, "2": balance, "3": copy, "4": disputes, "5": payment_date}
    ```

    ## Fix
    Make the prompt and the options agree.
    """
    operator = ctx.settings.operator_key
    for node, model in ctx.nodes("menu"):
        announced = announced_keys(model.say)
        if not announced:
            continue
        unwired = [key for key in announced if not takes_key(model.options, key)]
        # A key to a test hook (cyara_test) is MN010's: hidden on purpose, told once there.
        single = [
            key
            for key in model.options
            if len(key) == 1 and ctx.edge_target(node, f"key:{key}") not in ctx.test_hooks
        ]
        # A recording's words are unknown: it may announce the keys the text does not.
        silent = [] if model.play else [k for k in single if k not in announced and k != operator]
        if unwired and silent:
            # One mismatch, seen from both sides: "press #" where 9 is wired.
            yield Hit(
                node=node,
                message=f"the prompt of '{node}' announces {_keys(unwired)} but the menu wires "
                f"{_keys(silent)} instead",
                fact="mismatch:" + ",".join(unwired) + "/" + ",".join(silent),
            )
            continue
        if unwired:
            yield Hit(
                node=node,
                message=f"the prompt of '{node}' announces {_keys(unwired)} but the menu does "
                "not wire " + ("it" if len(unwired) == 1 else "them"),
                fact="unwired:" + ",".join(unwired),
            )
        if silent:
            yield Hit(
                node=node,
                message=f"menu '{node}' wires {_keys(silent)} but its prompt never announces "
                + ("it" if len(silent) == 1 else "them"),
                fact="unannounced:" + ",".join(silent),
            )


def _keys(keys: list[str]) -> str:
    return ("key " if len(keys) == 1 else "keys ") + ", ".join(keys)


@rule(
    "MN004",
    "long-prompt",
    Severity.WARNING,
    "A prompt longer than the limit (default 20 s estimated).",
    uses=("max_prompt_seconds", "words_per_minute"),
)
def long_prompt(ctx: AuditContext) -> Iterator[Hit]:
    """Finds prompts whose estimated speaking time (words at ``words_per_minute``)
    is over ``max_prompt_seconds``.  The estimate is good to a second, so it is
    compared in whole seconds: 51 words (about 20.4 s, "about 20 s") is not over a
    20 s limit.

    ## Why callers suffer
    Long prompts bury the one thing the caller needs; they barge in, mishear,
    or give up.  GetHuman: no long or verbose prompts.

    ## Example
    ```yaml
    # bad: a 60-word menu prompt (about 24 s)
    ```
    ```yaml
    # good: four options, one short sentence each
    ```

    ## Fix
    Cut words: drop marketing, policy notices and the reasons for options.
    """
    limit = ctx.settings.max_prompt_seconds
    for node, model in ctx.nodes():
        if not model.say:
            continue
        seconds = ctx.prompt_seconds(node)
        if math.floor(seconds + 0.5) > limit:
            yield Hit(
                node=node,
                message=f"the prompt of '{node}' takes about {seconds:.0f} s to speak "
                f"({words(model.say)} words), longer than {limit:g} s",
                fact="long prompt",
            )


@rule(
    "MN005",
    "resented-phrase",
    Severity.WARNING,
    "A prompt uses a phrase callers resent.",
    uses=("resented_phrases",),
    needs_start=False,
)
def resented_phrase(ctx: AuditContext) -> Iterator[Hit]:
    """Finds phrases callers resent in prompts ("your call is important to us",
    "listen carefully as our options have changed", "visit our website", ...);
    the list is the ``resented_phrases`` setting.

    ## Why callers suffer
    They add seconds and say nothing; "visit our website" tells a caller who
    chose to phone that they should not have.

    ## Example
    ```yaml
    # bad
    say: Your call is important to us. Please listen carefully as our options have changed.
    ```
    ```yaml
    # good
    say: Welcome to Connectra.
    ```

    ## Fix
    Delete the phrase.
    """
    phrases = ctx.settings.resented_phrases
    for node, model in ctx.nodes():
        found = find_phrases(model.say, phrases)
        if found:
            quoted = ", ".join(f'"{phrase}"' for phrase in found)
            yield Hit(
                node=node,
                message=f"the prompt of '{node}' says {quoted}",
                fact=";".join(found),
            )


@rule(
    "MN006",
    "speech-only-menu",
    Severity.WARNING,
    "A speech-only menu with no touch-tone fallback.",
    needs_start=False,
)
def speech_only_menu(ctx: AuditContext) -> Iterator[Hit]:
    """Finds menus that accept spoken choices but no keys.

    ## Why callers suffer
    Noise, accents, speech impairments and privacy (saying "stolen card" on a
    train) all need the keypad.  GetHuman: always offer touch-tone.

    ## Example
    ```yaml
    # bad
    speech: {lost: lost_team, stolen: lost_team}
    ```
    ```yaml
    # good
    say: Say lost or press 1, say stolen or press 2.
    options: {"1": lost_team, "2": lost_team}
    speech: {lost: lost_team, stolen: lost_team}
    ```

    ## Fix
    Add a key for every spoken choice and announce it.
    """
    for node, model in ctx.nodes("menu"):
        if model.speech and not model.options:
            yield Hit(
                node=node,
                message=f"menu '{node}' accepts only speech "
                f"({', '.join(repr(p) for p in model.speech)}): no key works",
                fact="speech only",
            )


@rule(
    "MN007",
    "options-out-of-order",
    Severity.INFO,
    "Options announced out of numerical order or with gaps.",
    uses=("operator_key",),
    needs_start=False,
)
def options_out_of_order(ctx: AuditContext) -> Iterator[Hit]:
    """Finds prompts that announce digit keys out of order (1, 2, 4, 3) or skip
    one (1, 2, 4).  The operator key, ``*``, ``#`` and keys that only repeat the
    menu or go back to the main menu are not counted.

    ## Why callers suffer
    Callers track options by number; out-of-order or missing numbers make them
    think they misheard.  Avaya's guidance: options in numerical order.

    ## Example
    ```yaml
    # bad
    say: For sales press 1. For support press 3. For billing press 2.
    ```
    ```yaml
    # good
    say: For sales press 1. For billing press 2. For support press 3.
    ```

    ## Fix
    Renumber the options 1, 2, 3, ... in the order they are read.
    """
    for node, model in ctx.nodes("menu"):
        skip = {ctx.settings.operator_key, "*", "#", *ctx.navigation_keys(node)}
        digits = [key for key in announced_keys(model.say) if key.isdigit() and key not in skip]
        if len(digits) < 2:
            continue
        numbers = [int(key) for key in digits]
        if numbers != sorted(numbers):
            yield Hit(
                node=node,
                message=f"the prompt of '{node}' announces keys out of order: " + ", ".join(digits),
                fact="order:" + ",".join(digits),
            )
            continue
        expected = list(range(numbers[0] if numbers[0] <= 1 else 1, numbers[-1] + 1))
        gaps = [str(n) for n in expected if n not in numbers and str(n) not in skip]
        if gaps:
            yield Hit(
                node=node,
                message=f"the prompt of '{node}' skips {_keys(gaps)}: " + ", ".join(digits),
                fact="gaps:" + ",".join(gaps),
            )


@rule(
    "MN008",
    "option-never-chosen",
    Severity.WARNING,
    "An option or branch that can never be taken: no key input matches it, or it can never hold.",
    needs_start=False,
)
def option_never_chosen(ctx: AuditContext) -> Iterator[Hit]:
    """Finds options no caller can ever take: a key pattern that no keypad input
    matches (FreeSWITCH ``digits="/^(/d{4})$/"``, with ``/d`` where ``\\d`` was
    meant), and branch cases an importer can tell never hold (a Twilio split that
    compares the digits with the finish key ``#``, which never arrives in them).

    ## Why callers suffer
    The prompt promises something the menu can never do: the caller presses the
    keys, and gets "invalid option" or the default route every time.

    ## Example
    ```yaml
    # bad: '/d' is a slash and a letter d, which no keypad has
    options: {"1": sales, "/^(/d{4})$/": extension}
    ```
    ```yaml
    # good
    options: {"1": sales, "/^(\\d{4})$/": extension}
    ```

    ## Fix
    Correct the pattern or the condition so that the input callers give matches it.

    ## In real menus
    In a public Twilio Studio demo (``jesperfj/twilio-ivr-studio``, ``ivr.json``
    line 168) a split offers "press # for an agent" by comparing the digits with
    ``#``, the gather's finish key: Studio never passes ``#`` on, so no caller ever
    reaches the agent queue.
    """
    for node, model in ctx.nodes("menu"):
        for key in model.options:
            if is_pattern(key) and keypad_samples(key[1:-1]) == []:
                slip = " (write \\d for a digit, not /d)" if "/d" in key[1:-1] else ""
                yield Hit(
                    node=node,
                    message=f"option {key} of menu '{node}' matches no key a caller can press"
                    + slip,
                    fact=f"pattern:{key}",
                    field=("options", key),
                )
    people: set[str] | None = None  # the human transfers, made once when first needed
    for node, model in ctx.nodes("branch"):
        # Cases that never hold for one reason are one fault: one finding, at the branch.
        reasons: dict[str, list[int]] = {}
        for number, case in enumerate(model.cases, start=1):
            if case.never:
                reasons.setdefault(case.never, []).append(number)
        # The places only these cases lead to are cut off by this fault: ST002 does not
        # tell them again.  A person among them stays DP003's to name (its own fault:
        # no route reaches a person), so it is not claimed here.
        if not reasons:
            continue
        prefix = node[: len(node) - len(ctx.data[node]["origin"])]
        people = people if people is not None else set(ctx.humans)
        for never, numbers in reasons.items():
            first = numbers[0]
            cut = tuple(
                prefix + model.cases[number - 1].next
                for number in numbers
                if prefix + model.cases[number - 1].next not in people
            )
            if len(numbers) == 1:
                when = model.cases[first - 1].when
                yield Hit(
                    node=node,
                    message=f"case {first} of '{node}' ({when}) can never hold: {never}",
                    fact=f"never:{first}",
                    field=("cases", first - 1, "when"),
                    # The copies of a branch an importer makes per route number their
                    # cases differently: the condition is what tells the fault.
                    kind=f"never:{when}",
                    fault_at=cut,
                )
                continue
            shown = ", ".join(str(number) for number in numbers)
            yield Hit(
                node=node,
                message=f"cases {shown} of '{node}' ({model.cases[first - 1].when}, ...) can "
                f"never hold: {never}",
                fact=f"never:{shown}",
                kind="never:" + " | ".join(model.cases[n - 1].when for n in numbers),
                fault_at=cut,
            )


@rule(
    "MN009",
    "input-from-elsewhere",
    Severity.WARNING,
    "A branch compares the answer to a question the caller did not just answer.",
)
def input_from_elsewhere(ctx: AuditContext) -> Iterator[Hit]:
    """Finds branches that decide on the answer to one question or menu (a Twilio
    split on ``{{widgets.gather_1.Digits}}``) where callers arrive having just
    answered another: the branch reads a stale value, not what the caller pressed.

    ## Why callers suffer
    The caller presses a key and the menu acts on an earlier one: "press # for an
    agent" can never work, and choices lead to the wrong place.

    ## Example
    ```yaml
    # bad: 'support_choice' answers support's question, but the split reads 'main'
    support: {type: menu, say: For an agent press 1., options: {"1": support_choice}}
    support_choice:
      type: branch
      cases: [{when: "{{widgets.main.Digits}} == 1", input: main, next: agent}]
      else: goodbye
    ```
    ```yaml
    # good
      cases: [{when: "{{widgets.support.Digits}} == 1", input: support, next: agent}]
    ```

    ## Fix
    Compare the answer of the question the caller has just answered.

    ## In real menus
    The same demo (``jesperfj/twilio-ivr-studio``, ``ivr.json`` lines 162 and 233)
    routes the support and sales sub-menus on ``{{widgets.gather_input.Digits}}``,
    the main menu's answer, instead of their own gathers': whatever callers press
    there, the main menu's key decides.
    """
    for node, model in ctx.nodes("branch"):
        if node not in ctx.reachable:
            continue
        wanted = {case.input for case in model.cases if case.input is not None}
        if not wanted:
            continue
        prefix = ctx.data[node]["subflow"]
        wanted = {f"{prefix}/{name}" if prefix else name for name in wanted}
        for other, path in _latest_inputs(ctx, node):
            if other in wanted or other not in ctx.reachable:
                continue
            asked = ", ".join(
                sorted(f"'{ctx.data[name]['origin']}'" for name in wanted if name in ctx.data)
            )
            yield Hit(
                node=node,
                message=f"'{node}' compares the answer to {asked or 'another question'}, but "
                f"callers reach it right after answering '{ctx.data[other]['origin']}'",
                fact=f"after:{ctx.data[other]['origin']}",
                kind="after",
                witness=ctx.witness_path(other, path),
            )
            break


def _latest_inputs(ctx: AuditContext, node: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The questions and menus answered last before ``node`` on some route, each with
    the edges from it to ``node``; found backwards over steps that take no input."""
    found = ctx.routes_back(node, lambda source, _: ctx.kind(source) not in ("ask", "menu"))
    found.sort(key=lambda item: ctx.order.get(item[0], 0))
    return [(source, steps) for source, _, steps in found]


@rule(
    "MN010",
    "hidden-test-key",
    Severity.INFO,
    "A key no prompt announces leads to a test hook left in a caller's menu.",
)
def hidden_test_key(ctx: AuditContext) -> Iterator[Hit]:
    """Finds keys that lead to a test hook -- a part whose own name says it is a test
    or a demo (a Twilio Studio widget ``cyara_test``, an Asterisk context
    ``[demo]``) -- where the menu's prompt is known text that announces other keys
    but not this one.  Test automation dials such a key on the live line; a caller
    who presses it by mistake gets the test's recording, and whatever the hook does
    after it.  The hook itself, and what callers reach only through it, are not a
    caller's route: DE003 and DE005 do not judge them.  Where
    the prompt is a recording (its words are unknown), or announces no key at all
    (the options may be read elsewhere), whether the key is announced is unknown,
    and nothing is reported.  Menus written in ivraudit's own format are audited
    as written (their author asked for it): there a hidden key is MN003's.

    ## Why callers suffer
    A caller who slips onto the hidden key hears a test message meant for a
    machine, and is often cut off without a word of explanation.

    ## Example
    ```yaml
    # bad: key 9 is wired to the test hook, and the prompt never says so
    say: For opening hours press 1. For an adviser press 0.
    options: {"1": hours, "0": adviser, "9": cyara_test}
    ```
    ```yaml
    # good: no test hook on the live line (or test through a separate number)
    say: For opening hours press 1. For an adviser press 0.
    options: {"1": hours, "0": adviser}
    ```

    ## Fix
    Take the test key out of the live menu, or give test automation its own
    number or flow; if it must stay, make sure the hook ends politely.

    ## In real menus
    Two public Twilio Studio flows of ``techmatters/flex-plugins`` (``g2ton`` and
    ``khp_main``) wire key 9 of their language menus to ``cyara_test``, which plays
    the Cyara test harness's recording and ends the flow.  Their menu prompts are
    recordings too, so whether key 9 is announced is unknown: this rule reports
    nothing there, and DE003 no longer reports the hook as a dead end.
    """
    for node, model in ctx.nodes("menu"):
        if model.play or not model.say:
            continue  # a recording's words are unknown
        announced = announced_keys(model.say)
        if not announced:
            continue  # the options may be read elsewhere: whether 9 is announced is unknown
        for key in model.options:
            hook = ctx.edge_target(node, f"key:{key}")
            if hook is None or hook not in ctx.test_hooks or key in announced:
                continue
            yield Hit(
                node=node,
                message=f"menu '{node}' has a hidden test key {key}: its prompt never "
                f"announces it, and it leads to test hook '{ctx.data[hook]['origin']}'; a caller "
                f"who presses {key} by mistake {_hook_gives(ctx, hook)}",
                fact=f"test key:{key}",
                field=("options", key),
                witness=ctx.witness_via(node, f"key:{key}", hook),
            )


def _hook_gives(ctx: AuditContext, hook: str) -> str:
    """What a caller gets at test hook ``hook``: what they hear, and where it ends."""
    model = ctx.model(hook)
    end = ctx.follow_messages(hook)
    kind = ctx.kind(end)
    if model is not None and model.say:
        said = f'hears "{shorten(model.say, 60)}"'
    elif model is not None and model.play:
        said = f"hears the recording '{shorten(model.play, 60)}'"
    else:
        said = "hears nothing"
    if kind in ("hangup", "disconnect"):
        return f"{said}, and the call ends"
    if end != hook:
        return f"{said}, then goes on to {kind} '{ctx.data[end].get('origin', end)}'"
    return f"{said} at {kind} '{ctx.data[end].get('origin', end)}'"
