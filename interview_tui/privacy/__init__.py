"""Data protection: identity key file, audit hash chain, age encryption of recordings.

Pure Python (no Textual, no database): `storage` and `audio` build on it.
See docs/privacy.md.
"""
