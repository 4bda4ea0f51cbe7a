"""Configuration: ivraudit.toml or [tool.ivraudit] in pyproject.toml.

The file is found by walking up from the current directory.  Every key is
validated by the :class:`Config` model, so a typo is an error that names the
nearest valid key, not a silently ignored setting.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from ivraudit.model.errors import ConfigError
from ivraudit.model.findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_RESENTED_PHRASES = (
    "your call is important to us",
    "listen carefully as our options have changed",
    "please listen carefully",
    "our menu options have changed",
    "visit our website",
    "calls may be recorded for training purposes",
    "we are experiencing higher than normal call volumes",
    "we are experiencing a high volume of calls",
    "please stay on the line and your call will be answered",
)


class Settings(BaseModel):
    """Thresholds and estimates the rules and metrics use; every one configurable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_options: Annotated[int, Field(ge=1, le=99)] = Field(
        default=5, description="Most choices (keys 1-9 and spoken options) a menu may offer."
    )
    max_presses: Annotated[int, Field(ge=0, le=99)] = Field(
        default=3, description="Most menu selections an outcome may need from the start."
    )
    max_seconds_to_human: Annotated[float, Field(ge=0)] = Field(
        default=60.0, description="Longest estimated time from the start to the nearest human."
    )
    max_prompt_seconds: Annotated[float, Field(ge=0)] = Field(
        default=20.0, description="Longest estimated time one prompt may take to speak."
    )
    words_per_minute: Annotated[float, Field(gt=0, le=1000)] = Field(
        default=150.0, description="Speaking rate used to estimate prompt length."
    )
    seconds_per_input: Annotated[float, Field(ge=0)] = Field(
        default=2.0, description="Time a caller takes for one key press or answer."
    )
    input_timeout: Annotated[float, Field(ge=0)] = Field(
        default=5.0, description="Seconds of silence before no-input, where a node sets none."
    )
    audio_prompt_seconds: Annotated[float, Field(ge=0)] = Field(
        default=5.0, description="Assumed length of a recorded prompt whose text is unknown."
    )
    operator_key: str = Field(
        default="0", pattern=r"^[0-9*#A-D]$", description="The key that must reach a human."
    )
    resented_phrases: tuple[str, ...] = Field(
        default=DEFAULT_RESENTED_PHRASES,
        description="Phrases callers resent (MN005), matched case-insensitively.",
    )
    min_reorder_saving: Annotated[float, Field(ge=0)] = Field(
        default=60.0,
        description="Least caller-seconds a day that announcing a menu's options in order of "
        "use must save to be reported (TR001).",
    )
    unchosen_min_calls: Annotated[int, Field(ge=1)] = Field(
        default=200,
        description="Least logged calls at a menu before an option none of them chose is "
        "reported (TR002).",
    )
    max_abandon_share: Annotated[float, Field(ge=0, le=1)] = Field(
        default=0.2,
        description="Largest share of the calls reaching a node that may hang up there (TR003).",
    )
    abandon_min_calls: Annotated[int, Field(ge=1)] = Field(
        default=20,
        description="Least logged calls at a node before its hang-up share is judged (TR003).",
    )


class TrafficNode(BaseModel):
    """Logged calls at one node: those that reached it, and those whose last step it was
    (None: suppressed, under the counts' ``min_calls``); ``seconds``: the median time
    the logged calls took from their start to reach it (None: the logs give no times,
    or the counts came from a counts file, which keeps none)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    flow: str = ""
    node: str
    calls: int
    ended: int | None = None
    seconds: float | None = None


class TrafficEdge(BaseModel):
    """Logged calls that went from ``node`` to ``to_node`` with ``key`` ("" for none)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    flow: str = ""
    node: str
    to_node: str
    key: str = ""
    calls: int


class TrafficSpan(BaseModel):
    """The days between the first and the last logged step of one flow ("" for steps the
    log names no flow for)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    flow: str = ""
    days: float


class Traffic(BaseModel):
    """Call-log counts as plain data for the rules that need traffic (TR): set by
    ``check --traffic`` (from :func:`ivraudit.traffic.plain.traffic_data`), never by a
    config file.  ``days`` is the span of the logs' times in days (None: not known);
    ``spans`` each flow's own, in a log of several flows."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    calls: int
    min_calls: int = 1
    days: float | None = None
    spans: tuple[TrafficSpan, ...] = ()
    nodes: tuple[TrafficNode, ...] = ()
    edges: tuple[TrafficEdge, ...] = ()


class Config(BaseModel):
    """Everything an ivraudit.toml may say."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    select: list[str] = Field(
        default_factory=list, description="Rules to run: ids, id prefixes or names (empty: all)."
    )
    ignore: list[str] = Field(default_factory=list, description="Rules not to run.")
    severity: dict[str, Severity] = Field(
        default_factory=dict, description="Per-rule severity overrides, e.g. {DE007 = 'warning'}."
    )
    per_file_ignores: dict[str, list[str]] = Field(
        default_factory=dict, description="File glob -> rules not reported in matching files."
    )
    identity_fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Extra identity fields and the phrases that name them in prompts.",
    )
    fail_on: Severity | None = Field(
        default=Severity.WARNING, description="Lowest severity that makes check exit 1."
    )
    max_bytes: int = Field(default=64 * 1024 * 1024, ge=1, description="Largest file read.")
    entries: list[str] | None = Field(
        default=None,
        description="The parts callers enter (globs on a flow's id, its file, or 'file#id'); "
        "when set, these are the entries and every other caller-facing part is only reached.",
    )
    audit_samples: bool = Field(
        default=False,
        description="Audit parts named as demos, tests or examples (FreeSWITCH's demo_ivr, a "
        "'holiday_routing_test' flow) as caller lines; by default they get structural rules only.",
    )
    twilio_flows: dict[str, str] = Field(
        default_factory=dict,
        description="Twilio Studio flow SID -> the file of the estate that holds that flow "
        "(a definition exported from Studio carries no SID), relative to the config file; "
        "Run Subflow widgets naming the SID run it.",
    )
    settings: Settings = Field(default_factory=Settings)
    #: Call-log counts for the TR rules; set by ``check --traffic``, not by a config file.
    traffic: Traffic | None = Field(default=None, description="Set by check --traffic only.")
    _origin: str = PrivateAttr(default="<config>")

    @property
    def origin(self) -> str:
        """Where this config was read from (a file path, or ``<config>``)."""
        return self._origin

    def rule_selectors(self) -> list[tuple[str, list[str]]]:
        """Every place this config names rules, as (config key, selectors)."""
        places = [("select", self.select), ("ignore", self.ignore)]
        places.append(("severity", list(self.severity)))
        places += [
            (f"per_file_ignores.{glob}", rules) for glob, rules in self.per_file_ignores.items()
        ]
        return places

    def names_entry(self, file: str, flow: str | None) -> bool:
        """Whether ``entries`` names the flow ``flow`` of ``file`` (by id, file or file#id)."""
        from ivraudit.model.findings import normal_path

        spellings = {file.replace("\\", "/"), normal_path(file), os.path.basename(file)}
        if flow:
            spellings |= {flow} | {f"{spelling}#{flow}" for spelling in list(spellings)}
        return any(
            fnmatch.fnmatchcase(spelling, pattern)
            for pattern in self.entries or ()
            for spelling in spellings
        )

    def flow_files(self) -> dict[str, str]:
        """``twilio_flows`` with each file made absolute: relative to the config file's
        folder (to the current directory for a config not read from a file)."""
        base = os.path.dirname(os.path.abspath(self._origin)) if self._origin != "<config>" else ""
        return {
            sid.strip(): os.path.realpath(os.path.join(base or os.getcwd(), file))
            for sid, file in self.twilio_flows.items()
        }

    def ignored_in(self, file: str) -> list[str]:
        """Rules ignored for one file by ``per_file_ignores``."""
        from ivraudit.model.findings import normal_path

        # './menus/a.yaml', 'menus/a.yaml' and an absolute path all match "menus/*".
        spellings = {file.replace("\\", "/"), normal_path(file)}
        spellings.add(os.path.basename(file))
        ignored: list[str] = []
        for pattern, rules in self.per_file_ignores.items():
            if any(fnmatch.fnmatch(spelling, pattern) for spelling in spellings):
                ignored.extend(rules)
        return ignored

    def merged(self, **changes: Any) -> Config:
        """A copy with some top-level keys or settings replaced (CLI flags override files)."""
        settings_changes = {k: v for k, v in changes.items() if k in Settings.model_fields}
        top = {k: v for k, v in changes.items() if k not in Settings.model_fields}
        data = self.model_dump()
        data.update(top)
        data["settings"] = {**data["settings"], **settings_changes}
        changed = Config.model_validate(data)
        changed._origin = self._origin
        return changed


CONFIG_FILE = "ivraudit.toml"


def find_config(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest ivraudit.toml, or pyproject.toml with [tool.ivraudit], walking up."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "ivraudit" in data["tool"]


def read_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read a config file (or find one); defaults when there is none.

    This checks the file's shape only; :func:`ivraudit.load_config` also checks
    that every rule it names exists.

    Thresholds may be written at the top level (``max_options = 4``) or in a
    ``[settings]`` table.
    """
    found = Path(path) if path is not None else find_config()
    if found is None:
        return Config()
    try:
        data = tomllib.loads(found.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{found}: cannot read config: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{found}: config is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{found}: invalid TOML: {exc}") from None
    if found.name == "pyproject.toml":
        data = data.get("tool", {}).get("ivraudit", {})
    return parse_config(data, str(found))


def parse_config(data: dict[str, Any], origin: str = "<config>") -> Config:
    """Validate a config mapping's shape; flat thresholds are moved into ``settings``."""
    data = dict(data)
    settings = dict(data.pop("settings", {}) or {})
    for key in list(data):
        normal = key.replace("-", "_")
        if normal in Settings.model_fields:
            settings[normal] = data.pop(key)
        elif normal != key:
            data[normal] = data.pop(key)
    if "fail_on" in data and data["fail_on"] == "never":
        data["fail_on"] = None
    data["settings"] = settings
    if "traffic" in data:
        raise ConfigError(f"{origin}: config key 'traffic' is set by 'check --traffic' only")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_config_problem(exc, origin)) from None
    config._origin = origin
    return config


def _config_problem(exc: ValidationError, origin: str) -> str:
    error = exc.errors(include_url=False)[0]
    loc = [str(part) for part in error["loc"] if part != "settings"]
    name = ".".join(loc) or "config"
    if error["type"] == "extra_forbidden":
        known = [*Config.model_fields, *Settings.model_fields]
        close = difflib.get_close_matches(loc[-1], known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"{origin}: unknown config key '{name}'{hint}"
    message = error["msg"]
    if error["type"] == "string_pattern_mismatch" and loc[-1:] == ["operator_key"]:
        message = f"{error['input']!r} is not one key; use a digit, '*', '#' or A-D"
    return f"{origin}: config key '{name}': {message}"
