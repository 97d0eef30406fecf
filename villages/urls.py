from django.urls import path

from villages.views import registry as views

app_name = "villages"

urlpatterns = [
    path("", views.village_list, name="list"),
    path("structure/", views.structure, name="structure"),
    path("structure/<int:term>/<slug:figure>/", views.structure_people, name="structure_people"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre"),
    path("cadres/<int:pk>/edit/", views.cadre_edit, name="cadre_edit"),
    path("<slug:code>/", views.village_detail, name="detail"),
]
