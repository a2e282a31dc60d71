import re
from typing import Any, cast

from django import forms

from evaluations.models import Question
from evaluations.services import (
    LONG_TEXT_LIMIT,
    NOT_ON_THE_FORM,
    SHORT_TEXT_LIMIT,
    question_choices,
)
from people.models import Region, User
from sessions.models import Course, TrainerAssignment

# --- The form ---


class EvaluationFormDetailsForm(forms.Form):
    """A draft's title and the note shown before its questions."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Give the form a title.",
            "max_length": "Keep the title to 200 characters or fewer.",
        },
    )
    content_note = forms.CharField(
        label="Note shown before the questions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the questions ask about, that answers are anonymous, and where to find "
        "support if the session has affected someone.",
    )


class SectionForm(forms.Form):
    title = forms.CharField(
        label="Section title",
        max_length=200,
        error_messages={
            "required": "Give the section a title.",
            "max_length": "Keep the title to 200 characters or fewer.",
        },
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="Question",
        max_length=300,
        error_messages={
            "required": "Write the question.",
            "max_length": "Keep the question to 300 characters or fewer.",
        },
    )
    help_text = forms.CharField(
        label="Help text (optional)",
        required=False,
        max_length=300,
        help_text="Shown under the question, for example what to think about.",
        error_messages={"max_length": "Keep the help text to 300 characters or fewer."},
    )
    kind = forms.ChoiceField(
        label="Kind of answer",
        choices=Question.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of answer.",
            "invalid_choice": "Choose one of the kinds of answer listed.",
        },
    )
    required = forms.BooleanField(
        label="An answer is required",
        required=False,
        help_text="Leave unticked for a question learners may skip.",
    )
    choices = forms.CharField(
        label="Choices (for one choice or several choices)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="At least two, one per line.",
    )
    low_label = forms.CharField(
        label="What 1 means (for ratings)",
        required=False,
        max_length=60,
        help_text="For example “Not at all”.",
        error_messages={"max_length": "Keep the label to 60 characters or fewer."},
    )
    high_label = forms.CharField(
        label="What 5 means (for ratings)",
        required=False,
        max_length=60,
        help_text="For example “Completely”.",
        error_messages={"max_length": "Keep the label to 60 characters or fewer."},
    )

    def clean_choices(self) -> list[str]:
        return [line for line in self.cleaned_data["choices"].splitlines() if line.strip()]

    @staticmethod
    def initial_for(question: Question) -> dict:
        return {
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind,
            "required": question.required,
            "choices": "\n".join(question.choices),
            "low_label": question.low_label,
            "high_label": question.high_label,
        }


class _CourseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Course) -> str:
        return obj.title


class CourseFormCreateForm(forms.Form):
    course = _CourseChoice(
        label="Course",
        queryset=Course.objects.none(),
        empty_label="Choose a course",
        error_messages={
            "required": "Choose the course to add questions for.",
            "invalid_choice": "Choose one of the courses listed.",
        },
    )

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses


# --- Invitations and responses ---

QUESTION_FIELD = re.compile(r"q_\d+")


def _limit_help(question: Question, limit: int) -> str:
    words = f"Up to {limit:,} characters."
    return f"{question.help_text} {words}" if question.help_text else words


def _question_field(question: Question) -> forms.Field:
    """The field a learner answers a question with; the messages match the service's."""
    kind, required = question.kind, question.required
    common: dict[str, Any] = {
        "label": question.text,
        "required": required,
        "help_text": question.help_text,
    }
    if kind == Question.Kind.RATING:
        ends = {1: question.low_label, 5: question.high_label}
        choices = [(str(n), f"{n} – {ends[n]}" if ends.get(n) else str(n)) for n in range(1, 6)]
        message = "Choose a number from 1 to 5."
        return forms.TypedChoiceField(
            choices=choices,
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"required": message, "invalid_choice": message},
            **common,
        )
    if kind == Question.Kind.YES_NO:
        message = "Choose yes or no."
        return forms.TypedChoiceField(
            choices=[("yes", "Yes"), ("no", "No")],
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"required": message, "invalid_choice": message},
            **common,
        )
    offered = [(choice, choice) for choice in question_choices(question)]
    if kind == Question.Kind.SINGLE:
        return forms.ChoiceField(
            choices=offered,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Choose one of the options.",
                "invalid_choice": "Choose one of the options shown.",
            },
            **common,
        )
    if kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=offered,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": "Choose at least one of the options.",
                "invalid_choice": "Choose only from the options shown.",
                "invalid_list": "Choose only from the options shown.",
            },
            **common,
        )
    limit = SHORT_TEXT_LIMIT if kind == Question.Kind.SHORT_TEXT else LONG_TEXT_LIMIT
    return forms.CharField(
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": 4}) if kind == Question.Kind.LONG_TEXT else None,
        error_messages={
            "required": "Write an answer to this question.",
            "max_length": f"Keep your answer to {limit:,} characters or fewer: it has "
            "%(show_value)d. Nothing was saved.",
        },
        **(common | {"help_text": _limit_help(question, limit)}),
    )


class ResponseForm(forms.Form):
    """A learner's answers to the session's questions: one field per question, `q_<id>`."""

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.grouped = []
        for section in sections:
            names = []
            for question in section.questions.all():
                name = f"q_{question.pk}"
                self.fields[name] = _question_field(question)
                names.append(name)
            self.grouped.append((section, names))

    def sections(self) -> list[tuple]:
        """(section, its bound fields) in the order they are asked."""
        return [(section, [self[name] for name in names]) for section, names in self.grouped]

    def clean(self):
        # A field for a question this form does not ask (another form's, say) is refused,
        # not quietly dropped: the learner is told and nothing is stored.
        if any(QUESTION_FIELD.fullmatch(key) and key not in self.fields for key in self.data):
            raise forms.ValidationError(NOT_ON_THE_FORM)
        return super().clean()

    def answers(self) -> dict[int, object]:
        """Question id → the answer, for the service."""
        return {int(name[2:]): value for name, value in self.cleaned_data.items()}

    def error_summary(self) -> list[tuple[str, str]]:
        """(where to jump to, message) for each problem, in the order of the questions."""
        items = [("", str(message)) for message in self.non_field_errors()]
        for name, field in self.fields.items():
            if name in self.errors:
                bound = self[name]
                choices = isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
                anchor = f"{bound.auto_id}_0" if choices else bound.auto_id
                items += [(anchor, f"{field.label} — {message}") for message in self.errors[name]]
        return items


# --- Results ---


class ResultsFilterForm(forms.Form):
    """Results across sessions: everything, or one region's, or one trainer's (both may be set)."""

    region = forms.ModelChoiceField(
        label="Region",
        required=False,
        queryset=Region.objects.all(),
        empty_label="Every region",
        error_messages={"invalid_choice": "Choose one of the regions listed."},
    )
    trainer = forms.ModelChoiceField(
        label="Trainer",
        required=False,
        queryset=User.objects.none(),
        empty_label="Every trainer",
        help_text="Sessions they led, co-trained or co-facilitated.",
        error_messages={"invalid_choice": "Choose one of the trainers listed."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["trainer"]).queryset = (
            User.objects.filter(
                pk__in=TrainerAssignment.objects.filter(
                    status=TrainerAssignment.Status.ACCEPTED
                ).values("user")
            )
            .only("pk", "full_name", "email")
            .order_by("full_name", "pk")
        )


class CommentHideForm(forms.Form):
    reason = forms.CharField(
        label="Why hide this comment from the trainers?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Coordinators see the reason beside the comment. The trainers never see it.",
        error_messages={
            "required": "Say why this comment is hidden from the trainers.",
            "max_length": "Keep the reason to 300 characters or fewer.",
        },
    )


# --- Course review ---


class _ParticipantChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        if getattr(obj, "is_service_user_trainer", False):
            return f"{obj.full_name} (service-user trainer)"
        return obj.full_name


class CourseReviewForm(forms.Form):
    """Checks only the shape of what was typed; course_review_record decides the rest."""

    held_on = forms.DateField(
        label="Date the review was held",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date the review was held.",
            "invalid": "Enter the date as day, month and year, for example 3 March 2026.",
        },
    )
    participants = _ParticipantChoice(
        label="Who took part",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one service-user trainer who delivered this version must take part.",
        error_messages={
            "required": "Choose who took part in the review.",
            "invalid_choice": "Choose only from the people listed.",
            "invalid_pk_value": "Choose only from the people listed.",
        },
    )
    findings = forms.CharField(
        label="What the review found",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write down what the review found."},
    )
    decisions = forms.CharField(
        label="What the review decided to change",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write down what the review decided to change."},
    )

    def __init__(self, *args, participant_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = participant_choices
