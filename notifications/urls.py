from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("failed/", views.FailedListView.as_view(), name="failed-list"),
    path("<int:pk>/resend/", views.ResendView.as_view(), name="resend"),
]
