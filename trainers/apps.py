from django.apps import AppConfig


class TrainersConfig(AppConfig):
    name = "trainers"
    verbose_name = "Trainers"

    def ready(self) -> None:
        from people.demo import register
        from trainers.demo import seed_trainers

        register(seed_trainers)
