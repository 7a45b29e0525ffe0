"""Plain-text transcripts in the forms MAXQDA and NVivo import with timestamps.

MAXQDA: one paragraph per speaker turn, `Name: text`, with a `#hh:mm:ss-d#`
timestamp before every segment, and one after the turn's last segment only
where the next turn does not start at that same time (so each boundary has one
timestamp; MAXQDA links each to its text position, and a click plays from there).

NVivo, paragraph form: one paragraph per segment starting with its time,
`[hh:mm:ss.d] Name: text` (NVivo requires a timestamp at the start of every
paragraph, so this file has no header paragraph).  NVivo, table form (`.tsv`):
the columns `Timespan`, `Speaker`, `Content` that NVivo's transcript import
maps, with `hh:mm:ss.d - hh:mm:ss.d` timespans.

The MAXQDA file opens with a header paragraph naming the participant and the
transcript version (without a colon, so MAXQDA does not take it for a
speaker); the NVivo files cannot carry one, so each output folder also gets a
`versions.txt` listing the version behind every file.  A transcript of an interview that took
several recordings names each of them (file, start, length, place in the transcript) in both.
"""

from __future__ import annotations

from pathlib import Path

from interview_tui.domain.safe_text import spreadsheet_cell
from interview_tui.export.layout import clean, turns
from interview_tui.export.model import ExportParticipant, ExportProject, ExportTranscript
from interview_tui.domain.timecode import hh_mm_ss_d, maxqda

#: Text files get a byte-order mark: the Windows tools then never guess the encoding wrong.
ENCODING = "utf-8-sig"


def transcript_stem(p: ExportParticipant, t: ExportTranscript) -> str:
    """File name stem for a transcript: the code, plus a number when there are several recordings."""
    if len(p.transcripts) <= 1:
        return p.code
    return f"{p.code}-{p.transcripts.index(t) + 1}"


def _length(seconds: float | None) -> str:
    """`1 min 40 s`: a length in words (headers cannot hold colons)."""
    total = int(round(seconds or 0))
    h, rest = divmod(total, 3600)
    m, sec = divmod(rest, 60)
    if h:
        return f"{h} h {m} min"
    if m:
        return f"{m} min {sec} s" if sec else f"{m} min"
    return f"{sec} s"


def recordings_text(t: ExportTranscript) -> str:
    """The recordings a transcript was made from: one by its id; several each by file, version,
    start, length and where it begins in the transcript (an interview of several is one file)."""
    if len(t.parts) <= 1:
        return f"recording {t.recording_id}"
    items = []
    for part in t.parts:
        started = f", started {part.started_at[:16].replace('T', ' ')} UTC" if part.started_at else ""
        v = part.version
        version = f"{'reviewed' if v.kind == 'review' and v.reviewed_at else v.kind} version {v.version}"
        items.append(f"{part.file_name or 'recording'} (recording {part.recording_id}, {version}"
                     f"{started}, {_length(part.duration_s)} long, from {_length(part.offset_s)} in this transcript)")
    return f"{len(t.parts)} recordings as one interview - " + ", ".join(items)


def header(p: ExportParticipant, t: ExportTranscript) -> str:
    """The header paragraph: participant, recording(s) and transcript version (no colons)."""
    text = f"{p.code} interview transcript, {recordings_text(t)} - {t.version.label}"
    return text.replace(":", ".")


def _speaker(name: str) -> str:
    # A colon inside a speaker name would split it in MAXQDA's speaker detection.
    return clean(name).replace(":", " ")


def maxqda_text(p: ExportParticipant, t: ExportTranscript) -> str:
    """The MAXQDA transcript: header, then `Name: #t# text #t# text [#end#]` per turn."""
    paragraphs = [header(p, t)]
    grouped = turns(t.segments)
    for i, turn in enumerate(grouped):
        body = " ".join(f"{maxqda(seg.start)} {clean(seg.text)}" for seg in turn.segments)
        end = maxqda(turn.end)
        if i + 1 < len(grouped) and maxqda(grouped[i + 1].start) == end:
            end = ""  # the next turn's opening timestamp marks this boundary already
        paragraphs.append(f"{_speaker(turn.speaker)}: {body} {end}".rstrip())
    return "\n\n".join(paragraphs) + "\n"


def nvivo_text(p: ExportParticipant, t: ExportTranscript) -> str:
    """The NVivo paragraph form: `[hh:mm:ss.d] Name: text` per segment, every paragraph timed."""
    paragraphs = []
    for seg in t.segments:
        paragraphs.append(f"[{hh_mm_ss_d(seg.start)}] {_speaker(seg.speaker_label)}: {clean(seg.text)}")
    return "\n\n".join(paragraphs) + "\n"


def nvivo_table(t: ExportTranscript) -> str:
    """The NVivo table form: tab-separated Timespan, Speaker, Content rows."""
    rows = ["Timespan\tSpeaker\tContent"]
    for seg in t.segments:
        rows.append(f"{hh_mm_ss_d(seg.start)} - {hh_mm_ss_d(seg.end)}\t{spreadsheet_cell(_speaker(seg.speaker_label))}\t"
                    f"{spreadsheet_cell(clean(seg.text))}")
    return "\n".join(rows) + "\n"


def _write(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding=ENCODING, newline="\r\n")
    tmp.replace(path)
    return path


def write_versions(project: ExportProject, out_dir: Path, produced: list[tuple[str, ExportParticipant, ExportTranscript]]) -> Path:
    """`versions.txt`: which transcript version each file in the folder holds."""
    lines = [
        f"Study: {project.study_title} ({project.study_slug} {project.study_version})",
        f"Exported: {project.generated_at}",
        "Participants who withdrew are not included.",
        "",
    ]
    lines += [f"{name}\t{p.code}\t{recordings_text(t)}\t{t.version.label}" for name, p, t in produced]
    return _write(out_dir / "versions.txt", "\n".join(lines) + "\n")


def write_maxqda(project: ExportProject, out_dir: Path) -> list[Path]:
    """One MAXQDA `.txt` per transcript in `out_dir`, plus `versions.txt`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    produced, paths = [], []
    for p in project.participants:
        for t in p.transcripts:
            name = f"{transcript_stem(p, t)}.txt"
            paths.append(_write(out_dir / name, maxqda_text(p, t)))
            produced.append((name, p, t))
    paths.append(write_versions(project, out_dir, produced))
    return paths


def write_nvivo(project: ExportProject, out_dir: Path) -> list[Path]:
    """Per transcript an NVivo paragraph `.txt` and a `.tsv` table in `out_dir`, plus `versions.txt`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    produced, paths = [], []
    for p in project.participants:
        for t in p.transcripts:
            stem = transcript_stem(p, t)
            paths.append(_write(out_dir / f"{stem}.txt", nvivo_text(p, t)))
            paths.append(_write(out_dir / f"{stem}.tsv", nvivo_table(t)))
            produced += [(f"{stem}.txt", p, t), (f"{stem}.tsv", p, t)]
    paths.append(write_versions(project, out_dir, produced))
    return paths
