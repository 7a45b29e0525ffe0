"""Audio: device listing, crash-safe capture, recovery, conversion and clips.

Nothing here imports Textual; `sounddevice` (PortAudio) is imported lazily so
that a machine without PortAudio can still use the rest of the app.
"""
