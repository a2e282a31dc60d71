"""Calendar feeds and imports: a person's iCal feed at its secret address and the page
to make or replace that address; the coordinators' CSV import, checked before it is applied."""

import base64
import hashlib
import hmac

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from core.permissions import RoleRequiredMixin
from people.http import AuthenticatedHttpRequest
from people.models import Role
from sessions.forms import ImportConfirmForm, ImportForm
from sessions.selectors import calendar_feed_for, calendar_feed_ics
from sessions.services import calendar_feed_renew, csv_import_run

# A calendar app fetches a feed without signing in: the secret address is the credential.


class CalendarFeedView(View):
    """The iCal feed at a person's secret address, for calendar apps to subscribe to."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        response = HttpResponse(
            calendar_feed_ics(token=token), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = 'inline; filename="coproduce-sessions.ics"'
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Robots-Tag"] = "noindex"
        return response


class MyCalendarView(RoleRequiredMixin, TemplateView):
    """The person's calendar address and how to add it to their calendar app."""

    roles = (Role.TRAINER, Role.COORDINATOR)
    template_name = "sessions/feed_mine.html"

    def get_context_data(self, **kwargs):
        feed = calendar_feed_for(user=self.request.user)
        context = super().get_context_data(feed=feed, **kwargs)
        if feed is not None:
            path = reverse("sessions:calendar-feed", kwargs={"token": feed.token})
            context["feed_url"] = f"{settings.SITE_URL}{path}"
            context["webcal_url"] = "webcal://" + context["feed_url"].split("://", 1)[1]
        return context


class CalendarFeedRenewView(RoleRequiredMixin, View):
    """Make the person's calendar address, or replace it (the old one stops working)."""

    roles = (Role.TRAINER, Role.COORDINATOR)
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        calendar_feed_renew(user=request.user)
        messages.success(
            request,
            "Your calendar address is below. Any address you had before no longer works: add "
            "this one to your calendar apps.",
        )
        return redirect("sessions:my-calendar")


# CSV imports: the upload is checked first (a dry run) and the checked file waits in the
# coordinator's own session, under its SHA-256 digest, until they choose "Import for real". The
# session lives in the database and ends at sign-out or after 12 hours; the file is at most 2 MB.
PENDING_IMPORT = "pending_import"


class ImportView(RoleRequiredMixin, FormView):
    """Upload a CSV file and see what it would change, and every problem in it."""

    roles = (Role.COORDINATOR,)
    template_name = "sessions/import_upload.html"
    preview_template_name = "sessions/import_preview.html"
    form_class = ImportForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        content = upload.read()
        file_name = (upload.name or "")[:100]
        result = csv_import_run(kind=kind, content=content, dry_run=True, by=self.request.user)
        confirm_form = None
        if result.ok:
            digest = hashlib.sha256(content).hexdigest()
            self.request.session[PENDING_IMPORT] = {
                "kind": kind,
                "name": file_name,
                "digest": digest,
                "content": base64.b64encode(content).decode("ascii"),
            }
            confirm_form = ImportConfirmForm(initial={"digest": digest})
        else:
            self.request.session.pop(PENDING_IMPORT, None)
        return TemplateResponse(
            self.request,
            self.preview_template_name,
            {
                "result": result,
                "file_name": file_name,
                "confirm_form": confirm_form,
                "form": ImportForm(initial={"kind": kind}),
            },
        )


class ImportApplyView(RoleRequiredMixin, View):
    """Import the file that was just checked, all or nothing."""

    roles = (Role.COORDINATOR,)
    http_method_names = ["post"]
    template_name = "sessions/import_preview.html"

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = ImportConfirmForm(request.POST)
        pending = request.session.get(PENDING_IMPORT)
        if not (
            form.is_valid()
            and pending
            and hmac.compare_digest(pending["digest"], form.cleaned_data["digest"])
        ):
            messages.error(
                request,
                "There is no checked file waiting to be imported, or another file was checked "
                "since. Choose the file again: it will be checked before anything is saved.",
            )
            return redirect("sessions:import")
        del request.session[PENDING_IMPORT]
        result = csv_import_run(
            kind=pending["kind"],
            content=base64.b64decode(pending["content"]),
            dry_run=False,
            by=request.user,
        )
        if not result.applied:
            # Something in Coproduce changed since the check: show what is wrong now.
            return TemplateResponse(
                request,
                self.template_name,
                {
                    "result": result,
                    "file_name": pending["name"],
                    "confirm_form": None,
                    "form": ImportForm(initial={"kind": pending["kind"]}),
                },
            )
        messages.success(request, f"Imported {pending['name']}: {result.summary}.")
        return redirect("sessions:import")
