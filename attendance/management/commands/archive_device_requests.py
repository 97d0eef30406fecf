"""Archive raw device requests past their keeping age, then delete them from the database.

python manage.py archive_device_requests                # JINHU_DEVICE_REQUEST_KEEP_MONTHS
python manage.py archive_device_requests --months 13 --batch 500 --pause 0.05 --nice 10

It runs at a lower CPU priority (``--nice``, 10 by default): on a small server the
devices' requests come first.

Beat runs it nightly (``attendance.requests_archive``). docs/operations.md explains
what stays (punches, requests with unresolved quarantined lines) and how to replay.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from attendance.services import retention


class Command(BaseCommand):
    help = "归档并删除超过保留期限的设备原始请求（每台设备每月一个压缩文件）"

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=settings.JINHU_DEVICE_REQUEST_KEEP_MONTHS)
        parser.add_argument("--folder", type=Path, default=Path(settings.JINHU_ARCHIVE_DIR))
        parser.add_argument("--batch", type=int, default=retention.BATCH)
        parser.add_argument("--pause", type=float, default=0.0, help="seconds between batches")
        parser.add_argument(
            "--nice",
            type=int,
            default=10,
            help="lower this process's CPU priority by this much (0: not at all): devices first",
        )

    def handle(self, *args, **opts):
        if opts["months"] < 1:
            raise CommandError("--months must be at least 1")
        if opts["nice"] > 0:
            os.nice(opts["nice"])
        before = retention.cutoff(months=opts["months"])
        result = retention.archive_expired(
            opts["folder"], before=before, batch=opts["batch"], pause=opts["pause"]
        )
        self.stdout.write(
            f"archived and deleted {result.deleted} requests received before "
            f"{before:%Y-%m-%d} into {len(result.files)} files under {opts['folder']}; "
            f"kept {result.kept_quarantined} with unresolved quarantined lines and "
            f"{result.kept_unparsed} not yet parsed"
        )
