from django.urls import path

from expenses.views import claims

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
    #
    #
    # --- Travel booked for trainers (travel.py) ---
    #
    #
    # --- Fees, earnings and yearly statements (fees.py) ---
    #
    #
]
