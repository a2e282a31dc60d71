"""Venues and their rooms: the coordinators' pages to list, add and change venues and
to add, change and remove rooms."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView

from core.forms import add_service_errors
from sessions.forms import RoomForm, VenueForm
from sessions.models import Room, Venue
from sessions.selectors import room_get, venue_get, venue_list
from sessions.services import room_add, room_remove, room_update, venue_create, venue_update
from sessions.views.courses import CourseCoordinatorMixin


class VenueListView(CourseCoordinatorMixin, ListView):
    """Every venue, by region."""

    template_name = "sessions/venue_list.html"
    context_object_name = "venues"
    paginate_by = 50

    def get_queryset(self):
        return venue_list()


class VenueCreateView(CourseCoordinatorMixin, FormView):
    """Add a venue; rooms are added on its page."""

    template_name = "sessions/venue_form.html"
    form_class = VenueForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=None, **kwargs)

    def form_valid(self, form):
        try:
            venue = venue_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{venue} is added. Now add its rooms.")
        return redirect("sessions:venue-detail", pk=venue.pk)


class VenueDetailView(CourseCoordinatorMixin, TemplateView):
    """A venue's address, accessibility information and rooms."""

    template_name = "sessions/venue_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=venue_get(pk=self.kwargs["pk"]), **kwargs)


class VenueEditView(CourseCoordinatorMixin, FormView):
    """Change a venue's details."""

    template_name = "sessions/venue_form.html"
    form_class = VenueForm

    @cached_property
    def venue(self) -> Venue:
        return venue_get(pk=self.kwargs["pk"])

    def get_initial(self):
        return VenueForm.initial_for(self.venue)

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=self.venue, **kwargs)

    def form_valid(self, form):
        try:
            venue_update(venue=self.venue, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The venue is saved.")
        return redirect("sessions:venue-detail", pk=self.venue.pk)


class RoomCreateView(CourseCoordinatorMixin, FormView):
    """Add a room to a venue."""

    template_name = "sessions/venue_room_form.html"
    form_class = RoomForm

    @cached_property
    def venue(self) -> Venue:
        return venue_get(pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=self.venue, room=None, **kwargs)

    def form_valid(self, form):
        try:
            room = room_add(venue=self.venue, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{room.name} is added.")
        return redirect("sessions:venue-detail", pk=self.venue.pk)


class RoomEditView(CourseCoordinatorMixin, FormView):
    """Change a room's name, capacity or hire cost."""

    template_name = "sessions/venue_room_form.html"
    form_class = RoomForm

    @cached_property
    def room(self) -> Room:
        return room_get(pk=self.kwargs["pk"])

    def get_initial(self):
        return RoomForm.initial_for(self.room)

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=self.room.venue, room=self.room, **kwargs)

    def form_valid(self, form):
        try:
            room = room_update(room=self.room, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{room.name} is saved.")
        return redirect("sessions:venue-detail", pk=self.room.venue_id)


class RoomDeleteView(CourseCoordinatorMixin, TemplateView):
    """Remove a room no session was ever booked in, after a confirmation page."""

    template_name = "sessions/venue_room_delete.html"

    @cached_property
    def room(self) -> Room:
        return room_get(pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(room=self.room, venue=self.room.venue, **kwargs)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            room_remove(room=self.room)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{self.room.name} is removed.")
        return redirect("sessions:venue-detail", pk=self.room.venue_id)
