"""One widget per kind of screen; each renders the session state it is given."""
