"""What the kiosk hands the citizen on paper.

Tickets, their ids, complaint receipts; always stored before printed.
"""
