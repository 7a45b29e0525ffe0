"""Recording control without a UI: one interview's recorder (`controller.py`) and what the app does
once at start-up for recordings a crash interrupted (`startup.py`).

It sits above `transcription` (it starts and stores live transcription) and below the front ends.
"""
