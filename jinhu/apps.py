"""Chinese names for the third-party apps the admin lists. Their strings are translated
in locale/zh_Hans where they are translatable; app names (and django-otp's model names,
which are plain strings) are set here."""

from auditlog.apps import AuditlogConfig
from axes.apps import AppConfig as AxesConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class AuditlogInChinese(AuditlogConfig):
    verbose_name = "操作日志"


class AxesInChinese(AxesConfig):
    verbose_name = "登录保护"


def _name_models(config, names: dict[str, tuple[str, str]]) -> None:
    for model_name, (singular, plural) in names.items():
        meta = config.get_model(model_name)._meta
        meta.verbose_name, meta.verbose_name_plural = singular, plural


class TOTPInChinese(TOTPConfig):
    verbose_name = "两步验证：身份验证器"

    def ready(self) -> None:
        super().ready()
        _name_models(self, {"TOTPDevice": ("身份验证器", "身份验证器")})


class StaticInChinese(StaticConfig):
    verbose_name = "两步验证：备用验证码"

    def ready(self) -> None:
        super().ready()
        _name_models(
            self,
            {
                "StaticDevice": ("备用验证码组", "备用验证码组"),
                "StaticToken": ("备用验证码", "备用验证码"),
            },
        )
