from django.apps import AppConfig


class TrainersConfig(AppConfig):
    name = "trainers"
    verbose_name = "Trainers"

    def ready(self) -> None:
        from audit.actions import action_register
        from trainers.audit_actions import TrainerAction

        action_register(TrainerAction, position=50)

        from people.models import Role
        from people.navigation import MenuEntry, menu_register

        coordinator, trainer = (Role.COORDINATOR,), (Role.TRAINER,)
        menu_register(
            MenuEntry("Trainers", "trainers:trainer-list", roles=coordinator, position=200),
            MenuEntry("Applications", "trainers:application-list", roles=coordinator, position=210),
            MenuEntry("Train the Trainer", "trainers:t3-pipeline", roles=coordinator, position=220),
            MenuEntry("Role description", "trainers:role-list", roles=coordinator, position=230),
            MenuEntry(
                "People I support",
                "trainers:supporting-list",
                roles=(Role.COORDINATOR, Role.TEAM_LEAD),
                position=240,
            ),
            MenuEntry("My profile", "trainers:my-profile", roles=trainer, position=250),
            MenuEntry("My training", "trainers:my-training", roles=trainer, position=260),
            MenuEntry("Check-ins", "trainers:checkin-list-mine", roles=trainer, position=270),
            MenuEntry("Support", "trainers:support-list-mine", roles=trainer, position=280),
        )

        from people.hooks import demo_seed
        from trainers.demo import seed_trainers

        demo_seed.connect(seed_trainers)
