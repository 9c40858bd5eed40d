"""A hospital's registration on the centre: doctors' schedules, quota, patients and visits.

A hospital is an office whose ``kesehatan`` services carry a ``poli``
(contract/catalog.py). ``schedules.py`` keeps the doctors' weekly hours and
quota; ``quota.py`` hands out the day's places one conditional ``UPDATE`` at
a time; ``patients.py`` finds a patient and gives a new one a No. RM;
``visits.py`` turns a registration's ``hospital`` object into a visit and
cancels one; ``seen.py`` tells whether the doctor saw a ticket's holder;
``demo.py`` seeds the demo hospital. docs/hospital.md.
"""
