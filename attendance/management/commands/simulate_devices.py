"""Play the demo's clocks and terminals against the portal in their real wire formats.

    python manage.py simulate_devices --url http://127.0.0.1:8000 --days 30
    python manage.py simulate_devices --in-process

Needs registered devices with PIN mappings (``load_demo`` creates them). The
Hikvision terminals' tokens are stored only as hashes, so the simulator, acting
as the operator, rotates them to get tokens it can use.
"""

from django.core.management.base import BaseCommand, CommandError

from attendance.demo import simulator
from attendance.models import Device
from attendance.models.devices import DeviceKind, DeviceStatus
from attendance.services.devices import token_rotate


class Command(BaseCommand):
    help = "模拟考勤机和人脸终端按真实协议向平台上传数据"

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--url", help="a running portal, e.g. http://127.0.0.1:8000")
        target.add_argument("--in-process", action="store_true")
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **opts):
        hik = Device.objects.filter(kind=DeviceKind.HIK_TERMINAL, status=DeviceStatus.ACTIVE)
        tokens = {d.pk: token_rotate(actor=None, device=d) for d in hik}
        requests = simulator.build(days=opts["days"], seed=opts["seed"], hik_tokens=tokens)
        if not requests:
            raise CommandError("no active clocks to simulate: run load_demo or register_device")
        transport = (
            simulator.InProcessTransport()
            if opts["in_process"]
            else simulator.HttpTransport(opts["url"])
        )
        report = simulator.run(transport, requests)
        self.stdout.write(f"sent {report.sent} requests: {report.statuses}")
        for note in report.notes:
            self.stdout.write(f"  {note}")
