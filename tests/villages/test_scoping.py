"""Every secretary sees only their own village; another village's object is 404."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from tests.factories import CadreFactory
from villages.models import Cadre, Village


def test_anonymous_is_sent_to_login(client, cadre_a):
    for url in ("/", "/villages/", cadre_a.get_absolute_url(), "/villages/structure/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_login_page_is_chinese(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "用户登录" in response.content.decode()


def test_secretary_b_gets_404_on_village_a(client, secretary_b, cadre_a, village_a):
    client.force_login(secretary_b)
    assert client.get(cadre_a.get_absolute_url()).status_code == 404
    assert client.get(village_a.get_absolute_url()).status_code == 404
    assert client.get(reverse("villages:cadre_edit", args=[cadre_a.pk])).status_code == 404
    response = client.post(reverse("villages:cadre_edit", args=[cadre_a.pk]), {"name": "x"})
    assert response.status_code == 404
    assert Cadre.objects.get(pk=cadre_a.pk).name == "张秘密"


def test_village_a_never_appears_in_b_lists(client, secretary_b, village_a, village_b, cadre_a):
    client.force_login(secretary_b)
    for url in ("/", "/villages/"):
        body = client.get(url).content.decode()
        assert "乙村" in body
        assert "甲村" not in body
    structure = client.get("/villages/structure/").content.decode()
    assert "张秘密" not in structure


def test_secretary_a_sees_own_cadre_with_private_fields(client, secretary_a, cadre_a):
    client.force_login(secretary_a)
    body = client.get(cadre_a.get_absolute_url()).content.decode()
    assert "张秘密" in body
    assert "13912345678" in body


def test_admin_sees_every_village(client, subdistrict_admin, village_a, village_b):
    client.force_login(subdistrict_admin)
    body = client.get("/villages/").content.decode()
    assert "甲村" in body and "乙村" in body


def test_instructor_sees_assigned_village_only_and_cannot_edit(
    client, instructor_a, cadre_a, village_b
):
    client.force_login(instructor_a)
    assert client.get(cadre_a.get_absolute_url()).status_code == 200
    other = CadreFactory(village=village_b)
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("villages:cadre_edit", args=[cadre_a.pk])).status_code == 403


def test_for_user_is_the_single_scope(
    secretary_a, secretary_b, subdistrict_admin, village_a, village_b, cadre_a
):
    from django.contrib.auth.models import AnonymousUser

    assert list(Village.objects.for_user(secretary_a)) == [village_a]
    assert list(Village.objects.for_user(secretary_b)) == [village_b]
    assert set(Village.objects.for_user(subdistrict_admin)) == {village_a, village_b}
    assert not Village.objects.for_user(AnonymousUser()).exists()
    assert list(Cadre.objects.for_user(secretary_a)) == [cadre_a]
    assert not Cadre.objects.for_user(secretary_b).exists()


def test_secretary_edits_own_cadre_and_the_change_is_logged(client, secretary_a, cadre_a):
    client.force_login(secretary_a)
    url = reverse("villages:cadre_edit", args=[cadre_a.pk])
    response = client.post(
        url,
        {
            "name": "张秘密",
            "gender": "M",
            "birth_date": "1971-03-04",
            "education": 50,
            "is_party_member": "on",
            "office_phone": "0571-88001234",
            "private_phone": "13912345678",
        },
    )
    assert response.status_code == 302
    cadre_a.refresh_from_db()
    assert cadre_a.education == Cadre.Education.BACHELOR
    entry = LogEntry.objects.get_for_object(cadre_a).latest("timestamp")
    assert entry.actor == secretary_a
    assert "education" in entry.changes_dict


def test_invalid_form_names_the_field(client, secretary_a, cadre_a):
    client.force_login(secretary_a)
    url = reverse("villages:cadre_edit", args=[cadre_a.pk])
    response = client.post(
        url,
        {
            "name": "张秘密",
            "gender": "M",
            "birth_date": "not-a-date",
            "education": 50,
            "office_phone": "call me",
            "private_phone": "",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "出生日期：" in body
    assert "办公电话：" in body


@pytest.mark.django_db
def test_village_list_query_count_does_not_grow(
    client, subdistrict_admin, django_assert_max_num_queries
):
    from tests.factories import VillageFactory

    VillageFactory.create_batch(3)
    client.force_login(subdistrict_admin)
    with django_assert_max_num_queries(14):
        client.get("/villages/")
    VillageFactory.create_batch(20)
    with django_assert_max_num_queries(14):
        client.get("/villages/")
