"""Print the current two-factor codes of the demo staff accounts (``make otp``).

Only devices holding the published demo key are read: for any real account this
command knows nothing and prints nothing.
"""

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinhu.core import clock
from villages.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "显示演示账号（admin、jiedao）当前的两步验证码"

    def handle(self, *args, **options) -> None:
        devices = TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, confirmed=True).select_related(
            "user"
        )
        if not devices:
            self.stdout.write("没有使用演示密钥的账号（未加载演示数据，或未要求两步验证）。")
            return
        now = clock.now().timestamp()
        for device in devices:
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            totp.time = now
            left = device.step - int(now - device.t0) % device.step
            code = f"{totp.token():0{device.digits}d}"
            self.stdout.write(f"{device.user.get_username():<10} {code}  （{left} 秒内有效）")
