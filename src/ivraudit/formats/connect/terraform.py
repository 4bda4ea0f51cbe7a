"""Terraform beside a Connect flow: the resource that deploys it (its name, type and
description) and the ``contact_flows_map`` output other flows name it by.

A Terraform configuration deploys each flow with a resource::

    resource "aws_connect_contact_flow" "_0x_dial_extension" {
      name     = "0x Dial Extension"
      type     = "CONTACT_FLOW"
      filename = "${path.module}/_0x_dial_extension.json"
    }

and flows name each other through a map of those resources' ids
(``"${var.contact_flows_map[\\"_0x_dial_extension\\"]}"`` in the flow JSON, filled from an
output ``contact_flows_map = { "_0x_dial_extension" = aws_connect_contact_flow.x.contact_flow_id
}``).  Only the few attributes ivraudit needs are read, with patterns: HCL is not evaluated.
Terraform files are found beside the flow files of the estate (``*.tf``, and ``*.tf.for_later``
as some repositories park them), never outside the estate's root.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ivraudit.formats._parse import decode, read_bytes
from ivraudit.formats.estate import Estate

#: Terraform files are small; a larger one is not read.
_MAX_BYTES = 2 * 1024 * 1024
_SUFFIXES = (".tf", ".tf.for_later")

_RESOURCE = re.compile(r'resource\s+"(aws_connect_contact_flow(?:_module)?)"\s+"([^"]+)"\s*\{')
_ATTRIBUTE = re.compile(
    r"^[ \t]*(name|type|description|filename|content)[ \t]*=[ \t]*(.*?)[ \t]*$", re.MULTILINE
)
_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"$')
_FILE_NAMED = re.compile(r'([^"/{}()$]+\.(?:json|yaml|yml))"')
_PHONE = re.compile(
    r'resource\s+"aws_connect_phone_number_contact_flow_association"\s+"[^"]+"\s*\{'
)
_FLOW_ID = re.compile(r"^[ \t]*contact_flow_id[ \t]*=[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_MAP_ENTRY = re.compile(
    r'"([^"]+)"\s*=\s*(aws_connect_contact_flow(?:_module)?)\.([A-Za-z0-9_\-]+)\.'
)


@dataclass
class Resource:
    """One ``aws_connect_contact_flow`` (or ``_module``) resource."""

    kind: str
    name: str
    directory: str
    attributes: dict[str, str] = field(default_factory=dict)
    #: The flow file it deploys (basename, in ``directory``), when it names one.
    file: str | None = None

    @property
    def address(self) -> str:
        return f"{self.kind}.{self.name}"

    @property
    def is_module(self) -> bool:
        return self.kind.endswith("_module")


@dataclass
class Terraform:
    """What the Terraform files of an estate say about its flows."""

    resources: list[Resource] = field(default_factory=list)
    #: ``contact_flows_map`` (and any such output) key -> resource name
    map_keys: dict[str, str] = field(default_factory=dict)
    #: What the ``contact_flow_id`` of each phone number association names, as written
    #: (``aws_connect_contact_flow.main.contact_flow_id``, an id): the flows callers dial.
    phoned: list[str] = field(default_factory=list)

    def for_file(self, path: str) -> Resource | None:
        """The resource that deploys the flow file ``path`` (by ``filename``/``file()``,
        else the resource named like the file)."""
        directory, base = os.path.split(os.path.realpath(path))
        stem = base.split(".", 1)[0]
        named = None
        for resource in self.resources:
            if resource.directory != directory:
                continue
            if resource.file == base:
                return resource
            if resource.file is None and resource.name == stem:
                named = resource
        return named

    def by_name(self, name: str) -> Resource | None:
        found = [resource for resource in self.resources if resource.name == name]
        return found[0] if len(found) == 1 else None


def terraform_of(estate: Estate) -> Terraform:
    """The Terraform beside the estate's flow files (read once per run and process)."""
    key = ("connect", "terraform", estate.root)
    known = estate.cache.get(key)
    if known is None:
        known = _read(estate)
        estate.cache[key] = known
    return known


def _read(estate: Estate) -> Terraform:
    terraform = Terraform()
    directories = sorted({os.path.dirname(path) for path in estate.files})
    for directory in directories:
        if not estate.contains(directory):
            continue
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            path = os.path.join(directory, name)
            if not name.endswith(_SUFFIXES) or not estate.contains(path):
                continue
            try:
                text = decode(read_bytes(path, _MAX_BYTES), path)
            except Exception:
                continue
            _parse(text, os.path.realpath(directory), terraform)
    return terraform


def _parse(text: str, directory: str, terraform: Terraform) -> None:
    for match in _RESOURCE.finditer(text):
        body = _block(text, match.end())
        resource = Resource(match.group(1), match.group(2), directory)
        for attribute in _ATTRIBUTE.finditer(body):
            value = attribute.group(2)
            plain = _STRING.match(value)
            resource.attributes[attribute.group(1)] = plain.group(1) if plain else value
            if attribute.group(1) in ("filename", "content"):
                named = _FILE_NAMED.search(value)
                if named and "path.module" in value:
                    resource.file = named.group(1).rsplit("/", 1)[-1]
        terraform.resources.append(resource)
    for match in _PHONE.finditer(text):
        for flow in _FLOW_ID.finditer(_block(text, match.end())):
            terraform.phoned.append(flow.group(1).strip('"'))
    for entry in _MAP_ENTRY.finditer(text):
        terraform.map_keys.setdefault(entry.group(1), entry.group(3))


def _block(text: str, start: int) -> str:
    """The body of a block whose ``{`` ends just before ``start`` (braces counted)."""
    depth = 1
    index = start
    while index < len(text) and depth:
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        index += 1
    return text[start : index - 1]
