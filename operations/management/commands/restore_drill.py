"""Restore the newest backup into a scratch database and compare it with its manifest.

python manage.py restore_drill                       # the newest under JINHU_BACKUP_DIR
python manage.py restore_drill --backup var/backups/jinhu-20261201-021500

Exit status 1 when the drill fails (and the failure is recorded and mailed to ADMINS).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.services import drill


class Command(BaseCommand):
    help = "恢复演练：把最新备份恢复到临时数据库，核对迁移、各表行数和内容校验"

    def add_arguments(self, parser):
        parser.add_argument("--backup", type=Path, help="a backup folder; default: the newest")

    def handle(self, *args, **opts):
        run = drill.drill_run(opts["backup"])
        details = run.details
        if not run.ok:
            raise CommandError(
                f"restore drill of {run.backup_name or '(none)'} FAILED: {run.error}"
            )
        self.stdout.write(
            f"restore drill of {run.backup_name} passed: {details.get('tables')} tables, "
            f"{len(details.get('checksummed', []))} checksums equal, restored in "
            f"{run.restore_seconds:.1f} s, {run.seconds:.1f} s in all; "
            f"migrations still to apply: {len(details.get('pending_migrations', []))}"
        )
