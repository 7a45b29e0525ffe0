"""The interview guide as a standalone REFI-QDA codebook (`.qdc`).

A `.qdc` is one XML file (namespace `urn:QDA-XML:codebook:1.0`) holding a
`CodeBook` with the same `Codes` a project holds; NVivo, MAXQDA, ATLAS.ti and
QualCoder import it into an open project.  Sections hold their questions, and
each question holds its follow-ups and probes (a probe's condition is in its
description).  GUIDs of sections and questions are those the project export
uses, so codings imported later from a `.qdpx` land on the same codes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from interview_tui import __version__
from interview_tui.domain.study import Prompt, Question, Section, Study
from interview_tui.export.model import GuideCode
from interview_tui.export.refi import add_code_tree, element

NS = "urn:QDA-XML:codebook:1.0"


def _prompt(p: Prompt, question_id: str) -> GuideCode:
    kind = f"Probe (if {p.condition})" if p.is_probe else "Follow-up"
    description = f"{kind} under question '{question_id}'" + (f". {p.note}" if p.note else "")
    return GuideCode(f"{question_id}/{p.id}", p.text, "prompt", description,
                     tuple(_prompt(child, question_id) for child in p.prompts))


def _question(q: Question) -> GuideCode:
    return GuideCode(q.id, q.text, "question", q.note, tuple(_prompt(p, q.id) for p in q.prompts))


def codebook_codes(study: Study) -> tuple[GuideCode, ...]:
    """The guide as codes: sections, their questions, and each question's follow-ups and probes."""

    def section(s: Section) -> GuideCode:
        children = tuple(_question(q) for q in s.questions) + tuple(section(sub) for sub in s.sections)
        return GuideCode(s.id, s.title, "section", s.note, children)

    return tuple(section(s) for s in study.guide.sections) + (_question(study.guide.closing),)


def build_codebook(study: Study, project_uuid: str) -> ET.ElementTree:
    """The `.qdc` tree for `study` in the project identified by `project_uuid`."""
    ET.register_namespace("", NS)
    root = element(None, NS, "CodeBook", origin=f"interview-tui {__version__}")
    add_code_tree(element(root, NS, "Codes"), NS, project_uuid, codebook_codes(study))
    ET.indent(root)
    return ET.ElementTree(root)


def write_codebook(study: Study, project_uuid: str, out: Path) -> Path:
    """Write the `.qdc` to `out` (via a temporary name, renamed into place)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    try:
        with tmp.open("wb") as fh:
            fh.write(b'<?xml version="1.0" encoding="utf-8"?>\n')
            build_codebook(study, project_uuid).write(fh, encoding="utf-8", xml_declaration=False)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(out)
    return out
