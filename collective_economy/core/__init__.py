"""Pure code of the collective economy: 消薄 lines, run-rate projections, per-capita
comparisons, and reading and checking the workbooks offices send. No Django."""
