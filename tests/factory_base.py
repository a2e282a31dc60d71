"""The base of every model factory: calling one gives the model, to mypy as at run time."""

from typing import TYPE_CHECKING, Any, TypeVar

import factory

M = TypeVar("M")


class ModelFactory(factory.django.DjangoModelFactory[M]):
    """`class UserFactory(ModelFactory[User])`: `UserFactory()` is a `User` to mypy."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # factory_boy's metaclass turns the call into create(), which returns the model; its
        # __call__ carries no types, and mypy takes a class call's result from __new__.
        def __new__(cls, *args: Any, **kwargs: Any) -> M: ...  # type: ignore[misc]
