"""Listing and choosing audio input devices through PortAudio (sounddevice)."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType


class AudioDeviceError(RuntimeError):
    """PortAudio is missing, or the chosen input device does not exist or cannot record."""


@dataclass(frozen=True)
class InputDevice:
    """One PortAudio device that can record."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    default_samplerate: float
    is_default: bool = False

    def label(self) -> str:
        mark = "*" if self.is_default else " "
        return (
            f"{mark} [{self.index}] {self.name} ({self.hostapi}, "
            f"{self.max_input_channels} ch, {self.default_samplerate:.0f} Hz)"
        )


def sounddevice_module() -> ModuleType:
    """Import sounddevice, turning 'PortAudio library not found' into a clear `AudioDeviceError`."""
    try:
        import sounddevice
    except OSError as exc:
        raise AudioDeviceError(
            f"PortAudio is not available ({exc}). Install it (Debian/Ubuntu: "
            "`apt-get install libportaudio2`) and start again."
        ) from exc
    return sounddevice


def refresh_devices() -> None:
    """Make PortAudio scan devices again (it scans once at import; a new device or sound server needs a rescan)."""
    sd = sounddevice_module()
    sd._terminate()  # no public API for re-scanning; these two are what sounddevice's own docs suggest
    sd._initialize()


def list_input_devices() -> list[InputDevice]:
    """All devices with at least one input channel, the system default marked."""
    sd = sounddevice_module()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in = sd.default.device[0]
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"PortAudio could not list devices: {exc}") from exc
    found = []
    for dev in devices:
        if dev["max_input_channels"] < 1:
            continue
        found.append(
            InputDevice(
                index=dev["index"],
                name=dev["name"],
                hostapi=hostapis[dev["hostapi"]]["name"],
                max_input_channels=dev["max_input_channels"],
                default_samplerate=dev["default_samplerate"],
                is_default=dev["index"] == default_in,
            )
        )
    return found


def resolve_input_device(spec: str | int | None, channels: int = 1) -> InputDevice:
    """The input device for `spec`: an index, an exact name, a unique part of a name, or None for the default.

    Raises `AudioDeviceError` saying what exists when nothing (or more than one
    device) matches, or when the device has too few input channels.
    """
    devices = list_input_devices()
    if not devices:
        raise AudioDeviceError(
            "No audio input device found. Plug in a microphone (or start the sound server), "
            "then run `interview-tui devices`."
        )
    chosen: InputDevice | None = None
    if spec is None or spec == "":
        chosen = next((d for d in devices if d.is_default), devices[0])
    else:
        text = str(spec).strip()
        if text.isdigit():
            chosen = next((d for d in devices if d.index == int(text)), None)
        if chosen is None:
            chosen = next((d for d in devices if d.name == text), None)
        if chosen is None:
            partial = [d for d in devices if text.lower() in d.name.lower()]
            if len(partial) > 1:
                raise AudioDeviceError(
                    f"Input device {text!r} is ambiguous; it matches: "
                    + ", ".join(d.name for d in partial)
                    + ". Give the index or the full name (see `interview-tui devices`)."
                )
            chosen = partial[0] if partial else None
    if chosen is None:
        raise AudioDeviceError(
            f"Input device {spec!r} not found. Available inputs: "
            + "; ".join(f"[{d.index}] {d.name}" for d in devices)
            + ". Check the microphone is plugged in, or choose another input device "
            "(`--device` on the command line, the Mic button in the app)."
        )
    if chosen.max_input_channels < channels:
        raise AudioDeviceError(
            f"Input device {chosen.name!r} has {chosen.max_input_channels} input channel(s); "
            f"{channels} were asked for. Record mono (--channels 1) or choose another device."
        )
    return chosen
