"""What the office keeps and decides: ticket numbers and queues, what kiosks send,
citizens' records and applications, wards and doctors, the fleet of kiosks, figures."""
