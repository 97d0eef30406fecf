import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from demonstration_belt.models import CreationPlan, Target
from demonstration_belt.services import report_open


@pytest.fixture
def plan_a(village_a):
    plan = CreationPlan.objects.create(village=village_a, year=2026, feature_theme="测试特色")
    Target.objects.create(
        plan=plan,
        code="O1",
        dimension="organization",
        title="每月主题党日",
        measure="number",
        goal_value=12,
        unit="次",
        due_on=dt.date(2026, 12, 31),
    )
    Target.objects.create(
        plan=plan,
        code="W1",
        dimension="work",
        title="建成特色点位",
        measure="done",
        due_on=dt.date(2026, 12, 31),
    )
    return plan


@pytest.fixture
def report_a(plan_a, secretary_a, village_a):
    return report_open(actor=secretary_a, village=village_a, year=2026, month=10)


def jpeg(size=(2400, 1800), name="photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG", quality=95)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
