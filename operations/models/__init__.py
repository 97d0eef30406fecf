"""What the people who keep the portal running need on record: heartbeats of the
worker and beat, task failures, backups and restore drills."""

from operations.models.backups import BackupRun, DrillRun
from operations.models.health import Heartbeat, TaskTally

__all__ = ["BackupRun", "DrillRun", "Heartbeat", "TaskTally"]
