"""Where Whisper's time goes against what the cores can do: encoder windows, decoding steps, int8 throughput.

One 30-s window of the transcription benchmark's espeak-ng speech, the `base` model on one
thread (CPU time, so other load inflates it less). For the encoder, the multiply-accumulates
of one window follow from the model's shape; for the decoder, per generated token. Both are set
against the core's int8 peak: AVX-512 VNNI does 64 int8 multiply-accumulates per instruction
on two ports (128 per cycle), AMX 1024 per cycle, at the clock /proc/cpuinfo reports.

    python benchmarks/throughput_probe.py [--out benchmarks/results/throughput.md]
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

#: Whisper base: model width, encoder and decoder layers, feed-forward width, vocabulary
D, ENC_LAYERS, DEC_LAYERS, FFN, VOCAB = 512, 6, 6, 2048, 51865
FRAMES = 1500  # encoder positions per 30-s window (3000 mel frames, conv stride 2)


def encoder_macs() -> dict[str, float]:
    """Multiply-accumulates of one encoder window, by kind (int8 GEMMs vs float attention)."""
    n = FRAMES
    return {
        "projections + feed-forward (int8 GEMM)": ENC_LAYERS * (4 * n * D * D + 2 * n * D * FFN),
        "attention scores and mixing (float)": ENC_LAYERS * 2 * n * n * D,
        "two convolutions (float)": 2 * n * 80 * 3 * D + n * D * 3 * D,
    }


def decoder_macs_per_token(context: int) -> float:
    """Multiply-accumulates to generate one token for one hypothesis (keys/values cached)."""
    per_layer = (4 * D * D  # self-attention projections
                 + 2 * D * D  # cross-attention query and output (its keys/values are computed once)
                 + 2 * D * FFN  # feed-forward
                 + 2 * context * D  # self-attention over the tokens so far
                 + 2 * FRAMES * D)  # cross-attention over the window
    return DEC_LAYERS * per_layer + D * VOCAB  # + the vocabulary projection


def clock_ghz() -> float:
    text = Path("/proc/cpuinfo").read_text()
    mhz = [float(m) for m in re.findall(r"cpu MHz\s*:\s*([\d.]+)", text)]
    return (max(mhz) if mhz else 2.0e3) / 1000


def cpu_flags() -> set[str]:
    m = re.search(r"^flags\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.M)
    return set(m.group(1).split()) if m else set()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    import ctranslate2
    import numpy as np

    from benchmarks.transcription_benchmark import build_audio
    from interview_tui.transcription.engine import TranscribeOptions, load_model
    from interview_tui.transcription.models import resolve_model

    audio, _ = build_audio(0.6)
    window = audio[: 16000 * 30].astype("float32")
    whisper = load_model(resolve_model("base", language="en"), TranscribeOptions(cpu_threads=1))
    features = whisper.feature_extractor(window)[:, :3000]
    x = ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None]))
    whisper.model.encode(x)  # warm-up
    enc = []
    for _ in range(args.repeats):
        c0 = time.process_time()
        encoded = whisper.model.encode(x)
        enc.append(time.process_time() - c0)
    enc_s = statistics.median(enc)

    prompt = [50258, 50259, 50359, 50363]  # <|startoftranscript|><|en|><|transcribe|><|notimestamps|>
    decode = {}
    for beam in (1, 2, 5):
        runs, tokens = [], 0
        for _ in range(args.repeats):
            c0 = time.process_time()
            result = whisper.model.generate(encoded, [prompt], beam_size=beam, max_length=224)
            runs.append(time.process_time() - c0)
            tokens = len(result[0].sequences_ids[0])
        decode[beam] = (statistics.median(runs), tokens)

    ghz = clock_ghz()
    flags = cpu_flags()
    vnni_peak = 128 * ghz * 1e9  # int8 multiply-accumulates per second, one core
    amx_peak = 1024 * ghz * 1e9
    parts = encoder_macs()
    total = sum(parts.values())
    int8 = parts["projections + feed-forward (int8 GEMM)"]
    lines = [
        "# Whisper's time against the cores' limit",
        "",
        f"Produced by `benchmarks/throughput_probe.py` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC:"
        f" {platform.processor() or platform.machine()}, {ghz:.1f} GHz,"
        f" AVX-512 VNNI {'yes' if 'avx512_vnni' in flags else 'no'}, AMX int8 {'yes' if 'amx_int8' in flags else 'no'};"
        f" CTranslate2 {ctranslate2.__version__}, model `base` int8, one thread, CPU time (median of {args.repeats}),"
        " one 30-s window of the espeak-ng interview.",
        "",
        "| stage | work | CPU s | achieved | share of one core's int8 peak (VNNI / AMX) |",
        "|---|---:|---:|---:|---:|",
        f"| encoder, one window | {total / 1e9:.1f} G MAC ({int8 / 1e9:.1f} G in int8 GEMMs) | {enc_s:.3f} |"
        f" {total / enc_s / 1e9:.0f} G MAC/s | {total / enc_s / vnni_peak:.0%} / {total / enc_s / amx_peak:.1%} |",
    ]
    for beam, (secs, tokens) in decode.items():
        macs = sum(decoder_macs_per_token(c) for c in range(len(prompt), len(prompt) + tokens)) * beam
        lines.append(
            f"| decoder, beam {beam}: {tokens} tokens | {macs / 1e9:.2f} G MAC ({macs / max(tokens, 1) / 1e6:.0f} M per token)"
            f" | {secs:.3f} | {macs / secs / 1e9:.1f} G MAC/s, {secs / max(tokens, 1) * 1e3:.1f} ms per token |"
            f" {macs / secs / vnni_peak:.1%} / {macs / secs / amx_peak:.2%} |")
    lines += [
        "",
        "Encoder work by kind (G MAC per window): "
        + ", ".join(f"{k} {v / 1e9:.1f}" for k, v in parts.items()) + ".",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
