"""RoleRequiredMixin, exercised through small views wired into this module's URLconf (the
site's own URLs are included too, so sign-in and the error pages resolve)."""

import pytest
from django.http import HttpResponse
from django.urls import include, path
from django.views import View

from core.permissions import RoleRequiredMixin
from people.models import Role
from tests.factories import UserFactory


class CoordinatorPage(RoleRequiredMixin, View):
    roles = (Role.COORDINATOR,)

    def get(self, request):
        return HttpResponse("coordinator page")


class CoordinatorOrManagerPage(RoleRequiredMixin, View):
    roles = (Role.COORDINATOR, Role.MANAGER)

    def get(self, request):
        return HttpResponse("coordinator or manager page")


class CoordinatorOrAdminPage(RoleRequiredMixin, View):
    roles = (Role.COORDINATOR,)
    allow_admin = True

    def get(self, request):
        return HttpResponse("coordinator or admin page")


urlpatterns = [
    path("test/coordinator/", CoordinatorPage.as_view()),
    path("test/coordinator-or-manager/", CoordinatorOrManagerPage.as_view()),
    path("test/coordinator-or-admin/", CoordinatorOrAdminPage.as_view()),
    path("", include("config.urls")),
]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/test/coordinator/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/test/coordinator/"


def test_someone_without_the_role_is_refused(client, trainer):
    client.force_login(trainer)

    response = client.get("/test/coordinator/")

    assert response.status_code == 403


def test_someone_with_the_role_gets_the_page(client, coordinator):
    client.force_login(coordinator)

    response = client.get("/test/coordinator/")

    assert response.status_code == 200
    assert response.content == b"coordinator page"


def test_any_one_of_the_roles_is_enough(client, manager):
    client.force_login(manager)

    response = client.get("/test/coordinator-or-manager/")

    assert response.status_code == 200


def test_someone_with_none_of_the_roles_is_refused(client, team_lead):
    client.force_login(team_lead)

    response = client.get("/test/coordinator-or-manager/")

    assert response.status_code == 403


def test_someone_with_no_role_at_all_is_refused(client):
    client.force_login(UserFactory())

    response = client.get("/test/coordinator/")

    assert response.status_code == 403


def test_an_admin_is_refused_unless_the_page_allows_admins(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/test/coordinator/")

    assert response.status_code == 403


def test_an_admin_gets_a_page_that_allows_admins(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/test/coordinator-or-admin/")

    assert response.status_code == 200


def test_a_page_that_allows_admins_still_lets_its_role_in(client, coordinator):
    client.force_login(coordinator)

    response = client.get("/test/coordinator-or-admin/")

    assert response.status_code == 200


def test_staff_status_alone_does_not_count_as_admin(client):
    staff = UserFactory()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)

    response = client.get("/test/coordinator-or-admin/")

    assert response.status_code == 403


def test_a_page_that_allows_admins_still_refuses_other_roles(client, trainer):
    client.force_login(trainer)

    response = client.get("/test/coordinator-or-admin/")

    assert response.status_code == 403
