"""Transcript files: plain text, SRT, WebVTT, JSON and a question-by-question Markdown.

The layouts are regular so that other tools (and our tests) can parse them back:

* txt: a `#` header, then one paragraph per speaker turn: `[hh:mm:ss] Speaker: text`
* srt: cues of subtitle size (`subtitles.py`: 42 characters a line, 2 lines, 7 s),
  a segment's first cue opening with `Speaker: `
* vtt: `WEBVTT`, the same cues, each with its voice `<v Speaker>`
* json: `{"meta": {...}, "questions": {id: text}, "segments": [{start, end, speaker, ...}]}`
* md: `## <question text>` per guide question (in the order asked), turns as
  `**[hh:mm:ss] Speaker:** text`
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from interview_tui.domain.timecode import hh_mm_ss, srt_time, vtt_time
from interview_tui.transcription.subtitles import segment_cues
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta, Word

if TYPE_CHECKING:
    from interview_tui.outputs import Guard

FORMATS = ("txt", "srt", "vtt", "json", "md")
NO_QUESTION_HEADING = "Before the first guide question"


def turns(segments: list[Segment]) -> Iterator[list[Segment]]:
    """Runs of consecutive segments by the same speaker under the same question."""
    run: list[Segment] = []
    for seg in segments:
        if run and (seg.speaker != run[-1].speaker or seg.question_id != run[-1].question_id):
            yield run
            run = []
        run.append(seg)
    if run:
        yield run


def _label(seg: Segment) -> str:
    return seg.speaker_label


def _header(meta: TranscriptMeta) -> list[str]:
    facts = [
        ("source", meta.source),
        ("participant", meta.participant_code),
        ("version", meta.version),
        ("model", meta.model),
        ("engine", meta.engine),
        ("language", meta.language),
        ("mode", "verbatim" if meta.options.get("verbatim", True) else "clean"),
    ]
    return [f"{k}: {v}" for k, v in facts if v is not None]


def to_txt(t: Transcript) -> str:
    """Plain text: header lines starting with `#`, then one paragraph per turn."""
    lines = [f"# {h}" for h in _header(t.meta)] + [""]
    for run in turns(t.segments):
        text = " ".join(s.text for s in run if s.text)
        lines += [f"[{hh_mm_ss(run[0].start)}] {_label(run[0])}: {text}", ""]
    return "\n".join(lines)


def to_srt(t: Transcript) -> str:
    """SubRip subtitles: each segment as one or more cues of subtitle size."""
    cues = [c for s in t.segments for c in segment_cues(s, f"{_label(s)}: ")]
    return "\n".join(
        f"{i}\n{srt_time(c.start)} --> {srt_time(c.end)}\n" + "\n".join(c.lines) + "\n"
        for i, c in enumerate(cues, 1)
    )


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(t: Transcript) -> str:
    """WebVTT with voice spans `<v Speaker>`."""
    out = ["WEBVTT", ""]
    n = 0
    for s in t.segments:
        for c in segment_cues(s):
            n += 1
            text = "\n".join(_vtt_escape(line) for line in c.lines)
            out += [str(n), f"{vtt_time(c.start)} --> {vtt_time(c.end)}", f"<v {_vtt_escape(_label(s))}>{text}", ""]
    return "\n".join(out)


def to_json(t: Transcript) -> str:
    """Everything, words included, as JSON."""
    doc = {
        "meta": asdict(t.meta),
        "questions": t.questions,
        "segments": [asdict(s) for s in t.segments],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def from_json(text: str) -> Transcript:
    """The Transcript a `to_json` document holds."""
    doc = json.loads(text)
    segments = [
        Segment(**{**s, "words": [Word.from_dict(w) for w in s.get("words", [])]}) for s in doc["segments"]
    ]
    return Transcript(TranscriptMeta(**doc["meta"]), segments, doc.get("questions", {}))


def to_md(t: Transcript) -> str:
    """Markdown read question by question: a heading per guide question, turns under it."""
    title = t.meta.participant_code or (Path(t.meta.source).name if t.meta.source else "recording")
    lines = [f"# Transcript: {title}", ""] + [f"- {h}" for h in _header(t.meta)] + [""]
    current: object = object()
    for run in turns(t.segments):
        qid = run[0].question_id
        if qid != current:
            heading = t.questions.get(qid, qid) if qid else (NO_QUESTION_HEADING if t.questions else "Transcript")
            lines += [f"## {heading}", ""]
            current = qid
        text = " ".join(s.text for s in run if s.text)
        lines += [f"**[{hh_mm_ss(run[0].start)}] {_label(run[0])}:** {text}", ""]
    return "\n".join(lines)


WRITERS: dict[str, Callable[[Transcript], str]] = {
    "txt": to_txt, "srt": to_srt, "vtt": to_vtt, "json": to_json, "md": to_md,
}


def parse_formats(spec: str) -> list[str]:
    """`"txt,srt"` -> `["txt", "srt"]`; raises ValueError naming an unknown format."""
    chosen = [f.strip().lower().lstrip(".") for f in spec.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in WRITERS]
    if unknown or not chosen:
        raise ValueError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    return chosen


def write_outputs(t: Transcript, stem: Path, formats: list[str], *, guard: "Guard | None" = None,
                  force: bool = True) -> list[Path]:
    """Write `stem.<fmt>` for each format, each atomically (temp file, then rename).

    With a `guard` (a path the user chose), protected paths are refused and an existing
    file is replaced only with `force` (see `interview_tui.outputs`).
    """
    written = []
    if guard is not None:
        from interview_tui.outputs import write_output

        for fmt in formats:
            text = WRITERS[fmt](t)
            path = stem.with_name(f"{stem.name}.{fmt}")
            write_output(path, lambda staged, text=text: staged.write_text(text, encoding="utf-8"),
                         guard=guard, force=force)
            written.append(path)
        return written
    stem.parent.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text(WRITERS[fmt](t), encoding="utf-8")
        os.replace(tmp, path)
        written.append(path)
    return written
