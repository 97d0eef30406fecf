"""Back up the database and the uploaded media (docs/operations.md).

python manage.py backup                    # into JINHU_BACKUP_DIR, then thin old copies
python manage.py backup --folder /mnt/usb --no-rotate
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.services import backup


class Command(BaseCommand):
    help = "备份数据库和上传文件（含校验和与清单），并按保留规则清理旧备份"

    def add_arguments(self, parser):
        parser.add_argument("--folder", type=Path, help="default: JINHU_BACKUP_DIR")
        parser.add_argument("--no-rotate", action="store_true", help="keep every old backup")

    def handle(self, *args, **opts):
        try:
            run = backup.backup_create(opts["folder"])
        except Exception as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        self.stdout.write(f"backup {run.name}: {run.size_bytes} bytes in {run.seconds:.1f} s")
        if not opts["no_rotate"]:
            for name in backup.backup_rotate(opts["folder"]):
                self.stdout.write(f"deleted old backup {name}")
