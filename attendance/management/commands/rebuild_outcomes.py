"""Rebuild every slot outcome of a period from the raw punches (PostgreSQL).

    python manage.py rebuild_outcomes --since 2025-01-01 --until 2025-12-31 [--workers 2]

For a change of rules or a repaired data set; the judge otherwise keeps outcomes
up to date as punches arrive. Whole months are rebuilt (with their monthly tallies).
``--workers`` splits the villages over that many database connections at once (one
per core of the database server is about right). Safe to run twice: unchanged
outcomes are not written.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from attendance.services.rebuild import outcomes_rebuild


class Command(BaseCommand):
    help = "按原始打卡记录重建某时段全部坐班时段的考勤结果（PostgreSQL）"

    def add_arguments(self, parser):
        parser.add_argument("--since", type=dt.date.fromisoformat, required=True)
        parser.add_argument("--until", type=dt.date.fromisoformat, required=True)
        parser.add_argument("--workers", type=int, default=2, help="并行的数据库连接数")

    def handle(self, *args, **opts):
        if opts["until"] < opts["since"]:
            raise CommandError("--until is before --since")
        if opts["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        try:
            written = outcomes_rebuild(
                start=opts["since"], end=opts["until"], workers=opts["workers"]
            )
        except NotImplementedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{written} outcomes written (new or changed)")
