"""What the REFI-QDA project (`.qdpx`) and codebook (`.qdc`) writers share.

GUIDs are uuid5 of the project's random identifier plus a stable key, so the
same data exported twice gives the same GUIDs (a tool recognises its earlier
import) while two projects never share one.

Code names are cut to `MAX_CODE_NAME` characters, the longest MAXQDA keeps;
the full question text always travels as the code's description.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from interview_tui.export.layout import xml_safe
from interview_tui.export.model import GuideCode

_GUID_NS = uuid.UUID("6f1c1f8e-2d7a-4c55-9b8e-3a4f0e6d2b10")

#: MAXQDA refuses longer code names; NVivo, ATLAS.ti and QualCoder take them.
MAX_CODE_NAME = 63


def guid(project_uuid: str, *key: object) -> str:
    """A GUID for `key` within one project: stable across exports, unique across projects."""
    return str(uuid.uuid5(_GUID_NS, "/".join(str(k) for k in (project_uuid, *key))))


def element(parent: ET.Element | None, ns: str, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    """A namespaced element with XML-safe text and attributes (None attributes are left out)."""
    values = {k: xml_safe(str(v)) for k, v in attrs.items() if v is not None}
    node = ET.Element(f"{{{ns}}}{tag}", values) if parent is None else ET.SubElement(parent, f"{{{ns}}}{tag}", values)
    if text is not None:
        node.text = xml_safe(text)
    return node


def refi_datetime(iso: str | None, fallback: str) -> str:
    """An ISO 8601 timestamp as `YYYY-MM-DDThh:mm:ssZ` in UTC, the form the QDA tools write and read."""
    for value in (iso, fallback):
        if not value:
            continue
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def short_name(text: str, limit: int = MAX_CODE_NAME) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters (with '…' when cut)."""
    text = " ".join(xml_safe(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def code_names(codes: list[GuideCode]) -> dict[tuple[str, str], str]:
    """A short, unique name for every guide code, keyed by (kind, id).

    Tools merge codes by name on import (QualCoder reuses an existing code of the
    same name), so two questions that cut to the same name get a numbered suffix.
    """
    names: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for c in codes:
        name = short_name(c.name) or c.id
        n = 2
        while name.lower() in taken:
            suffix = f" ({n})"
            name = short_name(c.name, MAX_CODE_NAME - len(suffix)) + suffix
            n += 1
        taken.add(name.lower())
        names[(c.kind, c.id)] = name
    return names


def code_description(c: GuideCode) -> str | None:
    """The code's description: the full question (or section title) and its interviewer note."""
    parts = [" ".join(c.name.split())]
    if c.description and c.description.strip() != c.name.strip():
        parts.append(c.description.strip())
    kind = {"question": "Guide question", "section": "Guide section"}.get(c.kind, "Guide prompt")
    return f"{kind} '{c.id}': " + "\n\n".join(parts)


def add_code_tree(parent: ET.Element, ns: str, project_uuid: str, codes: tuple[GuideCode, ...]) -> None:
    """The guide's sections and questions as nested `Code` elements under `parent`."""
    names = code_names([c for top in codes for c in top.walk()])

    def add(node_parent: ET.Element, c: GuideCode) -> None:
        node = element(node_parent, ns, "Code", guid=code_guid(project_uuid, c), name=names[(c.kind, c.id)],
                       isCodable="true")
        element(node, ns, "Description", code_description(c))
        for child in c.children:
            add(node, child)

    for top in codes:
        add(parent, top)


def code_guid(project_uuid: str, c: GuideCode) -> str:
    return guid(project_uuid, "code", c.kind, c.id)
