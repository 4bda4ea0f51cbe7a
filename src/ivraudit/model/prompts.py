"""What prompts say: spoken length, announced keys, identity fields, hangup reasons.

Everything here reads prompt text or variable names and nothing else; it is
pure and cheap, so rules and importers can call it freely.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from ivraudit.model.menu import IDENTITY_FIELDS

# -- spoken length --------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)
_SSML_TAG = re.compile(r"<[^>]{0,500}>")


@functools.lru_cache(maxsize=1 << 16)
def words(text: str) -> int:
    """How many spoken words a prompt has (SSML tags and punctuation not counted)."""
    return len(_WORD.findall(_SSML_TAG.sub(" ", text)))


def spoken_seconds(text: str | None, words_per_minute: float) -> float:
    """Estimated seconds to speak ``text`` at ``words_per_minute``."""
    if not text:
        return 0.0
    return words(text) * 60.0 / words_per_minute


# -- announced keys -------------------------------------------------------------------------

_KEY_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "star": "*",
    "asterisk": "*",
    "hash": "#",
    "pound": "#",
    "square": "#",
    "*": "*",
    "#": "#",
}
_KEY_TOKEN = (
    r"(?:[0-9*#]|zero|one|two|three|four|five|six|seven|eight|nine|star|asterisk|hash|pound|square)"
)
#: A key token followed by a count word is a length, not a key: "the 3 digit CVV".
_NOT_A_COUNT = r"(?!\s*-?\s*(?:digits?|numbers?|characters?|letters?)\b)"
_ANNOUNCE = re.compile(
    r"\b(?:press(?:ing)?|dial|select|push|key|hit|touch|enter|say\s+or\s+press|press\s+or\s+say)"
    r"\s+(?:the\s+)?(?:number\s+|key\s+|digit\s+)?"
    rf"(?P<keys>{_KEY_TOKEN}(?:\s*(?:,|or|and|,\s*or)\s*{_KEY_TOKEN}(?![0-9]))*)(?![0-9a-z])"
    + _NOT_A_COUNT,
    re.IGNORECASE,
)
_SINGLE_KEY = re.compile(_KEY_TOKEN, re.IGNORECASE)
#: "... or 2 to enter a callback number", ", 3 for billing", ". 4 to hear it again":
#: a key after an announcement (or, at the start, the first of a list of them: "1 for
#: sales, 2 for support"); not a range or a count ("8 to 6 weekdays", "2 for 5 dollars").
_ALSO = re.compile(
    rf"(?:^|,|\bor\b|\band\b|[.;!?]\s)\s*(?P<key>{_KEY_TOKEN})\s+(?:to|for)\b"
    r"(?!\s*(?:[0-9]|one|two|three|four|five|six|seven|eight|nine|ten)\b)",
    re.IGNORECASE,
)
#: "Press 1 to 8": every key of a range.
_RANGE = re.compile(r"\s+(?:to|through|-)\s+(?P<last>[0-9])\b(?!\s*(?:digits?|times?)\b)")
#: "For sales, 1.": a key named after what it is for, with no verb.
_FOR_KEY = re.compile(
    rf"\b(?:for|to\s+(?:reach|speak\s+(?:to|with)|talk\s+(?:to|with)))\s+[^.,;:!?]{{1,60}}?,"
    rf"\s*(?P<key>{_KEY_TOKEN})\s*(?=[.;!?]|$|,\s*(?:or\s+|and\s+)?(?:for|to)\b)",
    re.IGNORECASE,
)


def announced_keys(text: str | None) -> list[str]:
    """The keys a prompt tells the caller to press, in the order it says them.

    >>> announced_keys("For sales press 1. For support, press two. To hear again press star.")
    ['1', '2', '*']
    """
    if not text:
        return []
    return list(_announced_keys(text))


# Prompts repeat (the same menu text in every store of a 100,000-node estate), so
# every reading of prompt text below is remembered per distinct text.
@functools.lru_cache(maxsize=1 << 16)
def _announced_keys(text: str) -> tuple[str, ...]:
    # (position in the text, key): keys are listed in the order the prompt says them,
    # whichever way each was read.
    found: list[tuple[int, str]] = []
    for match in _ANNOUNCE.finditer(text):
        start = match.start("keys")
        for token in _SINGLE_KEY.finditer(match.group("keys")):
            found.append((start + token.start(), _key_of(token.group())))
        span = _RANGE.match(text, match.end())
        last = found[-1][1] if found else ""
        if span and last.isdigit():
            found.extend(
                (span.start("last"), str(number))
                for number in range(int(last) + 1, int(span.group("last")) + 1)
            )
    found_by_verb = bool(found)
    found.extend(
        (match.start("key"), _key_of(match.group("key"))) for match in _FOR_KEY.finditer(text)
    )
    listed = [(match.start("key"), _key_of(match.group("key"))) for match in _ALSO.finditer(text)]
    # A key and "to" or "for" after a verb's announcement continues it ("press 1 for sales,
    # 2 for support"); without one, only two or more keys read as announcements ("1 for
    # sales, 2 for support", "2 to pay a bill. For sales, 3."), not one "or 2 to leave".
    if found_by_verb or len({key for _, key in found + listed}) > 1:
        found.extend(listed)
    keys: list[str] = []
    for _, key in sorted(found):
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def _key_of(token: str) -> str:
    return _KEY_WORDS.get(token.lower(), token)


# -- identity fields ------------------------------------------------------------------------

#: Phrases (regular expressions) that name each identity field in prompt text.
IDENTITY_PHRASES: dict[str, tuple[str, ...]] = {
    "date_of_birth": (r"date of birth", r"birth ?date", r"\bdob\b"),
    "account_number": (r"account (?:number|no\b|id\b|code)", r"\bacct\b"),
    "customer_id": (
        r"customer (?:id|number|reference|code)",
        r"member(?:ship)? (?:id|number)",
        r"client (?:id|number)",
        r"reference number",
    ),
    "pin": (r"\bpin\b", r"personal identification number"),
    "passcode": (r"pass ?code", r"password", r"pass ?phrase"),
    "postcode": (r"post ?code", r"postal code", r"\bzip\b(?: code)?", r"zipcode"),
    "phone_number": (
        r"(?:tele)?phone number",
        r"mobile number",
        r"cell(?:ular)? (?:phone )?number",
        r"call ?back number",
        r"contact number",
    ),
    "card_number": (r"card number", r"(?:credit|debit|bank) card", r"\b1[56][ -]digit\b"),
    "national_id": (
        r"social security",
        r"\bssn\b",
        r"national (?:insurance|id|identity)",
        r"personal (?:identity )?number",
        r"personnummer",
        r"\bsin\b",
        r"tax (?:id|number)",
        r"passport number",
    ),
    "name": (r"(?:your|full|first|last|family) name", r"\bsurname\b", r"spell your name"),
    "address": (r"(?:street|home|billing|postal|your) address(?! book)",),
    "email": (r"e-?mail",),
    "security_answer": (
        r"security (?:question|answer)",
        r"maiden name",
        r"memorable (?:word|date|information)",
        r"secret (?:word|answer)",
    ),
    "policy_number": (r"policy (?:number|no\b|id\b)",),
}

#: Vaguer phrases, used only when a prompt names no field by a phrase above
#: ("the last four digits of your social security number" is a national id).
WEAK_IDENTITY_PHRASES: dict[str, tuple[str, ...]] = {
    "card_number": (r"last (?:four|4) digits",),
    "account_number": (r"\baccount\b(?! (?:balance|information|details|type|manager))",),
    "date_of_birth": (r"\bborn\b",),
}

#: Variable-name words that name each identity field (``acctNum``, ``caller_dob``).
IDENTITY_VARIABLES: dict[str, tuple[str, ...]] = {
    "date_of_birth": ("dob", "birth", "birthdate", "birthday", "bday"),
    "account_number": ("acct", "account", "accountnumber", "accountno", "acc", "accno"),
    "customer_id": ("customer", "customerid", "custid", "cust", "member", "memberid", "client"),
    "pin": ("pin", "pincode"),
    "passcode": ("passcode", "password", "pwd", "passwd"),
    "postcode": ("postcode", "zip", "zipcode", "postal"),
    "phone_number": ("phone", "phonenumber", "mobile", "msisdn", "cell", "callback", "ani"),
    "card_number": ("card", "cardnumber", "pan", "ccnum", "cc", "creditcard"),
    "national_id": ("ssn", "sin", "nationalid", "nin", "personalnumber", "personnummer", "taxid"),
    "name": ("name", "firstname", "lastname", "surname", "fullname"),
    "address": ("address", "addr", "street"),
    "email": ("email", "mail"),
    "security_answer": ("security", "secret", "memorable", "maiden"),
    "policy_number": ("policy", "policynumber", "policyno"),
}

_UNSEEN = object()
#: Words in a variable name that say it holds something about a field, not the field.
_QUALIFIERS = frozenset(
    [
        "expiry",
        "expiration",
        "expire",
        "exp",
        "month",
        "year",
        "day",
        "type",
        "choice",
        "option",
        "menu",
        "confirm",
        "confirmed",
        "count",
        "attempt",
        "attempts",
        "retry",
        "retries",
        "tries",
        "status",
        "result",
        "valid",
        "validated",
        "flag",
        "lang",
        "language",
        "of",
        "length",
        "len",
        "format",
        "hint",
    ]
)
#: Words in a variable name that say nothing about what it holds.
_GENERIC_WORDS = frozenset(
    [
        "gather",
        "input",
        "get",
        "read",
        "ask",
        "collect",
        "collected",
        "entry",
        "enter",
        "entered",
        "prompt",
        "ivr",
        "widget",
        "var",
        "value",
        "val",
        "the",
        "my",
        "caller",
        "customers",
        "user",
        "users",
        "info",
        "num",
        "number",
        "no",
        "digit",
        "digits",
    ]
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+")

#: A prompt that asks for part of a value ("the last four digits of your card"):
#: what it collects cannot stand in for the whole value, nor the whole for a
#: different card's, so it is its own fact, ``<field>_last_digits``.
_PARTIAL = re.compile(
    r"\b(?:last|final|first) (?:two|three|four|five|six|[2-6]) (?:digits|numbers)\b",
    re.IGNORECASE,
)
PARTIAL_SUFFIX = "_last_digits"


@dataclass(frozen=True)
class IdentityMatcher:
    """Finds identity fields in prompts and variable names, with configured extras."""

    fields: tuple[str, ...]
    phrases: tuple[tuple[str, re.Pattern[str]], ...]
    weak_phrases: tuple[tuple[str, re.Pattern[str]], ...]
    variables: Mapping[str, str]
    _seen: dict[str, str | None] = dataclass_field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, extra: Mapping[str, Iterable[str]] | None = None) -> IdentityMatcher:
        """A matcher for the built-in vocabulary plus ``extra`` {field: [phrases]}."""
        extra = extra or {}
        fields = tuple(dict.fromkeys((*IDENTITY_FIELDS, *extra)))
        partial = tuple(field + PARTIAL_SUFFIX for field in fields)
        phrases: list[tuple[str, re.Pattern[str]]] = []
        for field in fields:
            patterns = list(IDENTITY_PHRASES.get(field, ()))
            patterns.extend(re.escape(phrase.lower()) for phrase in extra.get(field, ()))
            if field not in IDENTITY_PHRASES:
                patterns.append(re.escape(field.replace("_", " ")))
            if patterns:
                joined = "|".join(f"(?:{pattern})" for pattern in patterns)
                phrases.append((field, re.compile(joined, re.IGNORECASE)))
        weak = tuple(
            (field, re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE))
            for field, patterns in WEAK_IDENTITY_PHRASES.items()
        )
        variables: dict[str, str] = {}
        for field in fields:
            for word in IDENTITY_VARIABLES.get(field, ()):
                variables.setdefault(word, field)
            variables.setdefault(field.replace("_", ""), field)
        variables.setdefault("last4", "card_number" + PARTIAL_SUFFIX)
        return cls((*fields, *partial), tuple(phrases), weak, variables)

    def from_text(self, text: str | None) -> str | None:
        """The identity field a prompt asks for: the one it names first, or
        ``<field>_last_digits`` when it asks for only part of it.

        >>> matcher = IdentityMatcher.build()
        >>> matcher.from_text("Enter the last 4 digits of your card number")
        'card_number_last_digits'
        """
        if not text:
            return None
        found = self._seen.get(text, _UNSEEN)
        if found is _UNSEEN:
            found = _first_named(text, self.phrases) or _first_named(text, self.weak_phrases)
            if found is not None and _PARTIAL.search(text):
                found += PARTIAL_SUFFIX
            if len(self._seen) < 1 << 16:
                self._seen[text] = found
        return found

    def from_variable(self, name: str | None) -> str | None:
        """The identity field a variable name stands for (``acctNum`` -> account_number)."""
        if not name:
            return None
        if name in self.fields:
            return name
        key = "\x00" + name  # variable names share the memo with prompt texts
        found = self._seen.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._from_variable(name)
            if len(self._seen) < 1 << 16:
                self._seen[key] = found
        return found

    def _from_variable(self, name: str) -> str | None:
        words_in_name = [word.lower() for word in _CAMEL.split(name) if word]
        joined = "".join(words_in_name)
        if joined in self.variables:
            return self.variables[joined]
        # A word that qualifies the field ("card_expiry_year", "name_of_dept",
        # "callback_choice") means the variable holds something else.
        if _QUALIFIERS.intersection(words_in_name):
            return None
        meaningful = [word for word in words_in_name if word not in _GENERIC_WORDS]
        joined = "".join(meaningful)
        if joined in self.variables:
            return self.variables[joined]
        for word in meaningful:
            if word in self.variables:
                return self.variables[word]
        return None

    def field_of(self, collects: str | None, prompt: str | None) -> tuple[str | None, bool]:
        """``(field, inferred)`` for a node that collects ``collects`` after ``prompt``.

        A declared vocabulary field is taken as is; otherwise the prompt text,
        then the variable name, are read (a prompt that says "your PIN" beats a
        variable called ``card_info_pin_gather``), and the result is marked
        inferred.
        """
        if collects in self.fields:
            return collects, False
        field = self.from_text(prompt) or self.from_variable(collects)
        return field, field is not None


def _first_named(text: str, phrases: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
    best: tuple[int, int, str] | None = None
    for order, (field, pattern) in enumerate(phrases):
        match = pattern.search(text)
        if match and (best is None or (match.start(), order) < best[:2]):
            best = (match.start(), order, field)
    return best[2] if best else None


# -- hangup reasons -------------------------------------------------------------------------

_UNAVAILABLE = re.compile(
    r"not (?:currently )?(?:taking|accepting|able to take) (?:any )?calls|unavailable"
    r"|\b(?:not|unable|cannot|can't|won't be|will not be)(?: be)?(?: able)? to "
    r"(?:take|answer|accept|handle|connect) (?:your |any |the )?calls?"
    r"|(?:cannot|can't|can not) (?:take|answer|accept) (?:your |any )?calls?"
    r"|no(?: one| agents?| advisers?| advisors?| representatives?)? (?:is |are )?"
    r"(?:currently )?available|nobody is available|all (?:of )?our (?:agents|advisers|advisors|"
    r"representatives|lines|operators) are (?:busy|engaged)|(?:try|call) (?:again )?later"
    r"|lines are (?:busy|closed)|too many calls"
    r"|non (?:è|e'|e) disponibile|(?:n'est |ne sont )?pas disponibles?|no (?:está|esta|están)"
    r" disponibles?|nicht (?:erreichbar|verf[uü]gbar)",
    re.IGNORECASE,
)
_CLOSED = re.compile(
    r"\b(?:we are|we're|office is|offices are|lines are|centre is|center is) (?:now |currently )?"
    r"closed\b|outside (?:of )?(?:our )?(?:business|opening|office) hours|after hours",
    re.IGNORECASE,
)
_ERROR = re.compile(
    r"(?:an? |technical )(?:error|problem|difficult(?:y|ies))|something went wrong"
    r"|\b(?:an? )?(?:internal|system|technical|unexpected|application) (?:system )?error\b"
    r"|system is (?:down|unavailable)|\binvalid\b|too many (?:attempts|tries|errors)"
    r"|(?:could not|couldn't|cannot|can't|unable to|were not able to) (?:verify|process|"
    r"understand|complete|find|help|recogni[sz]e|connect)|did not (?:understand|receive|"
    r"recogni[sz]e|get)|no (?:valid )?(?:input|selection|response) (?:was )?received"
    # Korean: "you pressed a wrong key", "nothing was entered", "cannot proceed".
    r"|잘못\s*(?:누르|눌렀|입력)|입력(?:된|하신)\s*(?:정보|번호|내용)가\s*없습니다"
    r"|진행할\s*수\s*없습니다",
    re.IGNORECASE,
)
_COMPLETED = re.compile(
    r"thank(?:s| you) for (?:calling|your call|contacting|using|your (?:interest|time|business))"
    r"|good ?bye|have a (?:good|great|"
    r"nice) (?:day|evening|night)|your (?:payment|request|order|booking|appointment|message)"
    r" (?:has been|was|is) (?:received|processed|confirmed|booked|recorded|sent)"
    # Menus speak other languages too: French, Spanish, Italian, Portuguese, German.
    r"|\bau revoir\b|merci de votre (?:appel|confiance)|\badi[oó]s\b|gracias por (?:su |tu )?"
    r"(?:llamada|llamar)|\barrivederci\b|grazie per (?:aver|la) (?:chiamato|chiamata)"
    r"|obrigad[oa] (?:por|pela) (?:ligar|liga[cç][aã]o)|\bauf wiederh[oö]ren\b"
    r"|danke f[uü]r ihren anruf"
    # Korean, Japanese, Chinese: "thank you for using / calling", "goodbye".
    r"|(?:이용|전화)(?:해|하여)?\s*주셔서\s*(?:대단히\s*)?감사(?:합니다|드립니다)"
    r"|안녕히\s*(?:계|가)(?:십시오|세요)"
    r"|(?:ご利用|お電話)(?:いただき)?(?:まことに)?ありがとうございま(?:す|した)"
    r"|(?:感谢|谢谢)(?:您的?)?(?:来电|致电|使用)|再见",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1 << 16)
def hangup_reason_from_text(text: str | None) -> str | None:
    """A hangup reason read from what the caller hears last, or None if unclear.

    Words of refusal ("not taking calls", "closed", "an error") win over a
    polite "goodbye": "that department is not taking calls, goodbye" is not a
    completed call.
    """
    if not text:
        return None
    if _UNAVAILABLE.search(text):
        return "unavailable"
    if _CLOSED.search(text):
        return "closed"
    if _ERROR.search(text):
        return "error"
    if _COMPLETED.search(text):
        return "completed"
    return None


_HOURS = re.compile(
    r"\b(?:opening|business|office) hours\b|\bopen (?:from|between|on|at|again|monday|tomorrow)"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekdays)\b"
    r"|\b\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\b\d{1,2}:\d{2}\b"
    r"|\b\d{1,2} ?(?:to|-|until) ?\d{1,2}\b",
    re.IGNORECASE,
)


_RECORDING_WORDS = re.compile(r"[^a-z]+")
_RECORDING_COMPLETED = {"goodbye", "bye", "thanks", "thankyou"}


@functools.lru_cache(maxsize=1 << 16)
def hangup_reason_from_recording(play: str | None) -> str | None:
    """A hangup reason read from a recording's file name (``vm-goodbye.wav``,
    ``demo-thanks``, ``closed-message.mp3``), or None.

    >>> hangup_reason_from_recording("sounds/vm-goodbye.wav"), hangup_reason_from_recording("x.wav")
    ('completed', None)
    >>> hangup_reason_from_recording("custom/thank-you-order-placed")
    'completed'
    """
    if not play:
        return None
    name = play.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    words = [word for word in _RECORDING_WORDS.split(name) if word]
    text = " ".join(words)
    reason = hangup_reason_from_text(text)
    if reason is None and (_RECORDING_COMPLETED & set(words) or "thank you" in text):
        return "completed"
    return reason


@functools.lru_cache(maxsize=1 << 16)
def announces_hours(text: str | None) -> bool:
    """Whether a prompt tells the caller when the line is open."""
    return bool(text) and bool(_HOURS.search(text or ""))


def find_phrases(text: str | None, phrases: Iterable[str]) -> list[str]:
    """Which of ``phrases`` occur in ``text`` (case and spacing ignored), in text order.

    Where two found phrases overlap ("please listen carefully" inside "please
    listen carefully as our options have changed"), only the longer is kept.
    """
    if not text:
        return []
    return list(_find_phrases(text, tuple(phrases)))


@functools.lru_cache(maxsize=1 << 16)
def _find_phrases(text: str, phrases: tuple[str, ...]) -> tuple[str, ...]:
    folded = " ".join(text.lower().split())
    spans: list[tuple[int, int, str]] = []
    for phrase in phrases:
        wanted = " ".join(phrase.lower().split())
        start = folded.find(wanted) if wanted else -1
        if start >= 0:
            spans.append((start, start + len(wanted), phrase))
    kept: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda item: item[0] - item[1]):
        if all(span[1] <= other[0] or span[0] >= other[1] for other in kept):
            kept.append(span)
    return tuple(phrase for _, _, phrase in sorted(kept))


def shorten(text: str | None, limit: int = 80) -> str | None:
    """Text folded to one line and cut to ``limit`` characters with an ellipsis."""
    if text is None:
        return None
    folded = " ".join(text.split())
    return folded if len(folded) <= limit else folded[: limit - 1].rstrip() + "…"
