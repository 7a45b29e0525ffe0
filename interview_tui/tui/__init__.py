"""The Textual app: a thin layer over `domain` and `storage` (screens, widgets, .tcss styles)."""
