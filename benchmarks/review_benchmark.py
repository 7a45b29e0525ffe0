"""Saving a review edit in a long transcript: incremental writes against rewriting every segment.

A 75-minute interview has about 1,000 segments and 14,000 words.  Each review edit is saved
before the screen redraws, so its cost is felt at every keystroke that saves.  In one process,
on one real SQLite file (WAL, synchronous=FULL), this times:

1. baseline: `save_segments` rewriting the whole draft (what an edit cost before);
2. incremental: `ReviewSession` edits, which write only the segments they changed;
   - one-word fixes, speaker changes (one row), splits in the middle (half the rows move);
3. the attention queue (from scratch, and after an edit with per-segment caching) and the
   correction rate over the whole transcript.

Results go to benchmarks/results/review.md, as ratios against the baseline.

    python benchmarks/review_benchmark.py
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interview_tui.review.session import ReviewSession  # noqa: E402
from interview_tui.storage import open_db  # noqa: E402
from interview_tui.storage import reviews  # noqa: E402
from interview_tui.storage.recordings import finish_recording, start_recording  # noqa: E402
from interview_tui.storage.transcripts import save_transcript  # noqa: E402
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta, Word  # noqa: E402
from tests.fixtures.audio import enroll  # noqa: E402

SEGMENTS, WORDS = 1000, 14
REPEAT = 20


def transcript() -> Transcript:
    segs = []
    for i in range(SEGMENTS):
        t = i * 4.5
        words = [Word(f"word{j}", t + j * 0.3, t + j * 0.3 + 0.25, 0.9) for j in range(WORDS)]
        segs.append(Segment(t, t + 4.4, " ".join(w.word for w in words), words, "P01" if i % 2 else "Interviewer", "q1"))
    return Transcript(TranscriptMeta("tiny.en", None, "faster-whisper", "en", {}), segs)


def timed(fn, n: int = REPEAT) -> float:
    """Median seconds of `n` calls."""
    samples = []
    for k in range(n):
        t0 = time.perf_counter()
        fn(k)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    db = open_db(Path(tempfile.mkdtemp(prefix="review-bench-")) / "interview.db")
    enroll(db)
    rid = start_recording(db, participant_code="P01", path="recordings/P01/bench.wav")
    finish_recording(db, rid, duration_s=SEGMENTS * 4.5, sha256="0" * 64)
    save_transcript(db, rid, transcript())
    review = ReviewSession.open(db, rid)
    review.set_text(0, "word0 word1 start")  # creates the draft
    draft = review.draft_id
    assert draft is not None

    baseline = timed(lambda k: reviews.save_segments(db, draft, review.segments, "text"))
    fix = timed(lambda k: review.set_text(100 + k, f"fixed{k} word1 word2 word3"))
    speaker = timed(lambda k: review.set_speaker(300 + k, "Interviewer" if k % 2 else "P01"))
    split = timed(lambda k: review.split(SEGMENTS // 2 + 2 * k, 6), n=10)  # each split on a fresh segment
    from interview_tui.review.attention import build_queue

    queue_cold = timed(lambda k: build_queue(review.segments), n=5)
    review.attention()
    queue = timed(lambda k: (review.set_text(700 + k, f"again{k} word1"), review.attention()), n=5)
    correction = timed(lambda k: review.correction(), n=3)
    stored = len(db.execute("SELECT 1 FROM segments WHERE transcript_id = ?", [draft]).fetchall())
    assert stored == len(review.segments)

    rows = [
        ("baseline: rewrite all segments", baseline, 1.0),
        ("fix a word (one row)", fix, fix / baseline),
        ("change a speaker (one row)", speaker, speaker / baseline),
        ("split in the middle (half the rows move)", split, split / baseline),
        ("attention queue from scratch (opening)", queue_cold, queue_cold / baseline),
        ("fix a word + queue rebuilt after it", queue, queue / baseline),
        ("correction rate (jiwer), whole transcript", correction, correction / baseline),
    ]
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Review edit benchmark",
        "",
        f"Run {now} by `benchmarks/review_benchmark.py` on {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; {SEGMENTS} segments x {WORDS} words (a 75-minute interview), "
        "one SQLite file in WAL mode with synchronous=FULL. Medians of repeated runs in one process.",
        "",
        "| operation | median ms | ratio to baseline |",
        "|---|---:|---:|",
        *[f"| {name} | {sec * 1000:.1f} | {ratio:.3f} |" for name, sec, ratio in rows],
        "",
        "Each edit is committed (fsync) before the screen redraws; the queue is rebuilt after every edit, "
        "the correction rate only on demand (d, sign-off, `review list`).",
    ]
    target = Path(__file__).resolve().parent / "results" / "review.md"
    target.write_text("\n".join(out) + "\n")
    print("\n".join(out))
    db.close()


if __name__ == "__main__":
    main()
