"""Build the demo sub-district. Safe to run any number of times.

Each domain app may ship a ``demo`` module with ``load(stdout)``; they run in
INSTALLED_APPS order, ground floor first, so that this command (in the
ground-floor app) never imports an app above it.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from villages.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "加载锦湖街道演示数据（可重复运行，不会产生重复数据）"

    def handle(self, *args, **options) -> None:
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is None:
                continue
            self.stdout.write(f"Loading demo data: {config.label}")
            import_module(module_name).load(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {DEMO_PASSWORD}）：")
        )
        for username, what in DEMO_LOGINS:
            self.stdout.write(f"  {username:<16} {what}")
        if settings.JINHU_TWO_FACTOR_REQUIRED:
            self.stdout.write(
                "街道工作人员账号（admin、jiedao）登录后还需两步验证码：另开终端运行 "
                "make otp 查看当前验证码（README 有演示密钥，可加入身份验证器应用）。"
            )
