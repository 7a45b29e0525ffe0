"""Batch transcription on a Dask cluster: this machine's cores, lab machines, or Slurm jobs.

Needs the `cluster` extra (`pip install 'interview-tui[cluster]'`).  The client plans the
batch from the project database and stores every transcript itself; workers only
transcribe (`worker.transcribe_item`).  See docs/cluster.md.
"""
