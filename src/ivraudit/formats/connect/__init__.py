"""Amazon Connect flows: embed (flows inside wrappers, CloudFormation, Terraform), actions (the
action list), flow (actions to nodes, per block type in blocks, nodes, prompts, inputs, branches
and transfers), loader."""

from __future__ import annotations

from ivraudit.formats.connect.loader import FORMATS, NEAR_MISSES
from ivraudit.formats.connect.words import WORDS

__all__ = ["FORMATS", "NEAR_MISSES", "WORDS"]
