"""The booking pages' texts (Bahasa Indonesia, English): ``/booking``, ``/b/{code}``, the staff's.

The form's labels are the words a citizen is told to look for: kantor,
layanan, tanggal, jam, NIK, tanggal lahir, nomor HP (opsional), and the
button "Buat janji".
"""

from __future__ import annotations

import datetime as dt

from central.web.pages import Texts

#: Weekday names, Monday first (``datetime.date.weekday()``).
WEEKDAYS: tuple[tuple[str, str], ...] = (
    ("Senin", "Monday"),
    ("Selasa", "Tuesday"),
    ("Rabu", "Wednesday"),
    ("Kamis", "Thursday"),
    ("Jumat", "Friday"),
    ("Sabtu", "Saturday"),
    ("Minggu", "Sunday"),
)
MONTHS: tuple[tuple[str, str], ...] = (
    ("Januari", "January"),
    ("Februari", "February"),
    ("Maret", "March"),
    ("April", "April"),
    ("Mei", "May"),
    ("Juni", "June"),
    ("Juli", "July"),
    ("Agustus", "August"),
    ("September", "September"),
    ("Oktober", "October"),
    ("November", "November"),
    ("Desember", "December"),
)

PUBLIC: Texts = {
    "booking.title": ("Buat janji layanan", "Book an appointment"),
    "booking.lead": (
        "Pilih kantor, layanan, tanggal, dan jam. Datang pada jam itu, tempelkan kartu atau "
        "ketik kode janji di anjungan, dan nomor antrean Anda keluar.",
        "Choose an office, a service, a day and a time. Come at that time, tap your card or "
        "type the booking code at the kiosk, and your queue ticket prints.",
    ),
    "booking.office": ("Kantor", "Office"),
    "booking.service": ("Layanan", "Service"),
    "booking.day": ("Tanggal", "Day"),
    "booking.slot": ("Jam", "Time"),
    "booking.show_slots": ("Lihat jam yang tersedia", "Show the free times"),
    "booking.slot_free": ("{start}–{end} (sisa {n})", "{start}–{end} ({n} left)"),
    "booking.no_services": (
        "Kantor ini belum menerima janji. Silakan datang langsung.",
        "This office takes no bookings yet. Please come in person.",
    ),
    "booking.no_days": (
        "Tidak ada hari buka dalam {n} hari ke depan untuk layanan ini.",
        "There is no open day in the next {n} days for this service.",
    ),
    "booking.no_slots": (
        "Semua jam pada tanggal ini sudah penuh atau sudah lewat. Pilih tanggal lain.",
        "Every time on this day is taken or past. Choose another day.",
    ),
    "booking.requirements": ("Yang perlu dibawa", "What to bring"),
    "booking.requirements_none": ("Tidak ada persyaratan khusus.", "No special requirements."),
    "booking.hours": ("Jam buka kantor", "Opening hours"),
    "booking.closed": ("tutup", "closed"),
    "booking.holidays": ("Libur", "Closed on"),
    "booking.identity": ("Data diri", "Who you are"),
    "booking.identity_lead": (
        "Isi NIK (atau nomor kartu) dan tanggal lahir Anda. Keduanya dicocokkan dengan data "
        "kependudukan; setiap percobaan dicatat.",
        "Enter your NIK (or card number) and date of birth. Both are checked against the "
        "city's records; every attempt is recorded.",
    ),
    "booking.nik": ("NIK", "NIK (ID number)"),
    "booking.nik_hint": ("16 angka, seperti di KTP-el.", "16 digits, as on the ID card."),
    "booking.card_instead": (
        "Tidak hafal NIK? Pakai nomor kartu",
        "Don't know your NIK? Use the card number",
    ),
    "booking.card_number": ("Nomor kartu", "Card number"),
    "booking.dob": ("Tanggal lahir", "Date of birth"),
    "booking.phone": ("Nomor HP (opsional)", "Mobile number (optional)"),
    "booking.phone_hint": (
        "Hanya jika Anda ingin pesan konfirmasi dan pengingat. Contoh: 081234567890.",
        "Only if you want a confirmation and a reminder. For example: 081234567890.",
    ),
    "booking.submit": ("Buat janji", "Book"),
    "booking.other_language": ("English", "Bahasa Indonesia"),
    # Problems, each a sentence saying what to do.
    "problem.office": ("Pilih kantor dari daftar.", "Choose an office from the list."),
    "problem.service": (
        "Layanan ini tidak menerima janji di kantor itu. Pilih layanan dari daftar.",
        "This service takes no bookings at that office. Choose one from the list.",
    ),
    "problem.day": (
        "Tanggal ini tidak dapat dipesan (tutup, libur, atau di luar rentang). Pilih dari daftar.",
        "This day cannot be booked (closed, a holiday, or out of range). Choose from the list.",
    ),
    "problem.slot": (
        "Tidak ada slot yang mulai pada jam ini di luar jam buka kantor. Tidak ada janji yang "
        "dibuat; pilih jam dari daftar.",
        "No slot starts at this time within the office's opening hours. Nothing was booked; "
        "choose a time from the list.",
    ),
    "problem.day_past": (
        "Tanggal ini sudah lewat. Tidak ada janji yang dibuat; pilih hari ini atau sesudahnya.",
        "This day is over. Nothing was booked; choose today or a later day.",
    ),
    "problem.slot_started": (
        "Jam ini sudah dimulai. Tidak ada janji yang dibuat; pilih jam yang belum dimulai.",
        "This time has already started. Nothing was booked; choose a later time.",
    ),
    "problem.closed_day": (
        "Kantor tutup pada hari itu. Tidak ada janji yang dibuat; pilih hari lain.",
        "The office is closed that day. Nothing was booked; choose another day.",
    ),
    "problem.holiday": (
        "Hari itu hari libur kantor. Tidak ada janji yang dibuat; pilih hari lain.",
        "The office keeps a holiday that day. Nothing was booked; choose another day.",
    ),
    "problem.too_far": (
        "Tanggal ini terlalu jauh: janji dapat dibuat paling lama {days} hari ke depan. Tidak "
        "ada janji yang dibuat.",
        "This day is too far ahead: bookings open at most {days} days ahead. Nothing was booked.",
    ),
    "problem.identity_missing": (
        "Isi NIK atau nomor kartu, tidak keduanya.",
        "Enter your NIK or your card number, not both.",
    ),
    "problem.nik": (
        "NIK harus 16 angka. Periksa lagi KTP-el Anda.",
        "A NIK is 16 digits. Check your ID card again.",
    ),
    "problem.dob": (
        "Tulis tanggal lahir seperti 12-03-1985.",
        "Write the date of birth like 12-03-1985.",
    ),
    "problem.identity": (
        "NIK (atau nomor kartu) dan tanggal lahir tidak cocok dengan data kami. Tidak ada janji "
        "yang dibuat. Periksa lagi, atau datang langsung ke kantor.",
        "The NIK (or card number) and date of birth do not match our records. Nothing was "
        "booked. Check them again, or come to the office in person.",
    ),
    "problem.phone": (
        "Nomor itu tidak dapat menerima SMS atau WhatsApp: masukkan nomor HP "
        "(10–13 angka, diawali 081, 082, 083, 085, 087, 088 atau 089), atau kosongkan saja.",
        "That number cannot receive SMS or WhatsApp: enter a mobile number (10–13 digits "
        "starting 081, 082, 083, 085, 087, 088 or 089), or leave it empty.",
    ),
    "problem.full": (
        "Jam ini baru saja penuh. Tidak ada janji yang dibuat; pilih jam lain.",
        "This time has just filled up. Nothing was booked; choose another time.",
    ),
    "problem.already": (
        "Anda sudah punya janji untuk layanan ini pada tanggal itu. Buka halaman janji itu "
        "(tautan /b/ dengan kode Anda) untuk mengubah atau membatalkannya.",
        "You already have a booking for this service on that day. Open that booking's page "
        "(the /b/ link with your code) to change or cancel it.",
    ),
    "problem.too_many": (
        "Terlalu banyak percobaan. Tunggu {minutes} menit lalu coba lagi, atau datang langsung.",
        "Too many attempts. Wait {minutes} minutes and try again, or come in person.",
    ),
    "problem.slow": (
        "Terlalu banyak permintaan dari alamat ini. Tunggu sebentar lalu coba lagi.",
        "Too many requests from this address. Wait a moment and try again.",
    ),
    # /b/{code}
    "view.title": ("Janji {code}", "Booking {code}"),
    "view.code": ("Kode janji", "Booking code"),
    "view.lead": (
        "Simpan kode ini. Di anjungan, tempelkan kartu Anda atau ketik kode ini.",
        "Keep this code. At the kiosk, tap your card or type this code.",
    ),
    "view.service": ("Layanan", "Service"),
    "view.office": ("Kantor", "Office"),
    "view.day": ("Tanggal", "Day"),
    "view.time": ("Jam", "Time"),
    "view.state": ("Status", "State"),
    "view.qr": ("Kode QR halaman janji ini", "QR code of this booking's page"),
    "view.qr_hint": (
        "Pindai untuk membuka halaman ini lagi.",
        "Scan to open this page again.",
    ),
    "view.unknown_title": ("Janji tidak ditemukan", "Booking not found"),
    "view.unknown": (
        "Tidak ada janji dengan kode ini. Periksa lagi kodenya, atau buat janji baru.",
        "There is no booking with this code. Check the code, or make a new booking.",
    ),
    "view.new": ("Buat janji baru", "Make a new booking"),
    "view.change": ("Ubah jam", "Change the time"),
    "view.change_lead": (
        "Pilih tanggal dan jam baru, lalu isi tanggal lahir Anda lagi.",
        "Choose a new day and time, then enter your date of birth again.",
    ),
    "view.change_submit": ("Ubah janji", "Change the booking"),
    "view.pick_day": ("— pilih tanggal baru —", "— choose a new day —"),
    "view.cancel": ("Batalkan janji", "Cancel the booking"),
    "view.cancel_lead": (
        "Isi tanggal lahir Anda untuk membatalkan. Jamnya dilepas untuk warga lain.",
        "Enter your date of birth to cancel. The time is freed for someone else.",
    ),
    "view.cancel_submit": ("Batalkan janji", "Cancel the booking"),
    "view.done.booked": (
        "Janji Anda tercatat. Sampai jumpa di kantor.",
        "Your booking is made. See you at the office.",
    ),
    "view.done.changed": ("Janji Anda sudah diubah.", "Your booking has been changed."),
    "view.done.cancelled": ("Janji Anda sudah dibatalkan.", "Your booking has been cancelled."),
    "view.not_changeable": (
        "Janji ini tidak dapat diubah lagi.",
        "This booking can no longer be changed.",
    ),
    "state.booked": ("Terjadwal", "Booked"),
    "state.checked_in": ("Sudah datang (tiket dicetak)", "Checked in (ticket printed)"),
    "state.cancelled": ("Dibatalkan", "Cancelled"),
    "state.no_show": ("Tidak datang", "Did not come"),
}

STAFF: Texts = {
    "slots.title": ("Pengaturan janji", "Booking settings"),
    "slots.office": ("Kantor", "Office"),
    "slots.show": ("Tampilkan", "Show"),
    "slots.services": ("Slot per layanan", "Slots per service"),
    "slots.service": ("Layanan", "Service"),
    "slots.enabled": ("Menerima janji", "Takes bookings"),
    "slots.slot_minutes": ("Lama slot (menit)", "Slot length (minutes)"),
    "slots.capacity": ("Kapasitas per slot", "Capacity per slot"),
    "slots.walk_in": ("Bagian untuk warga tanpa janji (%)", "Share kept for walk-ins (%)"),
    "slots.policy": ("Tempat di antrean saat datang", "Place in the queue at check-in"),
    "slots.policy.head": ("Di depan (dalam jam janji)", "At the head (within the slot)"),
    "slots.policy.walk_in": ("Seperti warga tanpa janji", "As a walk-in"),
    "slots.grace": ("Toleransi terlambat (menit)", "Grace period (minutes)"),
    "slots.save": ("Simpan", "Save"),
    "slots.hours": ("Jam buka mingguan", "Weekly opening hours"),
    "slots.weekday": ("Hari", "Day"),
    "slots.opens": ("Buka", "Opens"),
    "slots.closes": ("Tutup", "Closes"),
    "slots.hours_hint": (
        "Kosongkan kedua jam untuk hari tutup.",
        "Leave both times empty for a day the office is closed.",
    ),
    "slots.save_hours": ("Simpan jam buka", "Save opening hours"),
    "slots.holidays": ("Hari libur", "Holidays"),
    "slots.holiday_day": ("Tanggal", "Day"),
    "slots.holiday_name": ("Keterangan", "Name"),
    "slots.add_holiday": ("Tambah hari libur", "Add holiday"),
    "slots.remove_holiday": ("Hapus {day}", "Remove {day}"),
    "slots.no_holidays": ("Belum ada hari libur.", "No holidays yet."),
    "slots.done.settings": ("Pengaturan layanan tersimpan.", "Service settings saved."),
    "slots.done.hours": ("Jam buka tersimpan.", "Opening hours saved."),
    "slots.done.holiday": ("Hari libur ditambahkan.", "Holiday added."),
    "slots.done.holiday_booked": (
        "Hari libur ditambahkan. Hari itu masih ada janji yang tercatat (daftarnya di bawah, "
        "pada hari libur itu): hubungi warganya untuk memindahkan janji.",
        "Holiday added. That day still has bookings (listed below, under the holiday): call "
        "the citizens to move them.",
    ),
    "slots.holiday_bookings": (
        "{count} janji masih tercatat pada hari ini: hubungi warganya",
        "{count} bookings still stand on this day: call the citizens",
    ),
    "slots.done.removed": ("Hari libur dihapus.", "Holiday removed."),
    "slots.problem.settings": (
        "Isian tidak sah: lama slot 5–240 menit, kapasitas 0–1000, bagian tanpa janji 0–100 %, "
        "toleransi 0–240 menit. Tidak ada yang diubah.",
        "Not valid: slot length 5–240 minutes, capacity 0–1000, walk-in share 0–100 %, "
        "grace 0–240 minutes. Nothing was changed.",
    ),
    "slots.problem.slot_length": (
        "Lama slot tidak diubah: layanan ini masih punya {count} janji yang akan datang, "
        "yang dihitung per jam mulai slot lama. Ubah setelah janji itu lewat atau dibatalkan. "
        "Tidak ada yang diubah.",
        "The slot length was not changed: this service has {count} bookings to come, counted "
        "by the old slots' start times. Change it once they are over or cancelled. Nothing "
        "was changed.",
    ),
    "slots.problem.hours": (
        "Tulis jam seperti 08:00, dan jam tutup sesudah jam buka. Tidak ada yang diubah.",
        "Write times like 08:00, closing after opening. Nothing was changed.",
    ),
    "slots.problem.holiday": (
        "Tulis tanggal seperti 2026-12-25 dan keterangannya (paling banyak 200 karakter, "
        "tanpa karakter tak terlihat atau pembalik arah).",
        "Write a date like 2026-12-25 and a name (at most 200 characters, no invisible or "
        "direction characters).",
    ),
    "slots.problem.office": ("Kantor ini tidak dikenal.", "No such office."),
    "slots.today": ("Janji hari ini", "Today's bookings"),
}

#: The day's bookings, on the counter page and the dashboard.
TODAY: Texts = {
    "bookings.today": ("Janji hari ini", "Today's bookings"),
    "bookings.of_day": ("Janji {day} per layanan", "Bookings of {day} per service"),
    "bookings.none": ("Tidak ada janji hari ini.", "No bookings today."),
    "bookings.time": ("Jam", "Time"),
    "bookings.code": ("Kode", "Code"),
    "bookings.service": ("Layanan", "Service"),
    "bookings.state": ("Status", "State"),
    "bookings.booked": ("Terjadwal", "Booked"),
    "bookings.checked_in": ("Sudah datang", "Checked in"),
    "bookings.cancelled": ("Dibatalkan", "Cancelled"),
    "bookings.no_show": ("Tidak datang", "No-show"),
    "bookings.total": ("Jumlah", "Total"),
}


def long_day(day: dt.date, lang: str) -> str:
    """``day`` as people write it: "Senin, 7 Desember 2026" / "Monday, 7 December 2026"."""
    pick = 1 if lang == "en" else 0
    return f"{WEEKDAYS[day.weekday()][pick]}, {day.day} {MONTHS[day.month - 1][pick]} {day.year}"
