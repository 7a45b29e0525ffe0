"""Who said what on a mono recording: voice embeddings, clustering, word-level turns, naming."""
