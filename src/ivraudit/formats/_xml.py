"""XML read safely (defusedxml) into a small element tree that keeps line numbers.

Entity declarations, external entities and DTD tricks are refused by
defusedxml; parsing is event driven, so deep nesting cannot overflow the
stack, and a depth limit keeps memory bounded.
"""

from __future__ import annotations

import codecs
import functools
import importlib
import re
import xml.parsers.expat
import xml.sax
import xml.sax.expatreader
from collections.abc import Iterator
from dataclasses import dataclass, field

import defusedxml
import defusedxml.expatreader

from ivraudit.formats._parse import MAX_DEPTH, Document, encoding_error
from ivraudit.model.errors import MenuError


@dataclass
class XmlElement:
    """One element: tag (namespace removed), attributes, children, text and position."""

    tag: str
    attrib: dict[str, str]
    line: int
    column: int
    children: list[XmlElement] = field(default_factory=list)
    text: str = ""
    tail: str = ""

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrib.get(name, default)

    def iter(self, tag: str | None = None) -> Iterator[XmlElement]:
        """This element and all below it, in document order (no recursion)."""
        stack = [self]
        while stack:
            element = stack.pop()
            if tag is None or element.tag == tag:
                yield element
            stack.extend(reversed(element.children))

    def findall(self, tag: str) -> list[XmlElement]:
        """Direct children with this tag."""
        return [child for child in self.children if child.tag == tag]

    def find(self, tag: str) -> XmlElement | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def all_text(self) -> str:
        """The text of this element and everything below it, spaces folded."""
        parts: list[str] = []
        stack: list[XmlElement | str] = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                parts.append(item)
                continue
            parts.append(item.text)
            for child in reversed(item.children):
                stack.append(child.tail)
                stack.append(child)
        return " ".join(" ".join(parts).split())


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if ("}" in name or ":" in name) else name


class _Builder(xml.sax.handler.ContentHandler):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.stack: list[XmlElement] = []
        self.root: XmlElement | None = None
        self.locator: xml.sax.xmlreader.Locator | None = None

    def setDocumentLocator(self, locator: xml.sax.xmlreader.Locator) -> None:
        self.locator = locator

    def _position(self) -> tuple[int, int]:
        if self.locator is None:
            return 1, 1
        return self.locator.getLineNumber() or 1, (self.locator.getColumnNumber() or 0) + 1

    def startElement(self, name: str, attrs: xml.sax.xmlreader.AttributesImpl) -> None:
        if len(self.stack) >= MAX_DEPTH:
            line, column = self._position()
            raise MenuError(
                self.path, line, column, f"XML nested too deeply (more than {MAX_DEPTH} levels)"
            )
        line, column = self._position()
        element = XmlElement(_local(name), {_local(k): v for k, v in attrs.items()}, line, column)
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def endElement(self, name: str) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        if not self.stack:
            return
        top = self.stack[-1]
        if top.children:
            top.children[-1].tail += content
        else:
            top.text += content


def parse_xml(text: str, path: str) -> Document:
    """Parse XML text into a Document whose value is the root :class:`XmlElement`."""
    declared = _DECLARED_ENCODING.match(text)
    if declared is not None and not xml_reads(declared.group(1)):
        raise encoding_error(path, declared.group(1))
    builder = _Builder(path)
    parser = defusedxml.expatreader.create_parser(
        forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    parser.setContentHandler(builder)
    parser.setFeature(xml.sax.handler.feature_namespaces, False)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    try:
        # xml.sax hands the document locator over only in parse(); feed() needs it set
        # by hand, or every element would report line 1, column 1.
        parser.reset()
        builder.setDocumentLocator(xml.sax.expatreader.ExpatLocator(parser))
        parser.feed(text)
        parser.close()
    except MenuError:
        raise
    except xml.sax.SAXParseException as exc:
        raise MenuError(
            path,
            exc.getLineNumber() or 1,
            (exc.getColumnNumber() or 0) + 1,
            f"invalid XML: {exc.getMessage()}",
        ) from None
    except defusedxml.DefusedXmlException as exc:
        line, column = builder._position()
        raise MenuError(
            path, line, column, f"unsafe XML refused: {exc}", "remove entity declarations"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise MenuError(path, 1, 1, f"invalid XML: {exc}") from None
    if builder.root is None:
        raise MenuError(path, 1, 1, "XML document has no root element")
    return Document(path, text, builder.root, {(): (1, 1)})


_DECLARED_ENCODING = re.compile(
    r"""\A\ufeff?\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']"""
)
#: The encodings expat reads by itself (UTF-16 files are refused earlier, by their NULs).
_EXPAT_OWN = {"utf-8", "iso8859-1", "ascii"}


@functools.lru_cache(maxsize=64)
def xml_reads(encoding: str) -> bool:
    """Whether an XML parser reads ``encoding``: expat's own UTF-8, ISO-8859-1 and
    US-ASCII, or a one-byte code page (windows-1252, KOI8-R, ...) that Python's expat
    maps through the codec registry.  Python-only codecs (idna, utf-7, punycode, rot13)
    and multi-byte ones (expat reads them only as UTF-8 or UTF-16) are not.

    >>> xml_reads("windows-1252"), xml_reads("utf-7")
    (True, False)
    """
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    if name in _EXPAT_OWN:
        return True
    try:  # a one-byte code page is a table of 256 characters
        importlib.import_module("encodings." + name.replace("-", "_")).decoding_table  # noqa: B018
    except (ImportError, AttributeError):
        return False
    probe = f'<?xml version="1.0" encoding="{name}"?><a/>'.encode("ascii")
    try:  # expat itself refuses the code pages that move ASCII (EBCDIC)
        xml.parsers.expat.ParserCreate().Parse(probe, True)
    except (xml.parsers.expat.ExpatError, ValueError, LookupError):
        return False
    return True
