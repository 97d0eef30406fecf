"""Delete change-history (操作日志) entries older than the retention window."""

from django.core.management.base import BaseCommand, CommandError

from villages.services import audit


class Command(BaseCommand):
    help = "删除早于保留期限的操作日志（保留期限不少于 180 天）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-days",
            type=int,
            default=None,
            help="保留天数（默认 JINHU_AUDIT_KEEP_DAYS；不少于 180）",
        )

    def handle(self, *args, keep_days=None, **options):
        try:
            deleted = audit.prune(keep_days=keep_days)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"已删除 {deleted} 条早于保留期限的操作日志。")
