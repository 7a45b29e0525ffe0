"""The identity key file: kept apart from the project, atomic, and every look-up audited without names."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.privacy.keyfile import KEY_FILE_ENV, KeyFile, KeyFileError, check_apart, resolve_key_path
from interview_tui.storage import audit
from tests.fixtures.audio import enroll

pytestmark = pytest.mark.usefixtures("no_network")

NAME, CONTACT = "Kari Nordmann", "kari@example.org"


def _cli(project, *args: str, env: dict | None = None):
    return CliRunner().invoke(main, ["--data-dir", str(project.root), *args], env=env)


def test_add_get_remove_and_file_is_private(tmp_path) -> None:
    kf = KeyFile(tmp_path / "keys" / "key.json")
    assert kf.load() == {}
    kf.add("P01", NAME, CONTACT)
    kf.add("P02", "Ola", None)
    assert kf.get("P01").name == NAME and kf.get("P01").contact == CONTACT
    assert stat.S_IMODE(kf.path.stat().st_mode) == 0o600
    assert kf.remove("P01") is True and kf.remove("P01") is False
    assert NAME.encode() not in kf.path.read_bytes() and set(kf.load()) == {"P02"}
    assert [p.name for p in kf.path.parent.iterdir()] == ["key.json"]  # no temp file left behind
    assert kf.delete() and not kf.path.exists()


def test_malformed_key_file_is_reported_with_line(tmp_path) -> None:
    path = tmp_path / "key.json"
    path.write_text('{"format": "interview-tui identity key",\n "participants": {,}}\n')
    with pytest.raises(KeyFileError, match=r"key.json:2:\d+: not a valid key file"):
        KeyFile(path).load()
    path.write_text(json.dumps({"something": "else"}))
    with pytest.raises(KeyFileError, match="not an interview-tui key file"):
        KeyFile(path).load()


def test_key_file_must_live_apart_from_the_project(project, tmp_path) -> None:
    with pytest.raises(KeyFileError, match="inside the project folder"):
        check_apart(project.root / "sub" / "key.json", project.root)
    check_apart(tmp_path / "elsewhere" / "key.json", project.root)


def test_path_resolution_order(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "env.json"))
    assert resolve_key_path(tmp_path / "cli.json", str(tmp_path / "setting.json")) == tmp_path / "cli.json"
    assert resolve_key_path(None, str(tmp_path / "setting.json")) == tmp_path / "env.json"
    monkeypatch.delenv(KEY_FILE_ENV)
    assert resolve_key_path(None, str(tmp_path / "setting.json")) == tmp_path / "setting.json"
    assert resolve_key_path(None, None) is None


def test_cli_add_show_logs_access_without_identifying_values(project, db, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    enroll(db, "P01")
    key = tmp_path / "usb" / "key.json"
    missing = _cli(project, "key", "show", "P01")
    assert missing.exit_code == 1 and "no key file chosen" in missing.output
    inside = _cli(project, "key", "use", str(project.root / "key.json"))
    assert inside.exit_code == 1 and "apart from the data" in inside.output
    assert _cli(project, "key", "use", str(key)).exit_code == 0
    added = _cli(project, "key", "add", "p1", "--name", NAME, "--contact", CONTACT)
    assert added.exit_code == 0, added.output
    shown = _cli(project, "key", "show", "P01")
    assert shown.exit_code == 0 and f"P01: {NAME} ({CONTACT})" in shown.output
    unknown = _cli(project, "key", "add", "P05", "--name", "X")
    assert unknown.exit_code == 1 and "no participant P05" in unknown.output
    actions = [(e.action, e.participant_code) for e in audit.entries(db) if e.action.startswith("key.")]
    assert actions == [("key.add", "P01"), ("key.access", "P01")]
    db.close()
    for f in project.root.rglob("*"):  # nothing identifying in the project folder, database included
        if f.is_file():
            data = f.read_bytes()
            assert NAME.encode() not in data and CONTACT.encode() not in data, f
    assert NAME in key.read_text()


def test_identity_of_only_when_the_key_file_is_present(project, db, tmp_path, monkeypatch) -> None:
    from interview_tui.storage.withdrawal import identity_of, set_key_file_path

    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    assert identity_of(db, "P01") is None  # no key file configured
    key = KeyFile(tmp_path / "usb" / "key.json")
    set_key_file_path(db, key.path)
    assert identity_of(db, "P01") is None  # configured, but the disk is not there
    key.add("P01", NAME)
    assert identity_of(db, "P01", actor="MP").name == NAME
    [entry] = audit.entries(db, action="key.access")
    assert (entry.participant_code, entry.actor, entry.details) == ("P01", "MP", {"found": True})
