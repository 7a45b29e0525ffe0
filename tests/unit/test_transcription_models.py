"""Model resolution offline: packaged models, checksums, clear errors for missing or unfit models."""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_tui.transcription import models
from interview_tui.transcription.models import ModelError, resolve_model


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "models"
    monkeypatch.setenv(models.MODEL_DIR_ENV, str(cache))
    return cache


def fake_model(folder: Path, vocab_tokens: int, model_bin: bytes = b"x") -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "tokenizer.json").write_text("{}")
    (folder / "model.bin").write_bytes(model_bin)
    (folder / "vocabulary.txt").write_text("t\n" * vocab_tokens)
    return folder


def test_no_model_installed_says_how_to_get_one(empty_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "_package_dir", lambda name: None)  # as if the [models] extra were absent
    with pytest.raises(ModelError, match=r"No Whisper model is installed.*pip install 'interview-tui\[models\]'"):
        resolve_model(None, language="en")
    with pytest.raises(ModelError, match=r"No multilingual Whisper model \(needed for language 'no'\) is installed"):
        resolve_model(None, language="no")


def test_unknown_name_lists_what_is_available(empty_cache: Path) -> None:
    with pytest.raises(ModelError, match=r"'medium' is not available.*available: .*tiny\.en"):
        resolve_model("medium", language="en")


def test_english_only_model_refused_for_other_languages(empty_cache: Path) -> None:
    with pytest.raises(ModelError, match=r"English-only and cannot transcribe language 'no'"):
        resolve_model("tiny.en", language="no")
    assert resolve_model("tiny.en", language="en").name == "tiny.en"


def test_best_installed_prefers_multilingual_base_and_skips_english_only_for_norwegian(empty_cache: Path) -> None:
    assert resolve_model(None, language="en").name == "base"
    assert resolve_model(None, language="no").name == "base"
    assert resolve_model(None, language="en", study_model="tiny.en").name == "tiny.en"


def test_packaged_base_is_joined_once_and_matches_systrans_checksum(empty_cache: Path) -> None:
    base = models.assemble_packaged_base()
    assert base is not None
    assert (base.path / "model.bin").stat().st_size == models.BASE_MODEL_SIZE
    assert models.sha256_file(base.path / "model.bin") == models.BASE_MODEL_SHA256
    assert not base.english_only
    mtime = (base.path / "model.bin").stat().st_mtime_ns
    assert models.assemble_packaged_base() is not None
    assert (base.path / "model.bin").stat().st_mtime_ns == mtime  # verified once, not joined again


def test_corrupt_parts_never_become_a_model(empty_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d1, d2 = tmp_path / "p1", tmp_path / "p2"
    d1.mkdir()
    d2.mkdir()
    (d1 / "model.bin.part1").write_bytes(b"half a model")
    (d2 / "model.bin.part2").write_bytes(b"and some garbage")
    monkeypatch.setattr(models, "_base_parts", lambda: (d1, d2))
    with pytest.raises(ModelError, match="does not match Systran's published checksum"):
        models.assemble_packaged_base()
    assert not (empty_cache / "base" / "model.bin").exists()
    assert not (empty_cache / "base" / "model.bin.partial").exists()


def test_model_folders_checked_and_english_only_detected(tmp_path: Path) -> None:
    en = fake_model(tmp_path / "my-en", 51864)
    multi = fake_model(tmp_path / "my-multi", 51866)
    assert models.is_english_only(en) and not models.is_english_only(multi)
    with pytest.raises(ModelError, match=r"English-only"):
        resolve_model(str(en), language="sv")
    assert resolve_model(str(multi), language="sv").path == multi.resolve()
    (multi / "model.bin").write_bytes(b"")
    with pytest.raises(ModelError, match=r"incomplete or broken: model.bin is missing or empty.*pip install"):
        resolve_model(str(multi), language="sv")
    with pytest.raises(ModelError, match=r"does not exist"):
        resolve_model(str(tmp_path / "nowhere"), language="en")


def test_broken_model_file_gives_a_clear_load_error(tmp_path: Path) -> None:
    from interview_tui.transcription.engine import load_model

    src = models.packaged_tiny_en()
    assert src is not None
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (broken / name).write_bytes((src.path / name).read_bytes())
    (broken / "model.bin").write_bytes(b"\x00" * 4096)
    with pytest.raises(ModelError, match=r"Cannot load the Whisper model.*broken or incomplete"):
        load_model(resolve_model(str(broken), language="en"))
