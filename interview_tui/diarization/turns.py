"""Word-level speaker turns on one mono recording.

Words are grouped into chunks at the places a speaker change can happen: a pause, or a
sentence end.  Each chunk gets one voice embedding (from up to 1.6 s in its middle, of its
own audio, never its neighbours'), chunks long enough to be reliable are
clustered into N voices, and every chunk goes to the nearest voice.  A short chunk whose
voice is unclear and whose neighbours on both sides agree takes their speaker: so an "mm"
or "yes" does not flip a turn unless its voice clearly is the other person's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from interview_tui.diarization.encoder import SpeakerEncoder
from interview_tui.diarization.features import SAMPLE_RATE, WINDOW_SAMPLES

CHUNK_GAP_S = 0.3  # a pause this long can be a turn change
CHUNK_MAX_S = 6.0  # longer stretches are split at a word boundary to catch changes without a pause
RELIABLE_S = 1.0  # chunks at least this long take part in the clustering
MAX_WINDOWS = 1  # per chunk: one 1.6 s window knows the voice; more cost more than they add
GRID = 1600  # short chunks are trimmed to 0.1 s steps so that equal lengths batch together
MIN_SAMPLES = 4800  # under 0.3 s there is too little voice; pad with silence
UNSURE_MARGIN = 0.08  # cosine margin between the best and second-best voice
BATCH = 256
#: Two "voices" whose centroids lie closer together than this many times the chunks' spread
#: around them are one person.  Measured between/within distance: one voice split in two
#: 0.53-0.92; two voices 1.31-4.73 (two similar male voices under 10 dB white noise the lowest).
SAME_VOICE_SEPARATION = 1.1


@dataclass
class Chunk:
    """Consecutive words likely spoken by one person."""

    first: int  # index of the first word
    last: int  # index of the last word (inclusive)
    start: float
    end: float
    text: str = ""
    embedding: np.ndarray | None = None
    speaker: int = -1
    margin: float = 0.0
    smoothed: bool = False

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class Diarization:
    """The outcome: a voice index and a margin for every chunk (and so every word)."""

    chunks: list[Chunk]
    n_speakers: int
    centroids: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def word_speakers(self, n_words: int) -> list[tuple[int, float, bool]]:
        """(voice, margin, unsure) for each word index."""
        out: list[tuple[int, float, bool]] = [(-1, 0.0, True)] * n_words
        for c in self.chunks:
            unsure = c.margin < UNSURE_MARGIN
            for i in range(c.first, c.last + 1):
                out[i] = (c.speaker, c.margin, unsure)
        return out


def chunk_words(words: Sequence) -> list[Chunk]:
    """Group words (objects with .word, .start, .end) into chunks at pauses and sentence ends."""
    chunks: list[Chunk] = []
    for i, w in enumerate(words):
        if chunks:
            c = chunks[-1]
            prev = words[i - 1]
            sentence_end = prev.word.rstrip().endswith((".", "?", "!"))
            if w.start - prev.end < CHUNK_GAP_S and not sentence_end and w.end - c.start <= CHUNK_MAX_S:
                c.last, c.end = i, max(c.end, w.end)
                c.text += w.word
                continue
        chunks.append(Chunk(i, i, w.start, w.end, w.word))
    return chunks


def _windows(audio: np.ndarray, start: float, end: float) -> list[np.ndarray]:
    """At most MAX_WINDOWS windows of the chunk's own audio, each up to 1.6 s, none padded.

    Short chunks are embedded at their own length (trimmed to a 0.1 s grid so that equal
    lengths batch together) instead of being padded to 1.6 s: the LSTM's cost is per frame.
    """
    a = max(0, int(start * SAMPLE_RATE))
    b = min(len(audio), max(a + 1, int(end * SAMPLE_RATE)))
    span = audio[a:b]
    if len(span) < MIN_SAMPLES:
        return [np.pad(span, (0, MIN_SAMPLES - len(span)))]
    if len(span) <= WINDOW_SAMPLES:
        return [span[: len(span) // GRID * GRID]]
    n = min(MAX_WINDOWS, len(span) // WINDOW_SAMPLES)
    starts = np.linspace(0, len(span) - WINDOW_SAMPLES, n + 2)[1:-1].astype(int)  # spread, away from the edges
    return [span[s : s + WINDOW_SAMPLES] for s in starts]


def embed_chunks(audio: np.ndarray, chunks: list[Chunk], encoder: SpeakerEncoder) -> None:
    """Give every chunk the normalised mean embedding of its windows (equal lengths batched together)."""
    by_length: dict[int, list[tuple[int, np.ndarray]]] = {}
    for k, c in enumerate(chunks):
        for w in _windows(audio, c.start, c.end):
            by_length.setdefault(len(w), []).append((k, w))
    sums: dict[int, np.ndarray] = {}
    for items in by_length.values():
        for i in range(0, len(items), BATCH):
            part = items[i : i + BATCH]
            embs = encoder.embed(np.stack([w for _, w in part]))
            for (k, _), e in zip(part, embs):
                sums[k] = sums.get(k, 0) + e
    for k, c in enumerate(chunks):
        if k in sums:
            c.embedding = sums[k] / max(float(np.linalg.norm(sums[k])), 1e-9)


def _cluster(x: np.ndarray, n: int) -> np.ndarray:
    """Ward clustering of unit vectors (Euclidean on the sphere ranks like cosine)."""
    if len(x) <= n:
        return np.arange(len(x))
    return fcluster(linkage(x, method="ward"), t=n, criterion="maxclust") - 1


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)


def _partition(emb: np.ndarray, weights: np.ndarray, reliable: np.ndarray, k: int) -> np.ndarray:
    """Voice labels: Ward on the reliable chunks, then a few duration-weighted k-means steps over all.

    Done on embeddings with their weighted mean removed: what every chunk shares (room,
    microphone, background noise) would otherwise pull the voices together.  Measured: two
    similar male voices under white noise at 10 dB SNR, 12% of words right without, 98% with.
    """
    x = _unit(emb - (weights[:, None] * emb).sum(0) / max(weights.sum(), 1e-9))
    labels = _cluster(x[reliable], k)
    k = int(labels.max()) + 1
    centroids = _unit(np.stack([x[reliable][labels == j].mean(axis=0) for j in range(k)]))
    for _ in range(3):
        best = (x @ centroids.T).argmax(axis=1)
        centroids = _unit(np.stack([(weights[best == j, None] * x[best == j]).sum(0) if (best == j).any()
                                    else centroids[j] for j in range(k)]))
    return (x @ centroids.T).argmax(axis=1)


def _separation(emb: np.ndarray, weights: np.ndarray, labels: np.ndarray, centroids: np.ndarray) -> float:
    """Distance between two centroids over the chunks' mean distance to their own centroid.

    A ratio, so that what shrinks every distance alike (noise) does not make two people one.
    """
    between = 1.0 - float(centroids[0] @ centroids[1])
    within = float(np.sum(weights * (1.0 - np.sum(emb * centroids[labels], axis=1))) / max(weights.sum(), 1e-9))
    return between / max(within, 1e-9)


def assign(chunks: list[Chunk], n_speakers: int) -> np.ndarray:
    """Partition the chunks into voices, then give every chunk its nearest voice and margin.

    Centroids, margins and the one-voice check use the plain embeddings (their cosine scale is
    the one the thresholds were measured on); only the partition uses the centred ones.
    """
    usable = [c for c in chunks if c.embedding is not None]
    if not usable:
        return np.zeros((0, 0))
    emb = np.stack([c.embedding for c in usable])
    weights = np.array([min(c.duration, 6.0) for c in usable])
    reliable = weights >= RELIABLE_S
    if reliable.sum() < 2 * n_speakers:
        reliable = np.ones(len(usable), bool)
    labels = _partition(emb, weights, reliable, n_speakers) if len(usable) > 1 else np.zeros(1, int)
    labels = np.unique(labels, return_inverse=True)[1].reshape(-1)  # 0..k-1 even if a voice emptied
    centroids = _unit(np.stack([(weights[labels == j, None] * emb[labels == j]).sum(0)
                                for j in range(int(labels.max()) + 1)]))
    k = len(centroids)
    if k == 2 and _separation(emb, weights, labels, centroids) < SAME_VOICE_SEPARATION:
        centroids, k = centroids[:1], 1  # one person talking alone (a dictation, a test recording)
    for c, s in zip(usable, emb @ centroids.T):
        order = np.argsort(s)[::-1]
        c.speaker = int(order[0])
        c.margin = float(s[order[0]] - s[order[1]]) if k > 1 else 1.0
    return centroids


def smooth(chunks: list[Chunk]) -> None:
    """A short, unclear chunk between two chunks of one other voice takes that voice."""
    for i in range(1, len(chunks) - 1):
        c, prev, nxt = chunks[i], chunks[i - 1], chunks[i + 1]
        if (
            c.duration < RELIABLE_S
            and c.margin < UNSURE_MARGIN
            and prev.speaker == nxt.speaker != c.speaker
        ):
            c.speaker, c.smoothed = prev.speaker, True
    for i, c in enumerate(chunks):  # chunks without audio (zero length) follow the previous one
        if c.speaker < 0:
            c.speaker = chunks[i - 1].speaker if i else 0


def diarize(audio: np.ndarray, words: Sequence, encoder: SpeakerEncoder, n_speakers: int = 2) -> Diarization:
    """Voice index per chunk of `words` over the 16 kHz mono `audio`."""
    chunks = chunk_words(words)
    embed_chunks(audio, chunks, encoder)
    centroids = assign(chunks, max(1, n_speakers))
    smooth(chunks)
    return Diarization(chunks, len(centroids), centroids)
