from django.urls import path

from attendance import public

app_name = "duty"

urlpatterns = [
    path("", public.index, name="index"),
    path("<slug:code>.ics", public.ics_feed, name="ics"),
    path("<slug:code>/", public.village_page, name="village"),
    path("<slug:code>/poster/", public.poster, name="poster"),
    path("<slug:code>/qr.svg", public.qr_svg, name="qr"),
    path("<slug:code>/photo/<int:cadre_id>/", public.cadre_photo, name="photo"),
]
