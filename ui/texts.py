"""Every string the touchscreen shows, in Bahasa Indonesia and English.

Indonesian is the default and the fallback. Keys for problems and field
errors are the stable codes the state machine and the form validator emit.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "app_title": ("Anjungan Layanan Mandiri", "Self-Service Kiosk"),
    "tap_card": ("Tempelkan kartu Anda", "Tap your card"),
    "tap_hint": (
        "Letakkan kartu di atas pembaca di bawah layar",
        "Hold your card on the reader below the screen",
    ),
    "switch_language": ("English", "Bahasa Indonesia"),
    "offline": (
        "Luring — layanan tetap berjalan, data dikirim nanti",
        "Offline — service continues, data is sent later",
    ),
    "no_catalog": (
        "Daftar layanan belum tersedia. Kiosk belum terhubung ke server pusat.",
        "The list of services is not available yet: no connection to the central server.",
    ),
    "printer_down": (
        "Printer tiket sedang bermasalah — nomor antrean tampil di layar",
        "The ticket printer has a problem — your number is shown on screen",
    ),
    "demo_cards": ("Kartu demo (simulasi)", "Demo cards (simulated)"),
    "reading": ("Membaca kartu…", "Reading your card…"),
    "reading_hint": ("Jangan angkat kartu Anda", "Keep your card on the reader"),
    "welcome_named_F": ("Selamat datang, Ibu {name}", "Welcome, Mrs {name}"),
    "welcome_named_M": ("Selamat datang, Bapak {name}", "Welcome, Mr {name}"),
    "welcome": ("Selamat datang", "Welcome"),
    "choose_service": ("Silakan pilih layanan", "Please choose a service"),
    "cancel": ("Batal", "Cancel"),
    "back": ("Kembali", "Back"),
    "next": ("Lanjut", "Next"),
    "register": ("Daftar layanan ini", "Register for this service"),
    "requirements": ("Persyaratan yang dibawa", "Please bring"),
    "no_requirements": ("Tidak ada persyaratan khusus", "Nothing special to bring"),
    "counter": ("Loket", "Counter"),
    "form_title": ("Periksa dan lengkapi data", "Check and complete your details"),
    "from_card": ("dari kartu", "from card"),
    "from_record": ("data kota", "city record"),
    "confirm_title": ("Apakah data ini sudah benar?", "Is this correct?"),
    "confirm": ("Ya, ambil nomor antrean", "Yes, get my queue number"),
    "issuing": ("Membuat tiket…", "Making your ticket…"),
    "issuing_no_paper": ("Membuat nomor antrean…", "Getting your queue number…"),
    "your_number": ("Nomor antrean Anda", "Your queue number"),
    "take_ticket": ("Silakan ambil tiket Anda", "Please take your ticket"),
    "photo_ticket": (
        "Tiket tidak dapat dicetak. Silakan foto layar ini (nomor dan kode QR) "
        "sebagai bukti antrean.",
        "The ticket could not be printed. Please take a photo of this screen (number and QR code).",
    ),
    "check_ticket": (
        "Ambil tiket Anda. Jika tiket tidak keluar, silakan foto layar ini.",
        "Please take your ticket. If none came out, take a photo of this screen.",
    ),
    "scan_status": (
        "Pindai kode ini untuk melihat status antrean Anda",
        "Scan this code to follow your place in the queue",
    ),
    "finish": ("Selesai", "Done"),
    "thanks": ("Terima kasih", "Thank you"),
    "still_there": (
        "Masih di sana? Sesi berakhir dalam {seconds} detik",
        "Still there? The session ends in {seconds} seconds",
    ),
    "continue": ("Lanjutkan", "Continue"),
    "close": ("Tutup", "Close"),
    # problems (codes from kiosk.session / cardio / offline_store)
    "problem_malformed": (
        "Kartu tidak dapat dibaca. Silakan coba lagi atau hubungi petugas.",
        "The card could not be read. Please try again or ask an officer.",
    ),
    "problem_removed_during_read": (
        "Kartu terangkat terlalu cepat. Tempelkan lagi dan tahan sebentar.",
        "The card was removed too soon. Tap again and hold it still.",
    ),
    "problem_unsupported_card": (
        "Kartu ini tidak dikenali oleh kiosk.",
        "This card is not recognised.",
    ),
    "problem_service_unavailable": (
        "Layanan pembaca kartu tidak berjalan. Silakan hubungi petugas.",
        "The card service is not running. Please ask an officer.",
    ),
    "problem_reader_unavailable": (
        "Pembaca kartu tidak terhubung. Silakan hubungi petugas.",
        "The card reader is not connected. Please ask an officer.",
    ),
    "problem_timeout": (
        "Pembacaan kartu terlalu lama. Silakan coba lagi.",
        "Reading the card took too long. Please try again.",
    ),
    "problem_read_timeout": (
        "Pembacaan kartu terlalu lama. Silakan coba lagi.",
        "Reading the card took too long. Please try again.",
    ),
    # a card the kiosk refuses (cardio.errors.Reason, docs/card-format.md)
    "problem_bad_signature": (
        "Data kartu tidak sah. Silakan hubungi petugas.",
        "The data on this card is not genuine. Please ask an officer.",
    ),
    "problem_unknown_issuer": (
        "Kartu tidak dikenali. Kartu ini tidak diterbitkan oleh kota yang dikenal kiosk.",
        "Card not recognised: it was not issued by a city this kiosk knows.",
    ),
    "problem_expired": (
        "Kartu sudah kedaluwarsa. Silakan perpanjang kartu Anda di loket.",
        "This card has expired. Please renew it at the counter.",
    ),
    "problem_not_yet_valid": (
        "Kartu belum berlaku. Silakan hubungi petugas.",
        "This card is not valid yet. Please ask an officer.",
    ),
    "problem_revoked": (
        "Kartu ini diblokir. Silakan hubungi petugas.",
        "This card has been blocked. Please ask an officer.",
    ),
    "problem_clone_suspected": (
        "Kartu diduga hasil salinan. Silakan hubungi petugas.",
        "This card may be a copy. Please ask an officer.",
    ),
    "problem_nik_mismatch": (
        "Data kartu tidak cocok dengan NIK. Silakan hubungi petugas.",
        "The card's details do not match its NIK. Please ask an officer.",
    ),
    "problem_store_full": (
        "Tiket tidak dapat dibuat karena penyimpanan kiosk penuh. Silakan hubungi petugas.",
        "No ticket could be made: the kiosk's storage is full. Please ask an officer.",
    ),
    "problem_store_failed": (
        "Tiket tidak dapat dibuat karena gangguan sistem. Silakan hubungi petugas.",
        "No ticket could be made because of a system fault. Please ask an officer.",
    ),
    "problem_store_corrupt": (
        "Tiket tidak dapat dibuat karena gangguan sistem. Silakan hubungi petugas.",
        "No ticket could be made because of a system fault. Please ask an officer.",
    ),
    "problem_issue_failed": (
        "Tiket tidak dapat dibuat karena gangguan sistem. Silakan hubungi petugas.",
        "No ticket could be made because of a system fault. Please ask an officer.",
    ),
    "problem_issue_timeout": (
        "Tiket belum dapat dipastikan. Silakan hubungi petugas sebelum mencoba lagi.",
        "Your ticket could not be confirmed. Please ask an officer before trying again.",
    ),
    "problem_no_catalog": (
        "Layanan belum tersedia. Silakan hubungi petugas.",
        "Services are not available yet. Please ask an officer.",
    ),
    "problem_service_unknown": (
        "Layanan ini sedang tidak tersedia.",
        "This service is not available right now.",
    ),
    "problem_assurance_too_low": (
        "Layanan ini memerlukan kartu warga yang terverifikasi.",
        "This service needs a verified citizen card.",
    ),
    "problem_unknown": (
        "Terjadi gangguan. Silakan coba lagi atau hubungi petugas.",
        "Something went wrong. Please try again or ask an officer.",
    ),
    # form field errors (codes from kiosk.forms)
    "field_required": ("Wajib diisi", "Required"),
    "field_too_long": ("Terlalu panjang", "Too long"),
    "field_nik_format": ("NIK harus 16 angka", "A NIK has 16 digits"),
    "field_number_format": ("Hanya angka", "Digits only"),
    "field_phone_format": (
        "Nomor HP tidak valid (contoh: 081234567890)",
        "Not a valid mobile number (e.g. 081234567890)",
    ),
    "field_date_format": ("Tanggal tidak valid (TTTT-BB-HH)", "Not a valid date (YYYY-MM-DD)"),
    "field_choice_unknown": ("Pilih salah satu", "Choose one"),
}

LANGUAGES = ("id", "en")


def tr(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` (Indonesian if unknown), formatted."""
    pair = TEXTS.get(key)
    if pair is None:
        if key.startswith("problem_"):
            pair = TEXTS["problem_unknown"]
        elif key.startswith("field_"):
            pair = TEXTS["field_required"]
        else:
            raise KeyError(key)
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text
