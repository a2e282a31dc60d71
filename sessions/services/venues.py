"""Venues and their rooms: adding and changing them, refusing a room too small for a session
still booked in it, and removing a room no session was ever booked in."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.text import one_line
from people.models import Region
from sessions.models import Room, TrainingSession, Venue


def _venue_fields(*, name: str, address: str, region: Region, accessibility: str) -> dict:
    name = one_line(name)
    address = address.strip()
    errors = {}
    if not name:
        errors["name"] = "Give the venue a name."
    if not address:
        errors["address"] = "Enter the venue's address."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "address": address,
        "region": region,
        "accessibility": accessibility.strip(),
    }


def _venue_name_free(name: str, region: Region, *, exclude_pk: int | None = None) -> None:
    venues = Venue.objects.filter(region=region, name__iexact=name)
    if exclude_pk is not None:
        venues = venues.exclude(pk=exclude_pk)
    clash = venues.first()
    if clash is not None:
        raise ValidationError(
            {"name": f"There is already a venue called “{clash.name}” in {region}."}
        )


@transaction.atomic
def venue_create(*, name: str, address: str, region: Region, accessibility: str = "") -> Venue:
    """Add a venue; its rooms are added next."""
    fields = _venue_fields(name=name, address=address, region=region, accessibility=accessibility)
    _venue_name_free(fields["name"], region)
    return Venue.objects.create(**fields)


@transaction.atomic
def venue_update(
    *, venue: Venue, name: str, address: str, region: Region, accessibility: str = ""
) -> Venue:
    """Change a venue's name, address, region or accessibility information."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    fields = _venue_fields(name=name, address=address, region=region, accessibility=accessibility)
    _venue_name_free(fields["name"], region, exclude_pk=venue.pk)
    for field, value in fields.items():
        setattr(venue, field, value)
    venue.save(update_fields=list(fields))
    return venue


def _room_fields(*, name: str, capacity: int, hire_cost: Decimal) -> dict:
    name = one_line(name)
    errors = {}
    if not name:
        errors["name"] = "Give the room a name."
    if capacity < 1:
        errors["capacity"] = "A room holds at least 1 person."
    if hire_cost < 0:
        errors["hire_cost"] = "The hire cost cannot be less than £0."
    if errors:
        raise ValidationError(errors)
    return {"name": name, "capacity": capacity, "hire_cost": hire_cost}


def _room_name_free(name: str, venue: Venue, *, exclude_pk: int | None = None) -> None:
    rooms = Room.objects.filter(venue=venue, name__iexact=name)
    if exclude_pk is not None:
        rooms = rooms.exclude(pk=exclude_pk)
    clash = rooms.first()
    if clash is not None:
        raise ValidationError({"name": f"{venue} already has a room called “{clash.name}”."})


@transaction.atomic
def room_add(*, venue: Venue, name: str, capacity: int, hire_cost: Decimal) -> Room:
    """Add a room to a venue."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    fields = _room_fields(name=name, capacity=capacity, hire_cost=hire_cost)
    _room_name_free(fields["name"], venue)
    return Room.objects.create(venue=venue, **fields)


@transaction.atomic
def room_update(*, room: Room, name: str, capacity: int, hire_cost: Decimal) -> Room:
    """Change a room. It cannot shrink below a session still to come that is booked in it."""
    room = Room.objects.select_for_update().select_related("venue").get(pk=room.pk)
    fields = _room_fields(name=name, capacity=capacity, hire_cost=hire_cost)
    _room_name_free(fields["name"], room.venue, exclude_pk=room.pk)
    too_big = (
        room.sessions.filter(
            starts_at__gte=timezone.now(),
            capacity__gt=fields["capacity"],
            status__in=[TrainingSession.Status.PLANNED, TrainingSession.Status.CONFIRMED],
        )
        .select_related("course_version__course")
        .order_by("starts_at")
        .first()
    )
    if too_big is not None:
        raise ValidationError(
            {
                "capacity": f"{too_big} is booked in this room for {too_big.capacity} people. "
                "Move that session or lower its capacity first."
            }
        )
    for field, value in fields.items():
        setattr(room, field, value)
    room.save(update_fields=list(fields))
    return room


@transaction.atomic
def room_remove(*, room: Room) -> None:
    """Remove a room that no session has ever been booked in."""
    room = Room.objects.select_for_update().select_related("venue").get(pk=room.pk)
    booked = room.sessions.count()
    if booked:
        raise ValidationError(
            f"{room.name} at {room.venue} has {booked} session{'s' if booked != 1 else ''} booked "
            "in it, past or to come, so it cannot be removed. Sessions keep the room they were "
            "held in."
        )
    room.delete()
