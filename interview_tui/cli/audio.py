"""Audio commands: devices, record (headless backup recorder), recover, clips, import-audio."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import click

from interview_tui.cli import main
from interview_tui.cli.common import ROW_ID, as_click_error, force_option, get_db, get_project, load_cli_study, study_option, write_cli_output


@main.command()
def devices() -> None:
    """List the audio input devices PortAudio sees (* marks the system default)."""
    from interview_tui.audio.devices import AudioDeviceError, list_input_devices
    from interview_tui.storage.recordings import get_input_device

    with as_click_error(AudioDeviceError):
        found = list_input_devices()
    if not found:
        raise click.ClickException("No audio input device found. Plug in a microphone and try again.")
    remembered = get_input_device(get_db())
    for dev in found:
        click.echo(dev.label() + ("  (this project's choice)" if dev.name == remembered else ""))


@main.command()
@click.option("--participant", "code", required=True, help="Participant code, e.g. P01.")
@click.option("--device", default=None, help="Input device: index, name or part of a name (default: the project's last choice, else the system default).")
@click.option("--seconds", type=click.FloatRange(min=0.1), default=None, help="Stop after this many seconds (default: until Ctrl-C).")
@click.option("--rate", type=click.Choice(["48000", "16000"]), default=None, help="Sample rate in Hz (default: the project's setting, else 48000).")
@click.option("--channels", type=click.Choice(["1", "2"]), default=None, help="1 = mono, 2 = stereo, one microphone per speaker (default: the project's setting, else 1).")
@click.option("--session", "session_id", type=ROW_ID, default=None, help="Interview session id to link the recording to.")
@click.option("--archive", type=click.Choice(["flac", "opus", "none"]), default=None, help="Also write a compressed archival copy after recording; remembered for the project, the app uses it too (default: the project's setting, else none).")
@click.option("--live/--no-live", default=None, help="Transcribe while recording, in a background process at the lowest priority, and store the transcript when recording stops; remembered for the project, the app uses it too (default: the project's setting, else on).")
@study_option
def record(code: str, device: str | None, seconds: float | None, rate: str | None, channels: str | None,
           session_id: int | None, archive: str | None, live: bool | None, study_path: str | None) -> None:
    """Record from the microphone without the app (a backup recorder). Ctrl-C stops cleanly."""
    from interview_tui.audio.capture import RecorderConfig
    from interview_tui.audio.devices import AudioDeviceError
    from interview_tui.audio.recording import ActiveRecording, RecordingRefused

    from interview_tui.storage.recordings import get_capture_format

    db, project = get_db(), get_project()
    _report_recovery(db, project, quiet_when_none=True)
    remembered_rate, remembered_channels = get_capture_format(db)
    rate, channels = rate or str(remembered_rate), channels or str(remembered_channels)
    config = RecorderConfig(samplerate=int(rate), channels=int(channels))
    try:
        active = ActiveRecording.start(db, project, code, study=load_cli_study(study_path, default=False),
                                       session_id=session_id, device=device, config=config,
                                       max_seconds=seconds)
    except (RecordingRefused, AudioDeviceError) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"Cannot create the recording file: {exc}") from exc
    rec = active.recorder
    transcriber = _start_live(db, project, active.recording_id, code, live)
    # SIGTERM (e.g. from a service manager) stops as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    click.echo(
        f"Recording {code} (recording {active.recording_id}) to {active.path.relative_to(project.root)} "
        f"from {rec.device.name if rec.device else 'default'} at {rate} Hz, {channels} ch. Press Ctrl-C to stop."
    )
    sys.stdout.flush()
    tty = sys.stderr.isatty()
    last_checkpoint = 0
    try:
        while rec.state in ("recording", "paused"):
            if rec.limit_reached.is_set():
                break
            time.sleep(0.05)
            if int(time.monotonic()) != last_checkpoint:
                last_checkpoint = int(time.monotonic())
                active.checkpoint()
                if transcriber is not None:
                    transcriber.note_overflows(rec.overflow_count)
            level = rec.latest_level
            if tty and level is not None:
                click.echo(f"\r{rec.current_offset():7.1f} s  peak {level.peak:6.1f} dBFS  "
                           f"rms {level.rms:6.1f} dBFS  overflows {rec.overflow_count}", nl=False, err=True)
    except KeyboardInterrupt:
        pass
    summary = active.finish()
    if tty:
        click.echo("", err=True)
    click.echo(
        f"Stopped: {summary.duration_s:.1f} s, {summary.overflow_count} overflow(s), sha256 {summary.sha256[:12]}…"
    )
    if summary.overflow_count:
        click.echo(f"Warning: {summary.overflow_count} block(s) overflowed (audio was lost); close other programs.", err=True)
    _archive(db, project, summary.recording_id, archive)
    _store_live(db, project, summary.recording_id, transcriber)
    if summary.error is not None:
        raise click.ClickException(summary.error.message)


def _start_live(db, project, recording_id: int, code: str, live: bool | None):
    from interview_tui.storage.recordings import set_setting
    from interview_tui.transcription.live_session import SETTING, start_live

    if live is not None:
        set_setting(db, SETTING, "on" if live else "off")
    transcriber = start_live(db, project, recording_id, code)
    if not transcriber.enabled:
        click.echo(transcriber.status().label.capitalize() + ".", err=True)
        return None
    return transcriber


def _store_live(db, project, recording_id: int, transcriber) -> None:
    from interview_tui.transcription.live_session import store_live

    if transcriber is None:
        return
    click.echo("Live transcript: transcribing the last part…", err=True)
    transcript_id = store_live(db, project, recording_id, transcriber)
    if transcript_id is not None:
        click.echo(f"Transcript stored (transcript {transcript_id}); review it with: interview-tui review")


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _archive(db, project, recording_id: int, fmt: str | None) -> None:
    from interview_tui.audio.convert import ConversionError, archive_recording
    from interview_tui.storage.recordings import ARCHIVE_FORMAT_KEY, get_setting, set_setting

    if fmt is not None:
        set_setting(db, ARCHIVE_FORMAT_KEY, fmt)
    fmt = fmt or get_setting(db, ARCHIVE_FORMAT_KEY)
    if not fmt or fmt == "none":
        return
    try:
        out = archive_recording(db, project, recording_id, fmt)
    except ConversionError as exc:
        click.echo(f"Archival copy not written: {exc}", err=True)
        return
    click.echo(f"Archival copy: {out.relative_to(project.root)}")


def _report_recovery(db, project, quiet_when_none: bool = False) -> list:
    from interview_tui.audio.recovery import recover_unfinished

    reports = recover_unfinished(db, project)
    if not reports and not quiet_when_none:
        click.echo("No unfinished recordings found.")
    for r in reports:
        click.echo(str(r))
        if r.original_backup is not None:
            click.echo(f"  original bytes kept as {r.original_backup.relative_to(project.root)}")
    return reports


@main.command()
def recover() -> None:
    """Find recordings a crash left unfinished, repair them (from a verified copy) and report."""
    reports = _report_recovery(get_db(), get_project())
    if any(r.action == "failed" for r in reports):
        raise click.ClickException("Some recordings could not be recovered (see above).")


@main.command()
@click.argument("session_id", metavar="SESSION", type=ROW_ID)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the clips (default: exports/clips/<code>-S<session>/ in the project).")
@click.option("--format", "fmt", type=click.Choice(["wav", "flac"]), default="wav", show_default=True,
              help="Clip file format.")
@force_option
def clips(session_id: int, out_dir: Path | None, fmt: str, force: bool) -> None:
    """Cut a session's recording into one clip per guide question (from the session's events)."""
    from interview_tui.audio.clips import cut_clips

    db, project = get_db(), get_project()
    with as_click_error(LookupError, ValueError):
        if out_dir is None:  # the project's own exports/clips folder: cut again in place
            written = cut_clips(db, project, session_id, None, fmt)
        else:
            cut: list[Path] = []
            done = write_cli_output(out_dir, lambda staged: cut.extend(cut_clips(db, project, session_id, staged, fmt)),
                                    force=force)
            written = [out_dir / p.name for p in cut] if done.files else []
            from interview_tui.export.log import log_export
            from interview_tui.storage.recordings import session_participant_code

            # The participant's audio at a path of the user's choice: logged so a withdrawal finds it.
            log_export(db, "clips", done.target, None, files=done.files, root=project.root,
                       codes=[session_participant_code(db, session_id)])
    if not written:
        raise click.ClickException(
            f"Session {session_id} has no question reached while recording; nothing to cut."
        )
    for path in written:
        click.echo(str(path))


@main.command("import-audio")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--participant", "code", required=True, help="Participant code, e.g. P01.")
@click.option("--session", "session_id", type=ROW_ID, default=None, help="Interview session id to link it to.")
def import_audio_cmd(file: Path, code: str, session_id: int | None) -> None:
    """Import an existing recording (wav, flac, mp3, m4a, ogg, opus) into the project, named by code."""
    from interview_tui.audio.convert import ConversionError, import_audio
    from interview_tui.storage.permission import ParticipantError
    from interview_tui.storage.recordings import get_recording

    db, project = get_db(), get_project()
    try:
        rec_id = import_audio(db, project, file, code, session_id)
    except ParticipantError as exc:  # unknown, withdrawn, declined, no audio consent, malformed code
        raise click.ClickException(str(exc)) from None
    except ConversionError as exc:
        raise click.ClickException(f"Not imported: {exc}") from exc
    row = get_recording(db, rec_id)
    assert row is not None
    click.echo(
        f"Imported as recording {rec_id}: {row.path} ({row.duration_s:.1f} s, {row.sample_rate} Hz, "
        f"{row.channels} ch, sha256 {row.sha256[:12]}…)"
    )
