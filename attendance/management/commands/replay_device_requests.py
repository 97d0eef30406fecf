"""Re-parse stored device requests; reaches the same state however often it runs.

python manage.py replay_device_requests --all
python manage.py replay_device_requests --device CQZ7231360123 --since 2026-11-01 --until 2026-11-07
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from attendance.models import PARSED_KINDS, DeviceRequest
from attendance.services.ingest.parse import request_parse


class Command(BaseCommand):
    help = "重新解析已保存的设备原始请求（可重复运行，结果一致）"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every stored request")
        parser.add_argument("--device", help="serial number or MAC address")
        parser.add_argument("--since", type=dt.date.fromisoformat, help="YYYY-MM-DD (local)")
        parser.add_argument("--until", type=dt.date.fromisoformat, help="YYYY-MM-DD inclusive")

    def handle(self, *args, **opts):
        if not (opts["all"] or opts["device"] or opts["since"] or opts["until"]):
            raise CommandError("say what to replay: --all, or --device/--since/--until")
        stored = DeviceRequest.objects.filter(
            status="accepted", kind__in=PARSED_KINDS, device__status="active"
        )
        if opts["device"]:
            key = opts["device"]
            stored = stored.filter(
                Q(device__serial_number=key) | Q(device__mac_address=key.lower())
            )
        zone = timezone.get_current_timezone()
        if opts["since"]:
            stored = stored.filter(
                received_at__gte=dt.datetime.combine(opts["since"], dt.time(), zone)
            )
        if opts["until"]:
            end = dt.datetime.combine(opts["until"] + dt.timedelta(days=1), dt.time(), zone)
            stored = stored.filter(received_at__lt=end)
        totals = {"requests": 0, "punches_new": 0, "punches_duplicate": 0, "quarantined": 0}
        for pk in stored.order_by("received_at", "pk").values_list("pk", flat=True).iterator():
            result = request_parse(pk, replay=True)
            if result is None:
                continue
            totals["requests"] += 1
            for key in ("punches_new", "punches_duplicate", "quarantined"):
                totals[key] += getattr(result, key)
        self.stdout.write(
            f"replayed {totals['requests']} requests: {totals['punches_new']} new punches, "
            f"{totals['punches_duplicate']} already stored, "
            f"{totals['quarantined']} lines quarantined"
        )
