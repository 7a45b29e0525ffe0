"""Exports: the export model, its gathering from the database, and one writer per format.

`gather.gather_project(db, project_root, study)` builds an `ExportProject`
(withdrawn participants excluded); the writers (`qdpx`, `qda_text`, `docx`,
`methods`, `folder`) turn it into files.  The transcript files (txt/srt/vtt/json/md)
are written by `transcription.formats`, which the batch queue and `folder` share.
"""
