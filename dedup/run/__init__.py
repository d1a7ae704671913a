"""The executors of a local run: batch (two passes, on worker processes, with checkpoints) and stream."""
