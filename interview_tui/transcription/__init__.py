"""Local transcription with faster-whisper: models, engine, verbatim text, speakers, guide alignment.

Nothing here imports Textual; the TUI and the CLI call into this package.
"""
