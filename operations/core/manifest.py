"""Comparing what a restored database holds with what the backup's manifest recorded.

Pure: both sides are plain dictionaries ({table: rows}, {table: checksum}).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Comparison:
    tables: int = 0
    #: [(table, expected, found)] for row counts that differ
    counts: list[tuple[str, Any, Any]] = field(default_factory=list)
    #: [(table, expected, found)] for content checksums that differ
    checksums: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.counts and not self.checksums

    def as_dict(self) -> dict[str, Any]:
        return {
            "tables": self.tables,
            "count_mismatches": [list(m) for m in self.counts],
            "checksum_mismatches": [list(m) for m in self.checksums],
        }


def compare(
    expected_counts: dict[str, int],
    found_counts: dict[str, int],
    expected_sums: dict[str, str],
    found_sums: dict[str, str],
) -> Comparison:
    result = Comparison(tables=len(expected_counts))
    for table in sorted(set(expected_counts) | set(found_counts)):
        want, got = expected_counts.get(table), found_counts.get(table)
        if want != got:
            result.counts.append((table, want, got))
    for table in sorted(expected_sums):
        want_sum, got_sum = expected_sums[table], found_sums.get(table)
        if want_sum != got_sum:
            result.checksums.append((table, want_sum, got_sum))
    return result
