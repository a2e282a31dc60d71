
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
    #
    #
]
