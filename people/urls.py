from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("start/<slug:role>/", views.StartPageView.as_view(), name="start"),
]
