"""Exports of a study with encryption recipients: only age files reach the disk, and they decrypt."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.privacy.exports import EncryptedOutput
from interview_tui.storage import audit, open_db
from tests.fixtures.export import seed_study
from tests.fixtures.privacy import study_variant

pytestmark = pytest.mark.usefixtures("no_network")


def _cli(project, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(project.root), *args])


def test_encrypted_folder_and_qdpx_exports(project, db, tmp_path, age_keys) -> None:
    key_path, public = age_keys
    seed_study(db, project, withdrawn=False)
    db.close()
    study = study_variant(tmp_path, recipients=(public,))
    out = _cli(project, "export", "folder", str(tmp_path / "folder"), "--study", str(study))
    assert out.exit_code == 0, out.output
    files = sorted(p for p in (tmp_path / "folder").rglob("*") if p.is_file())
    assert files and all(p.name.endswith(".age") for p in files)
    assert (tmp_path / "folder" / "P01").is_dir() and "Encrypted" in out.output
    for p in files:
        assert p.read_bytes().startswith(b"age-encryption.org/v1\n") and b"University of Bergen" not in p.read_bytes()
    qdpx = _cli(project, "export", "qdpx", str(tmp_path / "all.qdpx"), "--study", str(study))
    assert qdpx.exit_code == 0, qdpx.output
    assert (tmp_path / "all.qdpx.age").is_file() and not (tmp_path / "all.qdpx").exists()

    manifest = tmp_path / "folder" / "manifest.json.age"
    back = CliRunner().invoke(main, ["decrypt", str(manifest), str(tmp_path / "all.qdpx.age"), "-i", str(key_path),
                                     "--out", str(tmp_path / "plain")])
    assert back.exit_code == 0, back.output
    assert '"P01"' in (tmp_path / "plain" / "manifest.json").read_text()
    assert (tmp_path / "plain" / "all.qdpx").read_bytes()[:2] == b"PK"  # a zip again

    db = open_db(project.db_path)
    outs = [e.details["out"] for e in audit.entries(db, action="export.made")]
    assert outs == [str(tmp_path / "folder"), str(tmp_path / "all.qdpx.age")]
    db.close()


def test_wrong_key_and_staging_cleanup(tmp_path, age_keys) -> None:
    from interview_tui.privacy.agekeys import generate_keypair

    _, public = age_keys
    output = EncryptedOutput(tmp_path / "x.txt", [public])
    with output as staged:
        staged.write_text("secret P01")
    assert output.staging is not None and not output.staging.exists()
    assert (tmp_path / "x.txt.age").exists() and not (tmp_path / "x.txt").exists()
    other, _ = generate_keypair()
    (tmp_path / "other.key").write_text(other)
    result = CliRunner().invoke(main, ["decrypt", str(tmp_path / "x.txt.age"), "-i", str(tmp_path / "other.key")])
    assert result.exit_code == 1 and "private key does not match" in result.output
    assert not (tmp_path / "x.txt").exists()
    with pytest.raises(RuntimeError):
        with EncryptedOutput(tmp_path / "y.txt", [public]) as staged:
            staged.write_text("half")
            raise RuntimeError("writer failed")
    assert not (tmp_path / "y.txt.age").exists()
