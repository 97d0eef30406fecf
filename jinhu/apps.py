"""Chinese names for the third-party apps the admin lists (their strings are translated
in locale/zh_Hans; their app names are not translatable, so they are set here)."""

from auditlog.apps import AuditlogConfig
from axes.apps import AppConfig as AxesConfig


class AuditlogInChinese(AuditlogConfig):
    verbose_name = "操作日志"


class AxesInChinese(AxesConfig):
    verbose_name = "登录保护"
