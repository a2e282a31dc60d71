"""The standard evaluation form's first version: its title, the note shown before its
questions, and its sections and questions, as evaluations.services.standard_form_seed makes it."""

STANDARD_FORM_TITLE = "Session evaluation"
STANDARD_CONTENT_NOTE = (
    "These questions ask what you learned today, how the session was run, and what you will "
    "do differently in your work. Your answers are anonymous: nobody can see who gave them, "
    "and comments are shared with the trainers only in ways that keep them safe too. "
    "If anything in today's session has affected you, talk to the trainers, your manager, "
    "or call Samaritans on 116 123, free, any time."
)

# The standard form's first version: (section title, [question fields]). Keys are stable across
# versions so results can be compared.
STANDARD_SECTIONS: tuple[tuple[str, tuple[dict, ...]], ...] = (
    (
        "What you learned",
        (
            {
                "key": "outcomes_met",
                "kind": "rating",
                "text": "How far did the session meet its learning outcomes?",
                "help_text": "The learning outcomes were shared at the start of the session.",
                "low_label": "Not at all",
                "high_label": "Completely",
            },
            {
                "key": "lived_experience_value",
                "kind": "rating",
                "text": "How valuable was hearing from trainers with lived experience?",
                "low_label": "Not at all valuable",
                "high_label": "Extremely valuable",
            },
        ),
    ),
    (
        "Your confidence",
        (
            {
                "key": "confidence_before",
                "kind": "rating",
                "text": "Before today: how confident were you to involve service users in "
                "your work?",
                "help_text": "Think back to how you felt when you arrived.",
                "low_label": "Not at all confident",
                "high_label": "Very confident",
            },
            {
                "key": "confidence_after",
                "kind": "rating",
                "text": "Now: how confident are you to involve service users in your work?",
                "low_label": "Not at all confident",
                "high_label": "Very confident",
            },
        ),
    ),
    (
        "The session",
        (
            {
                "key": "organisation",
                "kind": "rating",
                "text": "How well organised was the session?",
                "help_text": "For example the venue, timings and materials.",
                "low_label": "Very poorly",
                "high_label": "Very well",
            },
            {
                "key": "recommend",
                "kind": "yes_no",
                "text": "Would you recommend this session to a colleague?",
            },
            {
                "key": "most_useful",
                "kind": "long_text",
                "text": "What was most useful?",
                "required": False,
            },
            {
                "key": "to_improve",
                "kind": "long_text",
                "text": "What could we improve?",
                "required": False,
            },
        ),
    ),
    (
        "Your reflections",
        (
            {
                "key": "more_of",
                "kind": "long_text",
                "text": "What will you do more of?",
                "help_text": "In your work, after today.",
                "required": False,
            },
            {
                "key": "less_of",
                "kind": "long_text",
                "text": "What will you do less of?",
                "help_text": "In your work, after today.",
                "required": False,
            },
            {
                "key": "stop_doing",
                "kind": "long_text",
                "text": "What will you stop doing?",
                "help_text": "In your work, after today.",
                "required": False,
            },
        ),
    ),
)
