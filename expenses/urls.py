from django.http import Http404
from django.urls import path

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
    #
    # Placeholder until merge: the claim pages emails link to, built on other branches.
    path("expenses/claims/<int:pk>/", placeholder_until_merge, name="claim-detail"),
    path("expenses/review/<int:pk>/", placeholder_until_merge, name="review-claim"),
    #
    # --- Fees, earnings and yearly statements (fees.py) ---
    #
    #
]
