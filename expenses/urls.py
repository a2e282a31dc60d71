from django.urls import path

from expenses.views import review

app_name = "expenses"

# Each part of the app keeps its routes together below its heading.
urlpatterns: list = [
    # --- A trainer's own claims, items and receipts (expenses/views/claims.py) ---
    #
    #
    # --- Coordinators: the queue, deciding, paying, rates, totals, finance CSV (review.py) ---
    path("expenses/review/", review.ClaimQueueView.as_view(), name="review-queue"),
    path("expenses/review/<int:pk>/", review.ClaimReviewView.as_view(), name="review-claim"),
    path(
        "expenses/review/<int:pk>/decide/", review.ClaimDecideView.as_view(), name="review-decide"
    ),
    path("expenses/review/<int:pk>/pay/", review.ClaimPayView.as_view(), name="review-pay"),
    path(
        "expenses/review/<int:pk>/receipts/<int:receipt_pk>/",
        review.ReviewReceiptView.as_view(),
        name="review-receipt",
    ),
    path("expenses/mileage-rates/", review.MileageRateView.as_view(), name="rate-list"),
    path("expenses/finance/", review.FinanceView.as_view(), name="finance"),
    path("expenses/finance/expense-items.csv", review.FinanceCsvView.as_view(), name="finance-csv"),
    path("expenses/totals/", review.TotalsView.as_view(), name="totals"),
    #
    # --- Travel booked for trainers (travel.py) ---
    #
    #
    # --- Fees, earnings and yearly statements (fees.py) ---
    #
    #
]
