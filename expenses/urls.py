from django.http import Http404
from django.urls import path

from expenses.views import travel

app_name = "expenses"


def placeholder_until_merge(request, pk):
    """Placeholder until merge: stands for the claim pages of other branches."""
    raise Http404


# Each part of the app keeps its routes together below its heading.
urlpatterns: list = [
    # --- A trainer's own claims, items and receipts (expenses/views/claims.py) ---
    #
    #
    # --- Coordinators: the queue, deciding, paying, rates, totals, finance CSV (review.py) ---
    #
    #
    # --- Travel booked for trainers (travel.py) ---
    path("expenses/travel/", travel.MyTravelListView.as_view(), name="travel-list-mine"),
    path("expenses/travel/new/", travel.TravelRequestCreateView.as_view(), name="travel-create"),
    path(
        "expenses/travel/requests/",
        travel.TravelRequestListView.as_view(),
        name="travel-requests",
    ),
    path(
        "expenses/travel/<int:pk>/", travel.TravelRequestDetailView.as_view(), name="travel-detail"
    ),
    path("expenses/travel/<int:pk>/book/", travel.TravelBookView.as_view(), name="travel-book"),
    path("expenses/travel/<int:pk>/used/", travel.TravelUsedView.as_view(), name="travel-used"),
    path(
        "expenses/travel/<int:pk>/cancel/", travel.TravelCancelView.as_view(), name="travel-cancel"
    ),
    # Placeholder until merge: the claim pages emails link to, built on other branches.
    path("expenses/claims/<int:pk>/", placeholder_until_merge, name="claim-detail"),
    path("expenses/review/<int:pk>/", placeholder_until_merge, name="review-claim"),
    #
    # --- Fees, earnings and yearly statements (fees.py) ---
    #
    #
]
