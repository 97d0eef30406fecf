import datetime as dt

import pytest
import time_machine

from attendance.models import DutyRules, RotationEntry
from attendance.services.rosters import slots_materialize
from tests.factories import CadreFactory, CadrePositionFactory, TermFactory
from villages.models import CadrePosition

# A Wednesday in winter hours; the week has no holiday.
NOW = dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def duty_village(village_a, frozen):
    """Village A with three cadres: Wu sits Mon/Wed, Zheng Tue/Thu, Wang Fri."""
    DutyRules.objects.create(village=village_a, min_on_duty=1)
    term = TermFactory()
    wu = CadreFactory(
        village=village_a,
        name="吴值班",
        private_phone="13800000001",
        birth_date=dt.date(1970, 1, 2),
    )
    zheng = CadreFactory(village=village_a, name="郑值班", private_phone="13800000002")
    wang = CadreFactory(village=village_a, name="王值班", private_phone="13800000003")
    CadrePositionFactory(cadre=wu, term=term, title=CadrePosition.Title.PARTY_SECRETARY)
    start = dt.date(2026, 11, 2)
    for cadre, weekdays in ((wu, (0, 2)), (zheng, (1, 3)), (wang, (4,))):
        for weekday in weekdays:
            RotationEntry.objects.create(
                village=village_a, cadre=cadre, weekday=weekday, part="full", valid_from=start
            )
    slots_materialize(
        village=village_a,
        start=dt.date(2026, 11, 16),
        end=dt.date(2026, 12, 20),
        include_started=True,
    )
    return {"village": village_a, "wu": wu, "zheng": zheng, "wang": wang}
