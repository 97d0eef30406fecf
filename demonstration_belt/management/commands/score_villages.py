"""Score every village for a period; running it twice gives the same rows.

python manage.py score_villages --period 2026-10     # a month
python manage.py score_villages --period 2026        # the year (its completed months)
python manage.py score_villages --stale              # rescore periods with late data
"""

import re

from django.core.management.base import BaseCommand, CommandError

from demonstration_belt.services.scores import proposals_make, rescore_stale, score_period


class Command(BaseCommand):
    help = "按责任书为各村计算月度或年度得分（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--period", help="YYYY-MM for a month, YYYY for the whole year")
        parser.add_argument("--stale", action="store_true", help="rescore stale periods")
        parser.add_argument(
            "--proposals",
            action="store_true",
            help="with a year: also propose awards and admonishments",
        )

    def handle(self, *args, **opts):
        if opts["stale"]:
            self.stdout.write(f"rescored {rescore_stale()} stale periods")
            return
        period = opts["period"] or ""
        match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", period)
        if not match:
            raise CommandError("--period must be YYYY-MM or YYYY (or use --stale)")
        year, month = int(match.group(1)), int(match.group(2) or 0)
        if not 0 <= month <= 12:
            raise CommandError("month must be 1-12")
        result = score_period(year=year, month=month)
        self.stdout.write(
            f"{period}: {result['villages']} villages scored — {result['created']} new, "
            f"{result['changed']} changed, {result['unchanged']} unchanged"
        )
        if opts["proposals"] and month == 0:
            counts = proposals_make(year=year)
            self.stdout.write(
                f"proposals: {counts['award']} awards, {counts['admonish']} admonishments"
            )
