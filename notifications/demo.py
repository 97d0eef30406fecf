"""Demo notifications: the rules run once over the demo data, so the bell has something
to show (reports due, findings to rectify, devices silent …). No channel is set up: the
demo sends nothing out."""

from __future__ import annotations

from typing import Any

from notifications.services import evaluate


def load(stdout: Any = None) -> None:
    outcomes = evaluate.evaluate_all()
    if stdout is not None:
        told = sum(o.notified for o in outcomes)
        stdout.write(f"  notifications: {told} new across {len(outcomes)} rules")
