from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import TemplateView

from core.permissions import RoleRequiredMixin
from people.models import Role
from people.navigation import START_PAGES, start_url_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the start page of their main role."""
    url = start_url_for(request.user)
    if url is None:
        return render(request, "people/no_role.html")
    return redirect(url)


class StartPageView(RoleRequiredMixin, TemplateView):
    """A role's start page; each later feature fills its own."""

    template_name = "people/start_page.html"

    def dispatch(self, request, *args, **kwargs):
        labels = dict(START_PAGES)
        role = kwargs["role"]
        if role not in labels:
            raise Http404
        self.roles = (role,)
        self.extra_context = {"role": Role(role), "heading": labels[role]}
        return super().dispatch(request, *args, **kwargs)
