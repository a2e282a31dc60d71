"""The forms for writing a course: a new course, a draft version's texts, role
description and co-designers, its learning outcomes and their activities."""

from typing import cast

from django import forms
from django.db.models import Q

from sessions.models import Activity, CourseVersion
from sessions.services import ACTIVITY_LONGEST_MINUTES
from trainers.models import RoleDescription, Trainer


class CourseCreateForm(forms.Form):
    title = forms.CharField(
        label="Course title",
        max_length=200,
        error_messages={
            "required": "Give the course a title.",
            "max_length": "Keep the title to 200 characters or fewer.",
        },
    )
    aims = forms.CharField(
        label="Learning aims (optional for now)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the course sets out to do. You can write or change them later, while "
        "the version is a draft.",
    )


class _TrainerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Trainer) -> str:
        return f"{obj.user.full_name or obj.user.email} ({obj.region})"


class _RoleDescriptionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: RoleDescription) -> str:
        return f"{obj.title}, version {obj.version} ({obj.get_status_display().lower()})"


class CourseVersionForm(forms.Form):
    """A draft version's texts, role description and co-designers."""

    aims = forms.CharField(
        label="Learning aims",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the course sets out to do. Needed before a pilot or publishing.",
    )
    support_guidance = forms.CharField(
        label="Support guidance",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="How trainers and learners are supported before, during and after a session.",
    )
    role_description = _RoleDescriptionChoice(
        label="Trainer role description",
        required=False,
        queryset=RoleDescription.objects.none(),
        empty_label="None",
        help_text="The version of the role description printed in the handbook.",
        error_messages={"invalid_choice": "Choose one of the role descriptions listed."},
    )
    co_designers = _TrainerChoices(
        label="Trainers who co-designed this version",
        required=False,
        queryset=Trainer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose only from the trainers listed."},
    )

    def __init__(self, *args, version: CourseVersion, **kwargs):
        super().__init__(*args, **kwargs)
        role_description = cast(_RoleDescriptionChoice, self.fields["role_description"])
        role_description.queryset = RoleDescription.objects.filter(
            status__in=[RoleDescription.Status.PUBLISHED, RoleDescription.Status.RETIRED]
        ).order_by("-version")
        # Trainers who have left are offered only if they are already credited.
        current = [trainer.pk for trainer in version.co_designers.all()]
        cast(_TrainerChoices, self.fields["co_designers"]).queryset = (
            Trainer.objects.filter(~Q(status=Trainer.Status.LEFT) | Q(pk__in=current))
            .select_related("user", "region")
            .order_by("user__full_name", "pk")
        )

    @staticmethod
    def initial_for(version: CourseVersion) -> dict:
        return {
            "aims": version.aims,
            "support_guidance": version.support_guidance,
            "role_description": version.role_description_id,
            "co_designers": [trainer.pk for trainer in version.co_designers.all()],
        }


class LearningOutcomeForm(forms.Form):
    text = forms.CharField(
        label="Learning outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What learners will be able to do, for example “Describe three ways of "
        "supporting someone who hears voices”.",
        error_messages={"required": "Say what learners will be able to do."},
    )


class ActivityForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Give the activity a title.",
            "max_length": "Keep the title to 200 characters or fewer.",
        },
    )
    duration_minutes = forms.IntegerField(
        label="Duration in minutes",
        min_value=1,
        max_value=ACTIVITY_LONGEST_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": f"Enter a duration from 1 to {ACTIVITY_LONGEST_MINUTES} minutes.",
            "invalid": "Enter the duration as a whole number of minutes, like 20.",
            "min_value": f"Enter a duration from 1 to {ACTIVITY_LONGEST_MINUTES} minutes.",
            "max_value": f"Enter a duration from 1 to {ACTIVITY_LONGEST_MINUTES} minutes.",
        },
    )
    materials = forms.CharField(
        label="Materials (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    instructions = forms.CharField(
        label="Instructions (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    trainer_notes = forms.CharField(
        label="Notes for trainers (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, where a story may be hard to hear and a break may help.",
    )

    @staticmethod
    def initial_for(activity: Activity) -> dict:
        return {name: getattr(activity, name) for name in ActivityForm.base_fields}
