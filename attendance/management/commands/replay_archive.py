"""Put archived device requests back and parse them again (same ids, same punches).

python manage.py replay_archive var/archive/device-3/2025-09.jsonl.gz
python manage.py replay_archive var/archive            # every file under a folder
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from attendance.services import retention


class Command(BaseCommand):
    help = "从归档文件恢复设备原始请求并重新解析（可重复运行，结果一致）"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args, **opts):
        files: list[Path] = []
        for path in opts["paths"]:
            if path.is_dir():
                files.extend(sorted(path.rglob("*.jsonl.gz")))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder")
        try:
            result = retention.replay_archive(files)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"replayed {result.requests} requests ({result.restored} restored) from "
            f"{len(files)} files: {result.punches_new} new punches, "
            f"{result.punches_duplicate} already stored, {result.quarantined} lines quarantined"
        )
