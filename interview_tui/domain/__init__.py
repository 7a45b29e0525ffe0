"""Pure-Python core: study files, interview state, consent and demographics.

Nothing in this package imports Textual, sounddevice or faster_whisper.
"""
