"""Exports: the export model, its gathering from the database, and one writer per format.

`gather.gather_project(db, project_root, study)` builds an `ExportProject`
(withdrawn participants excluded); the writers (`qdpx`, `qda_text`, `docx`,
`methods`, `folder`) turn it into files.  `formats.py` (txt/srt/vtt/json/md)
belongs to transcription.
"""
