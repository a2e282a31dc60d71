from django.apps import AppConfig


class TrainersConfig(AppConfig):
    name = "trainers"
    verbose_name = "Trainers"

    def ready(self) -> None:
        from audit.actions import action_register
        from trainers.audit_actions import TrainerAction

        action_register(TrainerAction, position=50)

        from people.demo import register
        from trainers.demo import seed_trainers

        register(seed_trainers)
