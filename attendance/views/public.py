"""The public duty roster pages: no login, no private data, cached.

Residents open ``/duty/<code>/`` from the QR code on the village notice board.
Only names, posts, photos, the office duty phone and the hours are shown; the
queries below never load private phones, birth dates or device PINs.
The rendered page is cached per village and day and invalidated whenever the
roster or an absence of the village changes (``public_cache_bump``).
"""

from __future__ import annotations

import datetime as dt
import mimetypes

import icalendar
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from attendance import selectors
from attendance.models import DutySlot
from attendance.selectors import HORIZON_DAYS
from attendance.services import pagecache
from jinhu.core import clock
from jinhu.core.addresses import is_local_only
from villages.selectors import Village

PUBLIC_MAX_AGE = pagecache.BODY_TTL


def _public_villages():
    return Village.objects.active().only("code", "name", "kind", "sort_order")


def _cached(request: HttpRequest, village_code: str, variant: str, build) -> HttpResponse:
    today = clock.today().isoformat()
    key = f"duty-public:{variant}:{village_code}:{today}:{pagecache.version(village_code)}"
    body = pagecache.get_or_build(key, build)
    if body is None:
        raise Http404
    response = HttpResponse(body)
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def public_url(village: Village) -> str:
    return settings.JINHU_PUBLIC_BASE_URL.rstrip("/") + reverse(
        "duty:village", kwargs={"code": village.code}
    )


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    response = render(request, "duty/index.html", {"villages": _public_villages()})
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


@require_safe
def village_page(request: HttpRequest, code: str) -> HttpResponse:
    def build():
        village = Village.objects.active().filter(code=code).first()
        if village is None:
            return None
        data = selectors.public_roster(village)
        return render_to_string("duty/village.html", {"data": data}, request=None)

    return _cached(request, code, "page", build)


@require_safe
def poster(request: HttpRequest, code: str) -> HttpResponse:
    """A4 print of this week's roster with a QR code to the live page."""
    village = get_object_or_404(Village.objects.active(), code=code)
    data = selectors.public_roster(village)
    url = public_url(village)
    return render(
        request,
        "duty/poster.html",
        {"data": data, "url": url, "local_only": is_local_only(url)},
    )


@require_safe
def qr_svg(request: HttpRequest, code: str) -> HttpResponse:
    village = get_object_or_404(Village.objects.active(), code=code)
    image = qrcode.make(
        public_url(village), image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    response = HttpResponse(image.to_string(), content_type="image/svg+xml")
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_safe
def ics_feed(request: HttpRequest, code: str) -> HttpResponse:
    """A stable calendar feed: last week and the materialised horizon ahead."""

    def build():
        village = Village.objects.active().filter(code=code).first()
        if village is None:
            return None
        today = clock.today()
        slots = (
            DutySlot.objects.filter(
                village=village,
                day__gte=today - dt.timedelta(days=7),
                day__lte=today + dt.timedelta(days=HORIZON_DAYS),
            )
            .select_related("cadre")
            .only("day", "part", "kind", "starts_at", "ends_at", "cadre__name")
        )
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Jinhu sub-district//duty roster//ZH")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", f"{village.name}坐班值班表")
        cal.add("x-wr-timezone", settings.TIME_ZONE)
        for slot in slots:
            event = icalendar.Event()
            # Stable UID: the same duty keeps its identity across refreshes.
            event.add("uid", f"{village.code}-{slot.day:%Y%m%d}-{slot.part}-{slot.cadre_id}@jinhu")
            event.add(
                "summary",
                f"{slot.get_kind_display()}：{slot.cadre.name}（{slot.get_part_display()}）",
            )
            event.add("dtstart", timezone.localtime(slot.starts_at))
            event.add("dtend", timezone.localtime(slot.ends_at))
            event.add("dtstamp", slot.starts_at)
            event.add("location", village.name)
            cal.add_component(event)
        cal.add_missing_timezones()
        return cal.to_ical()

    response = _cached(request, code, "ics", build)
    response["Content-Type"] = "text/calendar; charset=utf-8"
    response["Content-Disposition"] = f'inline; filename="{code}.ics"'
    return response


@require_safe
def cadre_photo(request: HttpRequest, code: str, cadre_id: int) -> FileResponse:
    """A duty cadre's photo, only if they are on this village's roster."""
    slot = (
        DutySlot.objects.filter(village__code=code, cadre_id=cadre_id)
        .select_related("cadre")
        .first()
    )
    if slot is None or not slot.cadre.photo:
        raise Http404
    content_type = (
        mimetypes.guess_type(slot.cadre.photo.name or "")[0] or "application/octet-stream"
    )
    response = FileResponse(slot.cadre.photo.open("rb"), content_type=content_type)
    patch_cache_control(response, public=True, max_age=3600)
    return response
