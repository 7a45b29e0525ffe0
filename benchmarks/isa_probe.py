"""CTranslate2's CPU dispatch: the Whisper encoder's cost per 30-s window under each ISA.

Run once per ISA (CT2 reads `CT2_FORCE_CPU_ISA` when it loads); prints what CT2 selected
(`CT2_VERBOSE=1`) and the median CPU seconds (process time, so other load on a shared
machine inflates it less than wall time) of one encoder window, single-threaded:

    for isa in "" AVX2 AVX512; do CT2_FORCE_CPU_ISA=$isa python benchmarks/isa_probe.py; done
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(model_name: str = "base", repeats: int = 7) -> None:
    import ctranslate2
    import numpy as np

    from interview_tui.transcription.engine import TranscribeOptions, load_model
    from interview_tui.transcription.models import resolve_model

    whisper = load_model(resolve_model(model_name, language="en"), TranscribeOptions(cpu_threads=1))
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal(16000 * 30) * 0.1).astype("float32")
    features = whisper.feature_extractor(audio)[:, :3000]
    x = ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None]))
    whisper.model.encode(x)  # warm-up
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        whisper.model.encode(x)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    isa = os.environ.get("CT2_FORCE_CPU_ISA") or "default"
    print(f"ISA {isa}: encoder window {statistics.median(cpu):.3f} s CPU (median of {repeats}, process CPU time),"
          f" {min(wall):.3f} s wall best, 1 thread, model {model_name}")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["base"]))
