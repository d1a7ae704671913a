"""The executors of a run: batch (two passes, on local workers, with checkpoints) and stream."""
