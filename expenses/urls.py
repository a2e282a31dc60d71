from django.urls import path

from expenses.views import claims, fees, review, travel

app_name = "expenses"


# Each part of the app keeps its routes together below its heading.
urlpatterns: list = [
    # --- A trainer's own claims, items and receipts (expenses/views/claims.py) ---
    path("expenses/my/", claims.ClaimListView.as_view(), name="claim-list"),
    path("expenses/my/new/", claims.ClaimCreateView.as_view(), name="claim-create"),
    path(
        "expenses/my/sessions/<int:session_id>/claim/",
        claims.ClaimStartView.as_view(),
        name="claim-start",
    ),
    path("expenses/my/claims/<int:pk>/", claims.ClaimDetailView.as_view(), name="claim-detail"),
    path(
        "expenses/my/claims/<int:pk>/submit/",
        claims.ClaimSubmitView.as_view(),
        name="claim-submit",
    ),
    path(
        "expenses/my/claims/<int:pk>/discard/",
        claims.ClaimDiscardView.as_view(),
        name="claim-discard",
    ),
    path("expenses/my/items/<int:pk>/", claims.ItemEditView.as_view(), name="item-edit"),
    path("expenses/my/items/<int:pk>/remove/", claims.ItemRemoveView.as_view(), name="item-remove"),
    path("expenses/receipts/<int:pk>/", claims.ReceiptView.as_view(), name="receipt-download"),
    path(
        "expenses/my/receipts/<int:pk>/remove/",
        claims.ReceiptRemoveView.as_view(),
        name="receipt-remove",
    ),
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
    #
    # --- Fees, earnings and yearly statements (fees.py) ---
    path("fees/rates/", fees.FeeRateListView.as_view(), name="fee-rates"),
    path("fees/sessions/<int:pk>/", fees.SessionFeesView.as_view(), name="session-fees"),
    path("fees/<int:pk>/approve/", fees.FeeApproveView.as_view(), name="fee-approve"),
    path("fees/<int:pk>/pay/", fees.FeePayView.as_view(), name="fee-pay"),
    path("my-earnings/", fees.MyEarningsView.as_view(), name="my-earnings"),
    path(
        "fees/trainers/<int:pk>/statements/",
        fees.StatementListView.as_view(),
        name="statements",
    ),
    path(
        "fees/trainers/<int:pk>/statement/<int:year>/prepare/",
        fees.StatementRequestView.as_view(),
        name="statement-request",
    ),
    path(
        "fees/trainers/<int:pk>/statement/<int:year>.pdf",
        fees.StatementPdfView.as_view(),
        name="statement-pdf",
    ),
]
