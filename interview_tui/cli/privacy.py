"""Data-protection commands: key, withdraw, audit, consent verify, keygen, decrypt, anonymise."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from interview_tui.cli import main
from interview_tui.cli.common import as_click_error, force_option, get_db, get_project, normalized_code, one_line_text, output_guard, pass_db
from interview_tui.cli.consent import consent as consent_group
from interview_tui.privacy.keyfile import KEY_FILE_ENV


def _key_file_option(f):
    return click.option(
        "--key-file", type=click.Path(dir_okay=False), default=None,
        help=f"Identity key file (default: ${KEY_FILE_ENV}, else the project's setting from `key use`).",
    )(f)


def _open_key_file(db, key_file: str | None):
    from interview_tui.privacy.keyfile import KeyFile, KeyFileError, check_apart
    from interview_tui.storage.withdrawal import key_file_path

    path = key_file_path(db, key_file)
    if path is None:
        raise click.ClickException(
            f"no key file chosen: pass --key-file PATH, set ${KEY_FILE_ENV}, or remember one for this project "
            "with `interview-tui key use PATH` (a path on another disk or folder than the project)"
        )
    with as_click_error(KeyFileError):
        check_apart(path, get_project().root)
    return KeyFile(path)


def _code(db, code: str) -> str:
    from interview_tui.domain.participant_codes import ParticipantError
    from interview_tui.storage.participants import require_participant

    with as_click_error(ParticipantError):
        return require_participant(db, code).code


# -- identity key ---------------------------------------------------------------------


@main.group()
def key() -> None:
    """The identity key: names and contacts of participants, kept in a separate file apart from the data."""


@key.command("use")
@click.argument("path", type=click.Path(dir_okay=False))
@pass_db
def key_use(db, path: str) -> None:
    """Remember PATH as this project's key file (put it on another disk or an encrypted folder)."""
    from interview_tui.privacy.keyfile import KeyFileError, check_apart
    from interview_tui.storage.withdrawal import set_key_file_path

    resolved = Path(path).expanduser().resolve()
    with as_click_error(KeyFileError):
        check_apart(resolved, get_project().root)
    set_key_file_path(db, resolved)
    click.echo(f"Key file for this project: {resolved}")


@key.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The participant's name (stored only in the key file).")
@click.option("--contact", default=None, help="Phone or e-mail (stored only in the key file).")
@_key_file_option
@pass_db
def key_add(db, code: str, name: str, contact: str | None, key_file: str | None) -> None:
    """Link participant CODE to a name (and contact) in the key file."""
    from interview_tui.privacy.keyfile import KeyFileError
    from interview_tui.storage import audit

    canonical = _code(db, code)
    kf = _open_key_file(db, key_file)
    with as_click_error(KeyFileError):
        kf.add(canonical, name, contact)
    audit.log(db, "key.add", participant_code=canonical, details={"contact": contact is not None})
    click.echo(f"{canonical} added to the key file {kf.path}.")


@key.command("show")
@click.argument("code")
@_key_file_option
@pass_db
def key_show(db, code: str, key_file: str | None) -> None:
    """Show who participant CODE is (each look-up is logged in the audit trail, without the name)."""
    from interview_tui.domain.safe_text import for_terminal
    from interview_tui.privacy.keyfile import KeyFileError
    from interview_tui.storage import audit

    canonical = normalized_code(code)
    kf = _open_key_file(db, key_file)
    with as_click_error(KeyFileError):
        entry = kf.get(canonical)
    audit.log(db, "key.access", participant_code=canonical, details={"found": entry is not None})
    if entry is None:
        raise click.ClickException(f"{canonical} is not in the key file {kf.path}")
    click.echo(for_terminal(f"{canonical}: {entry.name}" + (f" ({entry.contact})" if entry.contact else "")))


@key.command("remove")
@click.argument("code")
@_key_file_option
@pass_db
def key_remove(db, code: str, key_file: str | None) -> None:
    """Remove participant CODE's entry from the key file."""
    from interview_tui.privacy.keyfile import KeyFileError
    from interview_tui.storage import audit

    canonical = normalized_code(code)
    kf = _open_key_file(db, key_file)
    with as_click_error(KeyFileError):
        removed = kf.remove(canonical)
    audit.log(db, "key.remove", participant_code=canonical, details={"found": removed})
    click.echo(f"{canonical} removed from {kf.path}." if removed else f"{canonical} was not in {kf.path}.")


# -- withdrawal -----------------------------------------------------------------------


@main.command()
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--actor", default=None, callback=one_line_text("the actor"),
              help="Who carries out the withdrawal (interviewer name or initials).")
@_key_file_option
def withdraw(code: str, yes: bool, actor: str | None, key_file: str | None) -> None:
    """Withdraw participant CODE and erase all their data for good (recordings, transcripts, answers, exports)."""
    from interview_tui.domain.participant_codes import ParticipantError
    from interview_tui.export.erase import erase_participant_exports
    from interview_tui.storage.withdrawal import WithdrawalError, withdraw_participant

    db, project = get_db(), get_project()
    canonical = normalized_code(code)
    if not yes:
        click.confirm(
            f"Erase ALL data of {canonical} (recordings, transcripts, demographics, notes, consent details, "
            "exports, key-file entry)? This cannot be undone", abort=True,
        )
    with as_click_error(ParticipantError, WithdrawalError):
        report = withdraw_participant(db, project, canonical, actor, erase_exports=erase_participant_exports,
                                      key_file=key_file)
    rows = sum(report.rows_deleted.values())
    click.echo(f"{canonical} withdrawn: {rows} database row(s) and {len(report.files_deleted)} file(s) erased; "
               f"audit entry {report.audit_id}.")
    if report.key_entry_removed:
        click.echo("Key-file entry removed.")
    for path in report.exports_to_redo:
        click.echo(f"Deleted export that also held others' data; export again: {path}")
    for path, why in report.left:
        click.echo(f"Not deleted, check by hand: {path}: {why}", err=True)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)


# -- audit trail ----------------------------------------------------------------------


@main.group()
def audit() -> None:
    """The append-only, hash-chained audit trail."""


@audit.command("verify")
@click.option("--expect-head", default=None, help="Head hash noted at an earlier check (detects entries cut off at the end).")
@click.option("--reanchor", is_flag=True,
              help="You restored this database from a backup on purpose: if the chain itself is intact, anchor its "
                   "current head instead of the newer one on record (logged as audit.reanchored).")
@pass_db
def audit_verify(db, expect_head: str | None, reanchor: bool) -> None:
    """Recompute the hash chain and compare its head with the anchor kept outside the project.

    Exits 1 when an entry was edited, deleted or inserted, or when the trail was emptied, cut
    off or rewritten since the anchored entry.
    """
    from interview_tui.storage import audit as store

    result = store.check(db, expect_head)
    if not result.triggers:
        click.echo("Warning: the append-only triggers are missing (someone dropped them).", err=True)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    chain = result.chain
    if reanchor:
        if not chain.ok:
            raise click.ClickException("the chain itself is broken (see above); not re-anchored")
        new = store.reanchor(db)
        click.echo(f"Re-anchored at entry {new.entry_id if new else '-'} in {result.anchor_file}.")
        return
    if not result.ok:
        raise click.ClickException(
            f"audit trail tampered with: {len(result.problems)} problem(s) in {chain.count} entries; if you restored "
            "this database from a backup on purpose, run `interview-tui audit verify --reanchor`"
        )
    click.echo(f"Audit trail intact: {chain.count} entries, head {chain.head}")
    click.echo("Checked: every entry's hash and its link to the one before"
               + (", the expected head" if expect_head else "")
               + (", the append-only triggers" if result.triggers else ""))
    if result.anchor is not None:
        click.echo(f"Checked: entry {result.anchor.entry_id} is unchanged since it was anchored on "
                   f"{result.anchor.anchored_at} in {result.anchor_file}")
    elif result.anchor_file is not None:
        click.echo(f"Not checked: no anchor for this database yet in {result.anchor_file} (a new, moved or copied "
                   "project); anchored now, so from here on a deleted or rewritten trail is detected")
    new = store.anchor_head(db)
    if new is not None and (result.anchor is None or new.entry_id != result.anchor.entry_id):
        click.echo(f"Anchored entry {new.entry_id} (head {new.head[:16]}…).")


@audit.command("list")
@click.option("--participant", "code", default=None, help="Only entries of this participant code.")
@click.option("--action", default=None, help="Only entries of this action (e.g. consent.record, withdrawn).")
@pass_db
def audit_list(db, code: str | None, action: str | None) -> None:
    """List audit entries, oldest first (time, actor, action, code, details)."""
    import json

    from interview_tui.domain.safe_text import for_terminal
    from interview_tui.storage import audit as store

    for e in store.entries(db, participant_code=code, action=action):
        details = json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else ""
        click.echo(for_terminal(f"{e.id:>5}  {e.at[:19].replace('T', ' ')}  {e.actor or '-'}  "
                                f"{e.action}  {e.participant_code or '-'}  {details}".rstrip()))


@consent_group.command("verify")
@pass_db
def consent_verify(db) -> None:
    """Re-check every consent record: text against its hash, decision against the audit trail."""
    from interview_tui.storage.integrity import verify_consent_records

    result = verify_consent_records(db)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if not result.ok:
        raise click.ClickException(f"{len(result.problems)} problem(s) in {result.checked} consent record(s)")
    click.echo(f"All {result.checked} consent record(s) match their hashes and the audit trail.")


# -- encryption -----------------------------------------------------------------------


@main.command()
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True,
              help="Where to write the PRIVATE key (keep it on the analysis machine, never with the recordings).")
def keygen(out: str) -> None:
    """Make an age key pair for a study; prints the public key for the study file's `encryption.recipients`."""
    from interview_tui.privacy.agekeys import generate_keypair

    from interview_tui.outputs import OutputError

    path = Path(out).expanduser()
    with as_click_error(OutputError):  # never the project's database, recordings or key file
        output_guard().check(path)
    secret, public = generate_keypair()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{path} exists; choose another file (a key is never overwritten)") from None
    except FileNotFoundError:
        raise click.ClickException(f"The folder {path.parent} does not exist; create it first or choose "
                                   "another --out. No key was written.") from None
    except IsADirectoryError:
        raise click.ClickException(f"{path} is a folder; give a file name for the key, e.g. {path}/study.key") from None
    except OSError as exc:
        raise click.ClickException(f"Cannot write the key to {path}: {exc.strerror or exc}. No key was written.") from None
    try:
        with os.fdopen(fd, "w") as f:
            f.write(f"# public key: {public}\n{secret}\n")
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)  # a half-written key is worse than none
        raise click.ClickException(f"Cannot write the key to {path}: {exc.strerror or exc}. No key was written.") from None
    click.echo(public)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--identity", "-i", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="age private key file (from `interview-tui keygen` or age-keygen).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the decrypted WAV files (default: next to each file).")
@force_option
def decrypt(files: tuple[Path, ...], identity: Path, out_dir: Path | None, force: bool) -> None:
    """Decrypt encrypted recordings (*.wav.ageseg -> .wav) and exports (*.age), on the analysis machine."""
    import pyrage

    from interview_tui.outputs import OutputError, write_output
    from interview_tui.privacy.agekeys import AgeKeyError, load_identities
    from interview_tui.privacy.exports import decrypt_file
    from interview_tui.privacy.segments import SUFFIX, SegmentError, decrypt_to_wav

    with as_click_error(AgeKeyError):
        identities = load_identities(identity)
    guard = output_guard()
    failed = 0
    for src in files:
        export = src.name.endswith(".age")
        if export:
            name = src.name[:-4]
        else:
            name = src.name[: -len(SUFFIX)] + ".wav" if src.name.endswith(SUFFIX) else src.name + ".wav"
        dst = (out_dir or src.parent) / name
        results: list = []

        def write(staged: Path, src: Path = src, export: bool = export, results: list = results) -> None:
            results.append(decrypt_file(src, staged, identities) if export else decrypt_to_wav(src, staged, identities))

        try:
            write_output(dst, write, guard=guard, force=force)
        except OutputError as err:
            click.echo(f"{src}: {err}", err=True)
            failed += 1
            continue
        except pyrage.DecryptError:
            click.echo(f"{src}: cannot be decrypted: the private key does not match, or the file was altered", err=True)
            failed += 1
            continue
        except (SegmentError, OSError) as err:
            click.echo(f"{src}: {err}", err=True)
            failed += 1
            continue
        if export:
            click.echo(str(dst))
            continue
        result = results[0]
        tail = f" (a cut-off last segment of {result.dropped_tail_bytes} bytes was skipped)" if result.dropped_tail_bytes else ""
        click.echo(f"{dst}: {result.frames / result.samplerate:.1f} s, sha256 {result.sha256[:12]}…{tail}")
    if failed:
        raise click.ClickException(f"{failed} file(s) not decrypted (see above)")


# -- end of project -------------------------------------------------------------------


@main.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--before-end-date", is_flag=True, help="Anonymise although a study's end date has not passed.")
@click.option("--actor", default=None, callback=one_line_text("the actor"), help="Who carries out the anonymisation.")
@_key_file_option
def anonymise(yes: bool, before_end_date: bool, actor: str | None, key_file: str | None) -> None:
    """End of project: delete the key file and all recordings, keep de-identified transcripts, write a report."""
    from interview_tui.storage.studies import load_registered_study, participant_study_slugs
    from interview_tui.storage.withdrawal import anonymise_project

    db, project = get_db(), get_project()
    for slug in participant_study_slugs(db, include_withdrawn=True):
        study = load_registered_study(db, slug)
        end = study.end_date if study else None
        if not before_end_date and (end is None or end >= date.today()):
            when = f"ends on {end.isoformat()}" if end else "has no end_date"
            raise click.ClickException(
                f"the study {slug} {when}; anonymise after its end date, or pass --before-end-date if the "
                "project really is over"
            )
    if not yes:
        click.confirm("Delete the key file and every recording for good (transcripts are kept)?", abort=True)
    report = anonymise_project(db, project, actor=actor, key_file=key_file)
    click.echo(report.text(project.root), nl=False)
    click.echo(f"Report written to {report.report_path}")
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
