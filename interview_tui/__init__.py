"""interview-tui: run, record, transcribe and hand off semi-structured research interviews."""

__version__ = "0.1.0"
