"""Registrations: a coordinator's list of a session's bookings and waitlist, adding
and cancelling people; the public registration page with its limits on visitors, and a learner's
own cancel link."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View

from core.clientaddress import client_address
from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from core.ratelimit import LOCAL, Limit, limit_take
from people.http import AuthenticatedHttpRequest
from people.models import Role
from sessions.forms import ParticipantSearchForm, RegistrationExistingForm, RegistrationForm
from sessions.models import Registration, TrainingSession
from sessions.selectors import (
    registration_cancel_refused_reason,
    registration_closed_reason,
    registration_counts,
    registration_get_by_token,
    registration_get_on_session,
    registration_list_for_session,
    registration_overview,
    registration_session_get,
    session_get_for_registration,
    waitlist_positions,
)
from sessions.services import (
    registration_add_existing,
    registration_add_new,
    registration_cancel,
    registration_public_submit,
)

# Coordinators manage a session's registrations. Learners have no account: the registration
# page and their own cancel link work from links alone.


def _registration_message(request: HttpRequest, result) -> None:
    """What a coordinator's booking did. (The public page says the same whatever happened.)"""
    registration = result.registration
    name = registration.participant.full_name
    if result.already_registered:
        where = (
            "on the waitlist for"
            if registration.status == Registration.Status.WAITLISTED
            else "registered for"
        )
        messages.info(
            request,
            f"{name} is already {where} this session with this email address, so nothing "
            f"has changed and no new email was sent.",
        )
    elif registration.status == Registration.Status.BOOKED:
        messages.success(
            request,
            f"{name} is booked on this session. We have emailed them a confirmation with a "
            "calendar invitation.",
        )
    else:
        position = waitlist_positions(session=registration.session).get(registration.pk)
        messages.warning(
            request,
            f"This session is full, so {name} is on the waitlist (number {position}). We have "
            "emailed them, and will email again if a place frees up.",
        )


class RegistrationCoordinatorMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR,)
    # Set by the view this mixin is used with (View.setup), and read by the property below.
    kwargs: dict[str, Any]

    @cached_property
    def session(self) -> TrainingSession:
        # Read only once the role check has passed, so nobody else learns which ids exist.
        return registration_session_get(pk=self.kwargs["pk"])


class RegistrationListView(RegistrationCoordinatorMixin, ListView):
    """A session's registrations, with forms to add someone already known or someone new."""

    template_name = "sessions/registration_list.html"
    context_object_name = "registrations"
    paginate_by = 50

    def get_queryset(self):
        return registration_list_for_session(session=self.session)

    def get_context_data(self, **kwargs):
        search_form = ParticipantSearchForm(self.request.GET or None)
        query = search_form.cleaned_data["q"] if search_form.is_valid() else ""
        kwargs.setdefault("form", RegistrationForm(for_coordinator=True))
        overview = registration_overview(session=self.session, query=query)
        context = super().get_context_data(
            session=self.session,
            overview=overview,
            search_form=search_form,
            query=query,
            **kwargs,
        )
        open_places = (Registration.Status.BOOKED, Registration.Status.WAITLISTED)
        for registration in context["registrations"]:
            registration.waitlist_position = overview.positions.get(registration.pk)
            registration.can_cancel = (
                not overview.closed_reason and registration.status in open_places
            )
        return context

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        form = RegistrationForm(request.POST, for_coordinator=True)
        if form.is_valid():
            try:
                result = registration_add_new(
                    session=self.session, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                _registration_message(request, result)
                return redirect("sessions:registration-list", pk=pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class RegistrationAddExistingView(RegistrationCoordinatorMixin, View):
    """Book someone chosen from the search onto the session."""

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        form = RegistrationExistingForm(request.POST)
        if not form.is_valid():
            errors = form.errors["participant"]
            messages.error(request, " ".join(str(message) for message in errors))
            return redirect("sessions:registration-list", pk=pk)
        try:
            result = registration_add_existing(
                session=self.session, participant=form.cleaned_data["participant"], by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            _registration_message(request, result)
        return redirect("sessions:registration-list", pk=pk)


class RegistrationCancelView(RegistrationCoordinatorMixin, View):
    """A coordinator cancels someone's place (or waitlist entry); the waitlist moves up."""

    def post(
        self, request: AuthenticatedHttpRequest, pk: int, registration_pk: int
    ) -> HttpResponse:
        registration = registration_get_on_session(session=self.session, pk=registration_pk)
        try:
            promoted = registration_cancel(registration=registration, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("sessions:registration-list", pk=pk)
        name = registration.participant.full_name
        text = f"{name}'s registration is cancelled and they have been emailed."
        if promoted is not None:
            text += (
                f" {promoted.participant.full_name} was next on the waitlist, now has the place "
                "and has been emailed."
            )
        messages.success(request, text)
        return redirect("sessions:registration-list", pk=pk)


class _LearnerLinkMixin:
    """Pages a learner reaches by a link with a token in it: never kept by browsers or proxies,
    never indexed by search engines."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


# The public registration form sends an email to whatever address is typed in, so it must not
# become a way to send our emails to anyone. Per recipient address a day: enough for a learner
# booking several sessions of an open day (and a retry), then nothing more goes there today.
# Per network address an hour: settings say how many (a training room or a trust sharing one
# address must all be able to register). When the cache is down the limits count in each
# worker's memory, so bookings go on and the limits still hold.
REGISTRATIONS_PER_RECIPIENT = Limit(
    "registration-recipient", allowed=6, window=24 * 60 * 60, when_unavailable=LOCAL
)
REGISTRATION_RECEIVED = (
    "Thank you. We have emailed that address to say what happens next. If the email has not "
    "arrived in a few minutes, check your spam folder."
)
REGISTRATIONS_PAUSED_HERE = (
    "A lot of registrations have come from your network in the last hour, so we have paused "
    "them for a while. Please try again later, or ask the course coordinator to book you."
)
REGISTRATIONS_PAUSED_FOR_ADDRESS = (
    "We have already sent several emails to this address today, so we will not send another. "
    "Please look for them (and in your spam folder), or try again tomorrow."
)


def _registrations_per_address() -> Limit:
    return Limit(
        "registration-address",
        allowed=settings.PUBLIC_REGISTRATIONS_PER_ADDRESS_PER_HOUR,
        window=60 * 60,
        when_unavailable=LOCAL,
    )


class RegisterView(_LearnerLinkMixin, FormView):
    """The public registration page of a session: no account needed. It answers the same
    whatever the email address's state (new, booked, waiting, cancelled): only the email sent to
    that address says which."""

    template_name = "sessions/register_form.html"
    form_class = RegistrationForm

    @cached_property
    def session(self) -> TrainingSession:
        return session_get_for_registration(token=self.kwargs["token"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session,
            counts=registration_counts(session=self.session),
            closed_reason=registration_closed_reason(self.session),
            **kwargs,
        )

    def _refused(self, form, message: str):
        form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=429)

    def form_valid(self, form):
        if form.is_from_a_bot:
            # The page a person would reach, so a bot learns nothing; nothing is kept or sent.
            return redirect("sessions:register-done", token=self.kwargs["token"])
        if not limit_take(_registrations_per_address(), client_address(self.request)):
            return self._refused(form, REGISTRATIONS_PAUSED_HERE)
        if not limit_take(REGISTRATIONS_PER_RECIPIENT, form.cleaned_data["email"].strip()):
            return self._refused(form, REGISTRATIONS_PAUSED_FOR_ADDRESS)
        try:
            registration_public_submit(session=self.session, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, REGISTRATION_RECEIVED)
        return redirect("sessions:register-done", token=self.kwargs["token"])


class RegisterDoneView(_LearnerLinkMixin, TemplateView):
    """What happened to a registration just made (the message says), and what comes next."""

    template_name = "sessions/register_done.html"

    def get_context_data(self, **kwargs):
        session = session_get_for_registration(token=self.kwargs["token"])
        return super().get_context_data(session=session, **kwargs)


class RegistrationSelfCancelView(_LearnerLinkMixin, TemplateView):
    """A learner's own link: confirm, then cancel their place or leave the waitlist."""

    template_name = "sessions/registration_cancel.html"

    def get_context_data(self, **kwargs):
        registration = registration_get_by_token(token=self.kwargs["token"])
        return super().get_context_data(
            registration=registration,
            session=registration.session,
            refused_reason=registration_cancel_refused_reason(registration),
            **kwargs,
        )

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        registration = registration_get_by_token(token=token)
        try:
            registration_cancel(registration=registration)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Your registration is cancelled. We have emailed you to confirm it."
            )
        return redirect("sessions:registration-self-cancel", token=token)
