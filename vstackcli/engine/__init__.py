"""The director engine: running-config model, renderer, storage, log and director state."""
