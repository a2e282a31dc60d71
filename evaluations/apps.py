from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Evaluations"

    def ready(self):
        from audit.actions import action_register
        from evaluations.audit_actions import EvaluationAction

        action_register(EvaluationAction, position=70)

        from people.models import Role
        from people.navigation import MenuEntry, menu_register

        menu_register(
            MenuEntry(
                "Evaluation form", "evaluations:form-list", roles=(Role.COORDINATOR,), position=300
            ),
            MenuEntry(
                "Results",
                "evaluations:results-overview",
                roles=(Role.COORDINATOR, Role.MANAGER),
                position=310,
            ),
        )

        from evaluations.services import invitations_on_session_delivered
        from sessions.hooks import session_delivered

        session_delivered.connect(invitations_on_session_delivered)

        # The standard form's first version, for demo data (deployments run
        # `manage.py seed_evaluation_form` once instead).
        from evaluations.services import standard_form_seed
        from people.hooks import demo_seed

        demo_seed.connect(standard_form_seed)
