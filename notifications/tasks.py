"""Thin Celery tasks: evaluate the rules, send what is due."""

from __future__ import annotations

from celery import shared_task

from jinhu.core import queue
from notifications.services import evaluate, send


@shared_task(name="notifications.evaluate", ignore_result=True)
def evaluate_rules() -> dict:
    """Every five minutes from beat: each enabled rule's occasions, told once."""
    outcomes = evaluate.evaluate_all()
    # (Each rule committed its notices and deliveries: what is due goes out now; with the
    # broker down it goes with beat's next send run.)
    queue.enqueue("notifications.send_due")
    return {o.rule: o.notified for o in outcomes}


@shared_task(name="notifications.send_due", ignore_result=True)
def send_due() -> dict:
    """Every minute from beat (and after each evaluation): deliveries that are due."""
    return send.send_due()
