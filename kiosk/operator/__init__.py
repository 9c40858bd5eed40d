"""The operator panel without Qt: its status, test read and the PIN that opens it."""
