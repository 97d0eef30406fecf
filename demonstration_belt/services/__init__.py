"""The belt's writers: one function per user action, each in one transaction.

- ``reports``: the monthly report workflow and its evidence
- ``records``: findings, suggestions and the working records
- ``scores``: scoring every village (idempotent), stale marking, reviewer scores,
  awards and 约谈; ``score_facts`` gathers what a score is computed from
"""
