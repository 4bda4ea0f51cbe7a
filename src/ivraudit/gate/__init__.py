"""The CI gate: baselines of accepted findings, and diffs of two menu versions."""
