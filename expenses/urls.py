from django.urls import path

from expenses.views import fees

app_name = "expenses"

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
    #
    # --- Fees, earnings and yearly statements (fees.py) ---
    path("fees/rates/", fees.FeeRateListView.as_view(), name="fee-rates"),
    path("fees/sessions/<int:pk>/", fees.SessionFeesView.as_view(), name="session-fees"),
    path("fees/<int:pk>/approve/", fees.FeeApproveView.as_view(), name="fee-approve"),
    path("fees/<int:pk>/pay/", fees.FeePayView.as_view(), name="fee-pay"),
    path("my-earnings/", fees.MyEarningsView.as_view(), name="my-earnings"),
    path(
        "fees/trainers/<int:pk>/statement/<int:year>.pdf",
        fees.StatementPdfView.as_view(),
        name="statement-pdf",
    ),
]
