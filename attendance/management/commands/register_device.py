"""Register and approve a device from the command line (rolling out many at a time).

    python manage.py register_device --serial CQZ7231360123 --kind zk_clock --village hongqiao \
        --installed-on 2026-11-02
    python manage.py register_device --mac c0:56:e3:12:34:56 --kind hik_terminal --village hongqiao

A Hikvision terminal's token is printed once; configure the terminal's HTTP
listening host with the URL shown. It cannot be displayed again (only rotated).
"""

import argparse
import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from attendance.models.devices import DeviceKind
from attendance.services.devices import device_register
from villages.selectors import Village


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "登记并启用一台考勤设备（指纹考勤机、人脸终端或摄像机）"

    def add_arguments(self, parser):
        parser.add_argument("--serial", help="ZKTeco SN (or the Hikvision serial)")
        parser.add_argument("--mac", help="Hikvision MAC address")
        parser.add_argument("--kind", required=True, choices=DeviceKind.values)
        parser.add_argument("--village", required=True, help="village code, e.g. hongqiao")
        parser.add_argument("--tz", default="Asia/Shanghai", help="the device's time zone")
        parser.add_argument("--name", default="")
        parser.add_argument("--location", default="")
        parser.add_argument("--network", default="", help="allowed source network (CIDR)")
        parser.add_argument(
            "--installed-on",
            type=_date,
            help="YYYY-MM-DD: punches before it go to review (left out: no such check)",
        )
        parser.add_argument("--base-url", default="", help="portal URL for the Hikvision hint")

    def handle(self, *args, **opts):
        if not opts["serial"] and not opts["mac"]:
            raise CommandError("--serial or --mac is required")
        village = Village.objects.filter(code=opts["village"]).first()
        if village is None:
            raise CommandError(f"no village with code {opts['village']!r}")
        try:
            device, token = device_register(
                actor=None,
                kind=opts["kind"],
                village=village,
                serial_number=opts["serial"],
                mac_address=opts["mac"],
                name=opts["name"],
                location=opts["location"],
                time_zone=opts["tz"],
                installed_on=opts["installed_on"],
                allowed_network=opts["network"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已启用设备 #{device.pk} {device}（{device.get_kind_display()}，{village.name}）"
            )
        )
        if token:
            base = opts["base_url"].rstrip("/")
            self.stdout.write(f"令牌（只显示这一次）：{token}")
            self.stdout.write(f"请在终端“HTTP 监听”中填写：{base}/hik/events/{token}/")
