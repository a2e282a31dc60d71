"""The forms for venues and their rooms."""

from decimal import Decimal

from django import forms

from people.models import Region
from sessions.models import Room, Venue


class VenueForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={
            "required": "Give the venue a name.",
            "max_length": "Keep the name to 200 characters or fewer.",
        },
    )
    address = forms.CharField(
        label="Address",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        error_messages={"required": "Enter the venue's address."},
    )
    region = forms.ModelChoiceField(
        label="Region",
        queryset=Region.objects.order_by("name"),
        empty_label="Choose a region",
        error_messages={
            "required": "Choose a region.",
            "invalid_choice": "Choose one of the regions listed.",
        },
    )
    accessibility = forms.CharField(
        label="Accessibility information (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example step-free access, lifts, accessible toilets, hearing loops, "
        "parking and quiet spaces. Learners and trainers read this before they come.",
    )

    @staticmethod
    def initial_for(venue: Venue) -> dict:
        return {
            "name": venue.name,
            "address": venue.address,
            "region": venue.region_id,
            "accessibility": venue.accessibility,
        }


class RoomForm(forms.Form):
    name = forms.CharField(
        label="Room name",
        max_length=100,
        error_messages={
            "required": "Give the room a name.",
            "max_length": "Keep the name to 100 characters or fewer.",
        },
    )
    capacity = forms.IntegerField(
        label="Capacity (people)",
        min_value=1,
        max_value=10000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many people the room holds.",
            "invalid": "Enter the capacity as a whole number, like 24.",
            "min_value": "A room holds at least 1 person.",
            "max_value": "Enter a capacity of 10,000 people or fewer.",
        },
    )
    hire_cost = forms.DecimalField(
        label="Hire cost in pounds",
        min_value=0,
        max_digits=8,
        decimal_places=2,
        initial=Decimal("0.00"),
        help_text="For a session, like 45 or 45.50. Enter 0 if the room is free.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": "Enter the hire cost, or 0 if the room is free.",
            "invalid": "Enter an amount in pounds, like 45 or 45.50.",
            "min_value": "The hire cost cannot be less than £0.",
            "max_digits": "Enter an amount under £1,000,000.",
            "max_whole_digits": "Enter an amount under £1,000,000.",
            "max_decimal_places": "Enter pounds and pence, with at most 2 digits for pence.",
        },
    )

    @staticmethod
    def initial_for(room: Room) -> dict:
        return {"name": room.name, "capacity": room.capacity, "hire_cost": room.hire_cost}
