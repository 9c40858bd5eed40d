"""Every string the touchscreen shows: Bahasa Indonesia here, other languages in Qt Linguist files.

Indonesian is the source language, the default and the fallback. Each text
is marked with ``QT_TRANSLATE_NOOP`` so ``pyside6-lupdate`` finds it; the
English lives in ``ui/i18n/anjungan_en.ts`` (edit it with ``pyside6-linguist``
or any text editor), and ``make translations`` compiles it to the ``.qm`` file
read here. After adding or changing a text, ``make ts`` refreshes the ``.ts``
file; ``tests/ui/test_translations.py`` fails until every text has its
translation and the ``.qm`` is rebuilt.

Keys for problems and field errors are the stable codes the state machine and
the form validator emit. ``{name}``-style fields are filled after translation.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTranslator

from ui.errors import TranslationsMissing

log = logging.getLogger(__name__)

# The translation context of every text (the ``.ts`` file's ``<context>``).
CONTEXT = "texts"
I18N_DIR = Path(__file__).resolve().parent / "i18n"

_MARKED: dict[str, object] = {
    "app_title": QT_TRANSLATE_NOOP("texts", "Anjungan Layanan Mandiri"),
    "tap_card": QT_TRANSLATE_NOOP("texts", "Tempelkan kartu Anda"),
    "tap_hint": QT_TRANSLATE_NOOP("texts", "Letakkan kartu di atas pembaca di bawah layar"),
    "switch_language": QT_TRANSLATE_NOOP("texts", "English"),
    "larger_text": QT_TRANSLATE_NOOP("texts", "A+"),
    "larger_text_name": QT_TRANSLATE_NOOP("texts", "Perbesar tulisan"),
    "offline": QT_TRANSLATE_NOOP("texts", "Luring — layanan tetap berjalan, data dikirim nanti"),
    "no_catalog": QT_TRANSLATE_NOOP(
        "texts", "Daftar layanan belum tersedia. Kiosk belum terhubung ke server pusat."
    ),
    "printer_down": QT_TRANSLATE_NOOP(
        "texts", "Printer tiket sedang bermasalah — nomor antrean tampil di layar"
    ),
    "out_of_service": QT_TRANSLATE_NOOP(
        "texts", "Mohon maaf, anjungan ini sedang tidak dapat melayani"
    ),
    "demo_cards": QT_TRANSLATE_NOOP("texts", "Kartu demo (simulasi)"),
    "reading": QT_TRANSLATE_NOOP("texts", "Membaca kartu…"),
    "reading_hint": QT_TRANSLATE_NOOP("texts", "Jangan angkat kartu Anda"),
    "welcome_named_F": QT_TRANSLATE_NOOP("texts", "Selamat datang, Ibu {name}"),
    "welcome_named_M": QT_TRANSLATE_NOOP("texts", "Selamat datang, Bapak {name}"),
    "welcome": QT_TRANSLATE_NOOP("texts", "Selamat datang"),
    # a UID-only card (an e-KTP): the date of birth unlocks the pre-filled form
    "birth_date_title": QT_TRANSLATE_NOOP(
        "texts", "Isi formulir otomatis? Ketik tanggal lahir Anda"
    ),
    "birth_date_hint": QT_TRANSLATE_NOOP(
        "texts", "Tanggal, bulan, tahun (HH BB TTTT). Atau pilih Lewati dan isi sendiri."
    ),
    "birth_date_checking": QT_TRANSLATE_NOOP("texts", "Memeriksa tanggal lahir…"),
    "birth_date_ok": QT_TRANSLATE_NOOP("texts", "Periksa"),
    "birth_date_skip": QT_TRANSLATE_NOOP("texts", "Lewati, isi sendiri"),
    "choose_service": QT_TRANSLATE_NOOP("texts", "Silakan pilih layanan"),
    "cancel": QT_TRANSLATE_NOOP("texts", "Batal"),
    # appointments (#16): the attract screen's entry, the code keypad, the appointment
    "booking_code_entry": QT_TRANSLATE_NOOP("texts", "Punya kode janji?"),
    "booking_code_title": QT_TRANSLATE_NOOP("texts", "Ketik kode janji Anda"),
    "booking_code_hint": QT_TRANSLATE_NOOP("texts", "9 angka yang tertulis di halaman janji Anda."),
    "booking_code_checking": QT_TRANSLATE_NOOP("texts", "Memeriksa kode janji…"),
    "booking_code_ok": QT_TRANSLATE_NOOP("texts", "Periksa"),
    "appointment_title": QT_TRANSLATE_NOOP(
        "texts", "Anda punya janji pukul {time} untuk {service}"
    ),
    "appointment_when": QT_TRANSLATE_NOOP("texts", "Hari ini, {time}–{end}"),
    "appointment_code": QT_TRANSLATE_NOOP("texts", "Kode janji: {code}"),
    # a Mobile JKN booking names its doctor and the doctor's hours
    "appointment_doctor": QT_TRANSLATE_NOOP("texts", "Dokter: {doctor}, jam praktik {hours}"),
    "appointment_doctor_only": QT_TRANSLATE_NOOP("texts", "Dokter: {doctor}"),
    "appointment_hint": QT_TRANSLATE_NOOP(
        "texts", "Sentuh Check-in untuk mencetak tiket antrean Anda."
    ),
    "check_in": QT_TRANSLATE_NOOP("texts", "Check-in, cetak tiket"),
    "other_services": QT_TRANSLATE_NOOP("texts", "Layanan lain"),
    "back": QT_TRANSLATE_NOOP("texts", "Kembali"),
    "next": QT_TRANSLATE_NOOP("texts", "Lanjut"),
    "register": QT_TRANSLATE_NOOP("texts", "Daftar layanan ini"),
    "requirements": QT_TRANSLATE_NOOP("texts", "Persyaratan yang dibawa"),
    "no_requirements": QT_TRANSLATE_NOOP("texts", "Tidak ada persyaratan khusus"),
    "counter": QT_TRANSLATE_NOOP("texts", "Loket"),
    "form_title": QT_TRANSLATE_NOOP("texts", "Periksa dan lengkapi data"),
    "from_card": QT_TRANSLATE_NOOP("texts", "dari kartu"),
    "from_record": QT_TRANSLATE_NOOP("texts", "dari data kota"),
    "confirm_title": QT_TRANSLATE_NOOP("texts", "Apakah data ini sudah benar?"),
    "confirm": QT_TRANSLATE_NOOP("texts", "Ya, ambil nomor antrean"),
    # consent to messages, the one question before the ticket (#16; docs/accessibility.md)
    "consent_title_number": QT_TRANSLATE_NOOP("texts", "Kirim pemberitahuan ke {number}?"),
    "consent_title": QT_TRANSLATE_NOOP("texts", "Kirim pemberitahuan ke HP Anda?"),
    "consent_hint": QT_TRANSLATE_NOOP(
        "texts", "Pesan singkat saat giliran Anda hampir tiba dan saat nomor Anda dipanggil."
    ),
    "consent_default": QT_TRANSLATE_NOOP(
        "texts", "Jika tidak dijawab, tiket dicetak tanpa pemberitahuan."
    ),
    "consent_yes": QT_TRANSLATE_NOOP("texts", "Ya, kirim"),
    "consent_no": QT_TRANSLATE_NOOP("texts", "Tidak"),
    "consent_other": QT_TRANSLATE_NOOP("texts", "Nomor lain"),
    "consent_phone_title": QT_TRANSLATE_NOOP("texts", "Ketik nomor HP Anda"),
    "consent_phone_hint": QT_TRANSLATE_NOOP(
        "texts", "Diawali 08, hanya untuk pemberitahuan antrean ini. Lalu tekan OK."
    ),
    "consent_none": QT_TRANSLATE_NOOP("texts", "Tidak usah"),
    # the same question after a complaint is sent (#16)
    "consent_hint_complaint": QT_TRANSLATE_NOOP(
        "texts", "Pesan singkat saat pengaduan Anda sudah dijawab."
    ),
    "consent_default_complaint": QT_TRANSLATE_NOOP(
        "texts", "Jika tidak dijawab, pengaduan dikirim tanpa pemberitahuan."
    ),
    "consent_phone_hint_complaint": QT_TRANSLATE_NOOP(
        "texts", "Diawali 08, hanya untuk pemberitahuan pengaduan ini. Lalu tekan OK."
    ),
    "speak_consent": QT_TRANSLATE_NOOP("texts", "Tekan {yes} atau {no}."),
    "issuing": QT_TRANSLATE_NOOP("texts", "Membuat tiket…"),
    "issuing_no_paper": QT_TRANSLATE_NOOP("texts", "Membuat nomor antrean…"),
    "your_number": QT_TRANSLATE_NOOP("texts", "Nomor antrean Anda"),
    "take_ticket": QT_TRANSLATE_NOOP("texts", "Silakan ambil tiket Anda"),
    "people_ahead": QT_TRANSLATE_NOOP("texts", "Antrean di depan Anda: {count} orang"),
    "ticket_wait": QT_TRANSLATE_NOOP("texts", "Perkiraan waktu tunggu: ± {minutes} menit"),
    "photo_ticket": QT_TRANSLATE_NOOP(
        "texts", "Silakan foto layar ini (nomor dan kode QR) sebagai bukti antrean."
    ),
    "check_ticket": QT_TRANSLATE_NOOP(
        "texts", "Ambil tiket Anda. Jika tiket tidak keluar, silakan foto layar ini."
    ),
    "scan_status": QT_TRANSLATE_NOOP("texts", "Pindai kode ini untuk melihat status antrean Anda"),
    "finish": QT_TRANSLATE_NOOP("texts", "Selesai"),
    "thanks": QT_TRANSLATE_NOOP("texts", "Terima kasih"),
    "still_there": QT_TRANSLATE_NOOP("texts", "Masih di sana? Sesi berakhir dalam {seconds} detik"),
    "continue": QT_TRANSLATE_NOOP("texts", "Lanjutkan"),
    "close": QT_TRANSLATE_NOOP("texts", "Tutup"),
    # touchscreen (#7): idle warning, service detail, grid, keyboard, complaints
    "still_there_title": QT_TRANSLATE_NOOP("texts", "Masih di sana?"),
    "still_there_countdown": QT_TRANSLATE_NOOP(
        "texts", "Sesi berakhir dalam {seconds} detik dan data Anda dihapus."
    ),
    "now_serving": QT_TRANSLATE_NOOP("texts", "Sedang dilayani"),
    "estimated_wait": QT_TRANSLATE_NOOP("texts", "Perkiraan waktu tunggu"),
    "opening_hours": QT_TRANSLATE_NOOP("texts", "Jam layanan"),
    "needs_signed": QT_TRANSLATE_NOOP(
        "texts", "Tidak tersedia dengan kartu ini: perlu kartu warga resmi yang ditandatangani kota"
    ),
    "needs_clone_proof": QT_TRANSLATE_NOOP(
        "texts", "Tidak tersedia dengan kartu ini: perlu kartu warga dengan chip anti-salin"
    ),
    "complaint": QT_TRANSLATE_NOOP("texts", "Sampaikan pengaduan"),
    "complaint_title": QT_TRANSLATE_NOOP("texts", "Pengaduan"),
    "complaint_hint": QT_TRANSLATE_NOOP(
        "texts", "Pilih kategori, lalu tulis pengaduan Anda. Anda akan menerima nomor referensi."
    ),
    "complaint_category": QT_TRANSLATE_NOOP("texts", "Kategori"),
    "complaint_text": QT_TRANSLATE_NOOP("texts", "Tulis pengaduan Anda di sini"),
    "complaint_chars": QT_TRANSLATE_NOOP("texts", "{n} / {max} karakter"),
    "complaint_send": QT_TRANSLATE_NOOP("texts", "Kirim pengaduan"),
    "complaint_no_category": QT_TRANSLATE_NOOP("texts", "Kategori belum dipilih."),
    "complaint_sending": QT_TRANSLATE_NOOP("texts", "Menyimpan pengaduan…"),
    "complaint_filed": QT_TRANSLATE_NOOP("texts", "Pengaduan Anda sudah diterima"),
    "complaint_reference": QT_TRANSLATE_NOOP("texts", "Nomor referensi"),
    "complaint_take_receipt": QT_TRANSLATE_NOOP(
        "texts",
        "Silakan ambil bukti pengaduan Anda. Simpan nomor ini untuk menanyakan tindak lanjutnya.",
    ),
    "complaint_photo": QT_TRANSLATE_NOOP("texts", "Silakan catat atau foto nomor referensi ini."),
    "complaint_anonymous": QT_TRANSLATE_NOOP("texts", "Tanpa kartu: pengaduan dikirim tanpa nama."),
    # the kiosk that speaks (kiosk.speech): the button, and what is said besides the titles
    "speech_start": QT_TRANSLATE_NOOP("texts", "Bacakan layar"),
    "speech_stop": QT_TRANSLATE_NOOP("texts", "Hentikan suara"),
    "speech_on": QT_TRANSLATE_NOOP("texts", "Layar akan dibacakan."),
    "speak_services": QT_TRANSLATE_NOOP("texts", "Sentuh nama layanan yang Anda perlukan."),
    "speak_detail": QT_TRANSLATE_NOOP(
        "texts", "Tekan {register} untuk mendaftar, atau {back} untuk memilih layanan lain."
    ),
    "speak_form": QT_TRANSLATE_NOOP("texts", "Periksa data Anda, lalu tekan {next} di bawah."),
    "speak_confirm": QT_TRANSLATE_NOOP("texts", "Jika sudah benar, tekan {confirm}."),
    # information (public) and the citizen's applications (#7)
    "information": QT_TRANSLATE_NOOP("texts", "Informasi"),
    "information_title": QT_TRANSLATE_NOOP("texts", "Informasi layanan"),
    "queue_title": QT_TRANSLATE_NOOP("texts", "Antrean saat ini"),
    "queue_empty": QT_TRANSLATE_NOOP("texts", "Belum ada antrean hari ini"),
    "beds_title": QT_TRANSLATE_NOOP("texts", "Tempat tidur tersedia"),
    "beds_row": QT_TRANSLATE_NOOP("texts", "{ward}: {free} dari {total} kosong"),
    "doctors_title": QT_TRANSLATE_NOOP("texts", "Dokter bertugas"),
    "doctor_row": QT_TRANSLATE_NOOP("texts", "{name}, {specialty}"),
    "doctors_none": QT_TRANSLATE_NOOP("texts", "Tidak ada data dokter bertugas"),
    "info_updated": QT_TRANSLATE_NOOP("texts", "Diperbarui {date} pukul {time}"),
    "loading": QT_TRANSLATE_NOOP("texts", "Memuat…"),
    "cannot_check": QT_TRANSLATE_NOOP("texts", "Data ini tidak dapat dimuat saat ini."),
    "status_berkas": QT_TRANSLATE_NOOP("texts", "Status berkas"),
    "status_title": QT_TRANSLATE_NOOP("texts", "Status berkas Anda"),
    "status_none": QT_TRANSLATE_NOOP("texts", "Tidak ada berkas yang sedang diproses"),
    "status_unverified": QT_TRANSLATE_NOOP(
        "texts", "Status berkas hanya dapat diperiksa dengan kartu warga yang terverifikasi."
    ),
    "status_row": QT_TRANSLATE_NOOP("texts", "{title}: {state}"),
    "state_received": QT_TRANSLATE_NOOP("texts", "diterima"),
    "state_in_progress": QT_TRANSLATE_NOOP("texts", "sedang diproses"),
    "state_ready": QT_TRANSLATE_NOOP("texts", "siap diambil"),
    "state_collected": QT_TRANSLATE_NOOP("texts", "sudah diambil"),
    "state_rejected": QT_TRANSLATE_NOOP("texts", "ditolak, silakan tanya petugas"),
    "state_on_hold": QT_TRANSLATE_NOOP("texts", "ditunda, lihat catatan atau tanya petugas"),
    "state_unknown": QT_TRANSLATE_NOOP("texts", "status tidak dikenal"),
    "complaints_answered_title": QT_TRANSLATE_NOOP("texts", "Jawaban atas pengaduan Anda"),
    "complaint_answer_row": QT_TRANSLATE_NOOP("texts", "{reference} — dijawab {date}\n{answer}"),
    # the operator panel (#7)
    "pin_title": QT_TRANSLATE_NOOP("texts", "PIN operator"),
    "pin_ok": QT_TRANSLATE_NOOP("texts", "OK"),
    "pin_erase": QT_TRANSLATE_NOOP("texts", "Hapus"),
    "pin_wrong": QT_TRANSLATE_NOOP("texts", "PIN salah."),
    "pin_tries_left": QT_TRANSLATE_NOOP("texts", "Sisa percobaan: {tries}."),
    "pin_locked": QT_TRANSLATE_NOOP("texts", "Terlalu banyak percobaan."),
    "pin_wait": QT_TRANSLATE_NOOP("texts", "Coba lagi dalam {seconds} detik."),
    "pin_checking": QT_TRANSLATE_NOOP("texts", "Memeriksa…"),
    "operator_title": QT_TRANSLATE_NOOP("texts", "Panel operator"),
    "op_reader": QT_TRANSLATE_NOOP("texts", "Pembaca kartu: {state}"),
    "op_reader_none": QT_TRANSLATE_NOOP("texts", "tidak ada yang terhubung"),
    "op_printer": QT_TRANSLATE_NOOP("texts", "Printer: {state}"),
    "op_printer_ok": QT_TRANSLATE_NOOP("texts", "baik"),
    "op_printer_fault": QT_TRANSLATE_NOOP("texts", "bermasalah ({fault})"),
    "op_outbox": QT_TRANSLATE_NOOP(
        "texts", "Antrean kirim: {pending} menunggu, {dead} gagal; tertua {age}"
    ),
    "op_sync": QT_TRANSLATE_NOOP("texts", "Sinkronisasi terakhir: {last}"),
    "op_sync_never": QT_TRANSLATE_NOOP("texts", "belum pernah"),
    "op_sync_run": QT_TRANSLATE_NOOP("texts", "{task} {result} pukul {time}"),
    "op_sync_last_ok": QT_TRANSLATE_NOOP("texts", "(terakhir berhasil pukul {time})"),
    "op_task_identity": QT_TRANSLATE_NOOP("texts", "pendaftaran kiosk"),
    "op_task_documents": QT_TRANSLATE_NOOP("texts", "katalog dan daftar kepercayaan"),
    "op_task_outbox": QT_TRANSLATE_NOOP("texts", "pengiriman data"),
    "op_task_bookings": QT_TRANSLATE_NOOP("texts", "janji temu"),
    "op_task_doctors": QT_TRANSLATE_NOOP("texts", "jadwal dokter"),
    "op_task_leases": QT_TRANSLATE_NOOP("texts", "nomor sewaan"),
    "op_task_heartbeat": QT_TRANSLATE_NOOP("texts", "laporan kondisi"),
    "op_result_ok": QT_TRANSLATE_NOOP("texts", "berhasil"),
    "op_result_failed": QT_TRANSLATE_NOOP("texts", "gagal"),
    "op_refused_state": QT_TRANSLATE_NOOP("texts", "ditolak"),
    "op_engine": QT_TRANSLATE_NOOP(
        "texts",
        "Sinkronisasi: {connection}, berhasil terakhir {success}; kode kiosk {code}; "
        "sisa nomor sewaan {leases}",
    ),
    "op_refused": QT_TRANSLATE_NOOP("texts", "Ditolak dari server pusat: {what}"),
    "op_central": QT_TRANSLATE_NOOP("texts", "Server pusat: {state}"),
    "op_online": QT_TRANSLATE_NOOP("texts", "terhubung"),
    "op_offline": QT_TRANSLATE_NOOP("texts", "luring"),
    "op_unknown": QT_TRANSLATE_NOOP("texts", "belum diketahui"),
    "op_catalog": QT_TRANSLATE_NOOP("texts", "Katalog: {version}"),
    "op_store_error": QT_TRANSLATE_NOOP("texts", "Penyimpanan lokal bermasalah: {error}"),
    "op_unprinted": QT_TRANSLATE_NOOP("texts", "Tiket hari ini tanpa kertas: {tickets}"),
    "op_unprinted_ticket": QT_TRANSLATE_NOOP("texts", "{number} ({why})"),
    "op_unprinted_more": QT_TRANSLATE_NOOP("texts", "{named} dan {more} lagi"),
    "op_fault_session_ended": QT_TRANSLATE_NOOP("texts", "sesi sudah berakhir"),
    "op_fault_interrupted": QT_TRANSLATE_NOOP("texts", "tidak diketahui, kiosk sempat mati"),
    "op_fault_out_of_paper": QT_TRANSLATE_NOOP("texts", "kertas habis"),
    "op_fault_offline": QT_TRANSLATE_NOOP("texts", "printer mati"),
    "op_fault_unavailable": QT_TRANSLATE_NOOP("texts", "printer tidak ditemukan"),
    "op_fault_timeout": QT_TRANSLATE_NOOP("texts", "printer tidak menjawab"),
    "op_fault_failed": QT_TRANSLATE_NOOP("texts", "gagal mencetak"),
    "op_speech": QT_TRANSLATE_NOOP("texts", "Suara: {state}"),
    "op_speech_off": QT_TRANSLATE_NOOP("texts", "dimatikan di pengaturan"),
    "op_speech_unchecked": QT_TRANSLATE_NOOP("texts", "belum diperiksa"),
    "op_speech_no_engine": QT_TRANSLATE_NOOP("texts", "espeak-ng tidak terpasang"),
    "op_speech_no_output": QT_TRANSLATE_NOOP("texts", "tidak ada keluaran audio"),
    "op_speech_ready": QT_TRANSLATE_NOOP("texts", "siap"),
    "op_test_print": QT_TRANSLATE_NOOP("texts", "Uji cetak"),
    "op_test_read": QT_TRANSLATE_NOOP("texts", "Uji baca kartu"),
    "op_reload": QT_TRANSLATE_NOOP("texts", "Muat ulang katalog"),
    "op_exit": QT_TRANSLATE_NOOP("texts", "Keluar aplikasi"),
    "op_printed": QT_TRANSLATE_NOOP("texts", "Tiket uji tercetak"),
    "op_not_printed": QT_TRANSLATE_NOOP("texts", "Tiket uji tidak tercetak"),
    "op_tap_now": QT_TRANSLATE_NOOP("texts", "Tempelkan kartu uji sekarang"),
    "op_read_result": QT_TRANSLATE_NOOP("texts", "Hasil baca kartu: {result}"),
    "op_reloading": QT_TRANSLATE_NOOP("texts", "Katalog sedang dimuat ulang"),
    # the hospital registration desk (#7)
    "desk_today": QT_TRANSLATE_NOOP("texts", "Pendaftaran hari ini"),
    "desk_next": QT_TRANSLATE_NOOP("texts", "Pasien berikutnya (F9)"),
    "desk_row": QT_TRANSLATE_NOOP("texts", "{number} · {time} · {service}"),
    "desk_row_unprinted": QT_TRANSLATE_NOOP("texts", "{row} · tanpa kertas ({why})"),
    "desk_none": QT_TRANSLATE_NOOP("texts", "Belum ada pendaftaran"),
    "desk_find_title": QT_TRANSLATE_NOOP("texts", "Cari pasien (F2)"),
    "desk_find_by": QT_TRANSLATE_NOOP("texts", "Cari dengan"),
    "desk_find_value": QT_TRANSLATE_NOOP("texts", "Nomor atau nama"),
    "desk_birth": QT_TRANSLATE_NOOP("texts", "Tanggal lahir (HH-BB-TTTT)"),
    "desk_by_norm": QT_TRANSLATE_NOOP("texts", "No. RM"),
    "desk_by_nik": QT_TRANSLATE_NOOP("texts", "NIK"),
    "desk_by_nomorkartu": QT_TRANSLATE_NOOP("texts", "No. kartu BPJS"),
    "desk_by_name": QT_TRANSLATE_NOOP("texts", "Nama dan tanggal lahir"),
    "desk_find": QT_TRANSLATE_NOOP("texts", "Cari (Enter)"),
    "desk_patient_title": QT_TRANSLATE_NOOP("texts", "Pasien"),
    "desk_norm": QT_TRANSLATE_NOOP("texts", "No. RM"),
    "desk_nik": QT_TRANSLATE_NOOP("texts", "NIK"),
    "desk_nomorkartu": QT_TRANSLATE_NOOP("texts", "No. kartu BPJS"),
    "desk_name": QT_TRANSLATE_NOOP("texts", "Nama"),
    "desk_sex": QT_TRANSLATE_NOOP("texts", "Jenis kelamin"),
    "desk_sex_l": QT_TRANSLATE_NOOP("texts", "Laki-laki"),
    "desk_sex_p": QT_TRANSLATE_NOOP("texts", "Perempuan"),
    "desk_phone": QT_TRANSLATE_NOOP("texts", "No. HP"),
    "desk_address": QT_TRANSLATE_NOOP("texts", "Alamat"),
    "desk_new": QT_TRANSLATE_NOOP("texts", "Pasien baru (F3)"),
    "desk_save_patient": QT_TRANSLATE_NOOP("texts", "Simpan pasien baru"),
    "desk_visit_title": QT_TRANSLATE_NOOP("texts", "Kunjungan"),
    "desk_poli": QT_TRANSLATE_NOOP("texts", "Poli"),
    "desk_doctor": QT_TRANSLATE_NOOP("texts", "Dokter"),
    "desk_payer": QT_TRANSLATE_NOOP("texts", "Penjamin"),
    "desk_payer_jkn": QT_TRANSLATE_NOOP("texts", "JKN (BPJS)"),
    "desk_payer_umum": QT_TRANSLATE_NOOP("texts", "Umum (bayar sendiri)"),
    "desk_referral": QT_TRANSLATE_NOOP("texts", "No. rujukan"),
    "desk_visit_kind": QT_TRANSLATE_NOOP("texts", "Jenis kunjungan"),
    "desk_visit_kind_1": QT_TRANSLATE_NOOP("texts", "Rujukan FKTP"),
    "desk_visit_kind_2": QT_TRANSLATE_NOOP("texts", "Rujukan internal"),
    "desk_visit_kind_3": QT_TRANSLATE_NOOP("texts", "Kontrol"),
    "desk_visit_kind_4": QT_TRANSLATE_NOOP("texts", "Rujukan antar RS"),
    "desk_register": QT_TRANSLATE_NOOP("texts", "Daftarkan kunjungan (Ctrl+Enter)"),
    "desk_reprint": QT_TRANSLATE_NOOP("texts", "Cetak ulang (F5)"),
    "desk_cancel_reason": QT_TRANSLATE_NOOP("texts", "Alasan pembatalan"),
    "desk_cancel": QT_TRANSLATE_NOOP("texts", "Batalkan pendaftaran (F8)"),
    "desk_doctor_row": QT_TRANSLATE_NOOP(
        "texts", "{name} · {starts}–{ends} · sisa JKN {jkn}, non-JKN {non_jkn}"
    ),
    "desk_doctor_info": QT_TRANSLATE_NOOP(
        "texts", "Praktik {starts}–{ends} · sisa kuota JKN {jkn} · sisa kuota non-JKN {non_jkn}"
    ),
    "desk_doctor_full": QT_TRANSLATE_NOOP("texts", "{name} · {starts}–{ends} · kuota penuh"),
    "desk_doctor_closed": QT_TRANSLATE_NOOP(
        "texts", "{name} · {starts}–{ends} · praktik sudah selesai"
    ),
    "desk_result_row": QT_TRANSLATE_NOOP("texts", "{norm} · {name} · {birth}"),
    "desk_row_cancel_waiting": QT_TRANSLATE_NOOP("texts", "{row} · pembatalan menunggu dikirim"),
    "desk_row_cancel_cancelled": QT_TRANSLATE_NOOP("texts", "{row} · dibatalkan"),
    "desk_row_cancel_done": QT_TRANSLATE_NOOP("texts", "{row} · tidak dibatalkan: sudah dilayani"),
    "desk_row_cancel_unknown_visit": QT_TRANSLATE_NOOP(
        "texts", "{row} · tidak dibatalkan: bukan kunjungan poli"
    ),
    "desk_row_cancel_refused": QT_TRANSLATE_NOOP("texts", "{row} · pembatalan ditolak server"),
    "desk_finding": QT_TRANSLATE_NOOP("texts", "Mencari…"),
    "desk_more": QT_TRANSLATE_NOOP(
        "texts", "Terlalu banyak hasil, persempit pencarian (nama lebih lengkap)."
    ),
    "desk_not_found": QT_TRANSLATE_NOOP(
        "texts", "Pasien tidak ditemukan. Periksa nomor, nama, atau tanggal lahir."
    ),
    "desk_bad_norm": QT_TRANSLATE_NOOP("texts", "No. RM hanya angka, 1 sampai 10 digit."),
    "desk_bad_nik": QT_TRANSLATE_NOOP("texts", "NIK harus 16 angka."),
    "desk_bad_nomorkartu": QT_TRANSLATE_NOOP("texts", "No. kartu BPJS harus 13 angka."),
    "desk_bad_name": QT_TRANSLATE_NOOP("texts", "Tulis nama pasien (2 sampai 100 huruf)."),
    "desk_bad_birth_date": QT_TRANSLATE_NOOP(
        "texts", "Tulis tanggal lahir sebagai HH-BB-TTTT, mis. 12-03-1985."
    ),
    "desk_bad_sex": QT_TRANSLATE_NOOP("texts", "Pilih jenis kelamin."),
    "desk_nik_invalid": QT_TRANSLATE_NOOP(
        "texts", "NIK tidak sah: periksa ke-16 angkanya (kode wilayah, tanggal lahir)."
    ),
    "desk_birth_not_possible": QT_TRANSLATE_NOOP(
        "texts", "Tanggal lahir tidak mungkin: antara 1900 dan hari ini (tahun 4 angka)."
    ),
    "desk_nik_disagrees": QT_TRANSLATE_NOOP(
        "texts", "Tanggal lahir atau jenis kelamin tidak sesuai NIK."
    ),
    "desk_refused_still": QT_TRANSLATE_NOOP(
        "texts",
        "Server menolak data pasien ini: {reason} Muat data pasien (F2) atau perbaiki isian.",
    ),
    "desk_refused_patient": QT_TRANSLATE_NOOP(
        "texts", "Server menolak data pasien ini. Muat data pasien (F2) atau perbaiki isian."
    ),
    "desk_bad_visit_kind": QT_TRANSLATE_NOOP("texts", "Pilih jenis kunjungan."),
    "desk_bad_referral": QT_TRANSLATE_NOOP("texts", "No. rujukan paling panjang 64 karakter."),
    "desk_jkn_needs_card": QT_TRANSLATE_NOOP("texts", "Pasien JKN perlu No. kartu BPJS."),
    "desk_jkn_needs_referral": QT_TRANSLATE_NOOP("texts", "Pasien JKN perlu No. rujukan."),
    "desk_new_hint": QT_TRANSLATE_NOOP("texts", "Pasien baru: isi data, lalu Simpan pasien baru."),
    "desk_has_norm": QT_TRANSLATE_NOOP("texts", "Pasien ini sudah punya No. RM {norm}."),
    "desk_saving": QT_TRANSLATE_NOOP("texts", "Menyimpan…"),
    "desk_saved": QT_TRANSLATE_NOOP("texts", "Pasien tersimpan dengan No. RM {norm}."),
    "desk_saved_changed": QT_TRANSLATE_NOOP(
        "texts",
        "Pasien tersimpan dengan No. RM {norm}, tetapi isian sudah diubah sejak dikirim."
        " Periksa isian, lalu cari pasien itu.",
    ),
    "desk_still_sending": QT_TRANSLATE_NOOP(
        "texts", "Permintaan sebelumnya masih dikirim. Tunggu jawabannya, lalu coba lagi."
    ),
    "desk_no_doctors": QT_TRANSLATE_NOOP(
        "texts", "Daftar dokter hari ini tidak dapat diambil dari server."
    ),
    "desk_no_patient": QT_TRANSLATE_NOOP("texts", "Cari pasien atau simpan pasien baru dulu."),
    "desk_no_doctor": QT_TRANSLATE_NOOP("texts", "Pilih poli dan dokter yang masih punya kuota."),
    "desk_registering": QT_TRANSLATE_NOOP("texts", "Mendaftarkan…"),
    "desk_issued": QT_TRANSLATE_NOOP(
        "texts", "Nomor antrean {number} · antrean poli {antrean} · perkiraan dilayani {time}"
    ),
    "desk_issued_offline": QT_TRANSLATE_NOOP(
        "texts", "Nomor antrean {number} (luring: kuota diperiksa server nanti)"
    ),
    "desk_issued_offline_at": QT_TRANSLATE_NOOP(
        "texts",
        "Nomor antrean {number} · perkiraan dilayani {time} (luring: kuota diperiksa server nanti)",
    ),
    "desk_not_printed": QT_TRANSLATE_NOOP(
        "texts", "Tidak tercetak: periksa printer, lalu Cetak ulang (F5)."
    ),
    "desk_nothing_selected": QT_TRANSLATE_NOOP("texts", "Belum ada pendaftaran hari ini."),
    "desk_reprinted": QT_TRANSLATE_NOOP("texts", "Nomor {number} dicetak ulang."),
    "desk_cancel_hint": QT_TRANSLATE_NOOP("texts", "Batalkan {number}: tulis alasan, lalu Enter."),
    "desk_cancel_needs_reason": QT_TRANSLATE_NOOP("texts", "Tulis alasan pembatalan."),
    "desk_cancel_queued": QT_TRANSLATE_NOOP(
        "texts", "Pembatalan {number} menunggu dikirim ke server."
    ),
    "desk_cancelled_before": QT_TRANSLATE_NOOP(
        "texts", "Pendaftaran {number} sudah dibatalkan sebelumnya."
    ),
    "desk_quota_full": QT_TRANSLATE_NOOP(
        "texts", "Kuota dokter ini sudah habis. Pilih dokter lain."
    ),
    "desk_doctor_unavailable": QT_TRANSLATE_NOOP(
        "texts", "Dokter ini tidak praktik hari ini. Pilih dokter lain."
    ),
    "desk_doctor_closed_now": QT_TRANSLATE_NOOP(
        "texts", "Praktik dokter ini hari ini sudah selesai. Pilih dokter lain."
    ),
    "desk_already_registered": QT_TRANSLATE_NOOP(
        "texts",
        "Pasien sudah terdaftar di poli ini hari ini. Tidak ada nomor yang diambil;"
        " periksa kunjungan hari ini.",
    ),
    "desk_identity_conflict": QT_TRANSLATE_NOOP(
        "texts",
        "No. RM, kartu BPJS, NIK, nama atau tanggal lahir tidak menunjuk pasien yang sama."
        " Tidak ada nomor yang diambil; periksa data pasien.",
    ),
    "desk_invalid_patient": QT_TRANSLATE_NOOP(
        "texts",
        "NIK atau tanggal lahir pasien tidak sah. Tidak ada nomor yang diambil;"
        " periksa data pasien.",
    ),
    "desk_too_many": QT_TRANSLATE_NOOP(
        "texts", "Terlalu banyak pencarian. Tunggu sebentar, lalu coba lagi."
    ),
    "desk_centre_away": QT_TRANSLATE_NOOP(
        "texts", "Server tidak dapat dihubungi. Coba lagi sebentar lagi."
    ),
    "desk_centre_away_type_in": QT_TRANSLATE_NOOP(
        "texts",
        "Server tidak dapat dihubungi. Kunjungan tetap bisa didaftarkan: F3, ketik NIK,"
        " nama, tanggal lahir (dan No. kartu BPJS), lalu Ctrl+Enter.",
    ),
    "desk_refused": QT_TRANSLATE_NOOP(
        "texts", "Server menolak permintaan ini. Periksa data yang diisi."
    ),
    "desk_bad_input": QT_TRANSLATE_NOOP("texts", "Data tidak dapat dipakai. Periksa isian."),
    "desk_not_a_desk": QT_TRANSLATE_NOOP(
        "texts",
        "Server menolak: kiosk ini tidak didaftarkan petugas sebagai meja pendaftaran, jadi"
        " tidak mencari nama dan tidak menambah pasien baru. Minta admin kode pendaftaran"
        " untuk meja.",
    ),
    "desk_failed": QT_TRANSLATE_NOOP(
        "texts", "Gagal. Coba lagi; bila berulang, hubungi petugas TI."
    ),
    "desk_card_unusable": QT_TRANSLATE_NOOP(
        "texts", "Kartu tidak dapat dipakai di sini: cari pasien dengan nomor."
    ),
    "desk_card_new": QT_TRANSLATE_NOOP(
        "texts", "Pemegang kartu belum terdaftar: periksa data, lalu Simpan pasien baru."
    ),
    # problems (codes from kiosk.session.machine / cardio / offline_store): each is
    # what happened; ui/problems.py pairs it with an icon, what to do and a button
    "problem_malformed": QT_TRANSLATE_NOOP("texts", "Kartu tidak dapat dibaca."),
    "problem_removed_during_read": QT_TRANSLATE_NOOP("texts", "Kartu terangkat terlalu cepat."),
    "problem_unsupported_card": QT_TRANSLATE_NOOP("texts", "Kartu ini tidak dikenali anjungan."),
    "problem_service_unavailable": QT_TRANSLATE_NOOP(
        "texts", "Pembaca kartu sedang tidak berjalan."
    ),
    "problem_reader_unavailable": QT_TRANSLATE_NOOP("texts", "Pembaca kartu tidak terhubung."),
    "problem_timeout": QT_TRANSLATE_NOOP("texts", "Pembacaan kartu terlalu lama."),
    "problem_read_timeout": QT_TRANSLATE_NOOP("texts", "Pembacaan kartu terlalu lama."),
    # a card the kiosk refuses (cardio.errors.Reason, docs/card-format.md)
    "problem_bad_signature": QT_TRANSLATE_NOOP("texts", "Data kartu tidak sah."),
    "problem_unknown_issuer": QT_TRANSLATE_NOOP(
        "texts", "Kartu tidak dikenali. Kartu ini bukan terbitan kota yang dikenal anjungan."
    ),
    "problem_expired": QT_TRANSLATE_NOOP("texts", "Kartu sudah kedaluwarsa."),
    "problem_not_yet_valid": QT_TRANSLATE_NOOP("texts", "Kartu belum berlaku."),
    "problem_revoked": QT_TRANSLATE_NOOP("texts", "Kartu ini diblokir."),
    "problem_clone_suspected": QT_TRANSLATE_NOOP("texts", "Kartu diduga hasil salinan."),
    "problem_nik_mismatch": QT_TRANSLATE_NOOP("texts", "Data kartu tidak cocok dengan NIK."),
    "problem_store_full": QT_TRANSLATE_NOOP(
        "texts", "Penyimpanan anjungan penuh. Permintaan Anda belum tersimpan."
    ),
    "problem_store_failed": QT_TRANSLATE_NOOP(
        "texts", "Terjadi gangguan sistem. Permintaan Anda belum tersimpan."
    ),
    "problem_store_corrupt": QT_TRANSLATE_NOOP(
        "texts", "Terjadi gangguan sistem. Permintaan Anda belum tersimpan."
    ),
    "problem_issue_failed": QT_TRANSLATE_NOOP(
        "texts", "Terjadi gangguan sistem. Permintaan Anda belum tersimpan."
    ),
    "problem_issue_timeout": QT_TRANSLATE_NOOP(
        "texts", "Anjungan belum dapat memastikan permintaan Anda tersimpan."
    ),
    "problem_no_catalog": QT_TRANSLATE_NOOP("texts", "Daftar layanan belum tersedia."),
    "problem_ticket_unknown": QT_TRANSLATE_NOOP("texts", "Tiket ini tidak ditemukan."),
    "problem_service_unknown": QT_TRANSLATE_NOOP("texts", "Layanan ini sedang tidak tersedia."),
    "problem_assurance_too_low": QT_TRANSLATE_NOOP(
        "texts", "Layanan ini memerlukan kartu warga yang terverifikasi."
    ),
    "problem_birth_date_invalid": QT_TRANSLATE_NOOP("texts", "Tanggal itu tidak ada."),
    "problem_birth_date_mismatch": QT_TRANSLATE_NOOP("texts", "Tanggal lahir belum cocok."),
    "problem_birth_date_gave_up": QT_TRANSLATE_NOOP("texts", "Tanggal lahir tidak cocok."),
    "problem_birth_date_locked": QT_TRANSLATE_NOOP(
        "texts", "Terlalu banyak percobaan untuk kartu ini."
    ),
    "problem_birth_date_unavailable": QT_TRANSLATE_NOOP(
        "texts", "Data kota tidak dapat diperiksa saat ini."
    ),
    # the complaint screen says it first, with its own key; the session keeps it too
    "problem_complaint_empty": QT_TRANSLATE_NOOP("texts", "Isi pengaduan masih kosong."),
    "problem_phone_invalid": QT_TRANSLATE_NOOP("texts", "Nomor HP itu tidak dapat dipakai."),
    "problem_unknown": QT_TRANSLATE_NOOP("texts", "Terjadi gangguan."),
    # appointments (#16): {time}, {day}, {office} are the booking's
    "problem_booking_code_invalid": QT_TRANSLATE_NOOP(
        "texts", "Kode itu belum lengkap atau ada angka yang salah ketik."
    ),
    "problem_booking_unknown": QT_TRANSLATE_NOOP("texts", "Kode janji ini tidak ditemukan."),
    "problem_booking_other_day": QT_TRANSLATE_NOOP(
        "texts", "Janji Anda untuk {day}, pukul {time}, bukan hari ini."
    ),
    "problem_booking_other_office": QT_TRANSLATE_NOOP(
        "texts", "Janji ini di kantor lain: {office}."
    ),
    "problem_booking_used": QT_TRANSLATE_NOOP(
        "texts", "Anda sudah check-in untuk janji pukul {time}."
    ),
    "problem_booking_cancelled": QT_TRANSLATE_NOOP("texts", "Janji pukul {time} sudah dibatalkan."),
    "problem_booking_missed": QT_TRANSLATE_NOOP("texts", "Waktu janji pukul {time} sudah lewat."),
    "problem_booking_service_gone": QT_TRANSLATE_NOOP(
        "texts", "Layanan janji Anda tidak tersedia di anjungan ini."
    ),
    "problem_booking_unavailable": QT_TRANSLATE_NOOP(
        "texts", "Kode janji tidak dapat diperiksa saat ini."
    ),
    "problem_booking_code_locked": QT_TRANSLATE_NOOP(
        "texts", "Terlalu banyak kode janji yang salah."
    ),
    "todo_check_code": QT_TRANSLATE_NOOP(
        "texts", "Periksa lagi kodenya (9 angka), lalu ketik ulang."
    ),
    "todo_come_that_day": QT_TRANSLATE_NOOP(
        "texts", "Silakan datang pada hari itu, atau ambil antrean biasa dengan kartu Anda."
    ),
    "todo_go_to_office": QT_TRANSLATE_NOOP(
        "texts", "Silakan datang ke kantor itu, atau tanya petugas di {desk}."
    ),
    "todo_ticket_taken": QT_TRANSLATE_NOOP(
        "texts", "Tiket Anda sudah dicetak. Jika hilang, tanya petugas di {desk}."
    ),
    "todo_walk_in": QT_TRANSLATE_NOOP(
        "texts", "Silakan ambil antrean biasa, atau buat janji baru."
    ),
    "todo_code_desk": QT_TRANSLATE_NOOP(
        "texts", "Silakan ke {desk} dengan halaman janji Anda, petugas akan membantu."
    ),
    # what to do about a problem ({desk}: kiosk.help_counter, see ui/problems.py)
    "help_counter_named": QT_TRANSLATE_NOOP("texts", "loket {counter}"),
    "help_counter_default": QT_TRANSLATE_NOOP("texts", "loket informasi"),
    "todo_card_desk": QT_TRANSLATE_NOOP("texts", "Silakan bawa kartu Anda ke {desk}."),
    "todo_renew_card": QT_TRANSLATE_NOOP("texts", "Silakan ke {desk} untuk perpanjang."),
    "todo_tap_again": QT_TRANSLATE_NOOP(
        "texts", "Silakan tempelkan kartu sekali lagi. Jika tetap gagal, silakan ke {desk}."
    ),
    "todo_hold_card": QT_TRANSLATE_NOOP(
        "texts", "Tempelkan kartu lagi dan tahan sampai selesai dibaca."
    ),
    "todo_staff": QT_TRANSLATE_NOOP("texts", "Silakan minta bantuan petugas di {desk}."),
    "todo_ask_first": QT_TRANSLATE_NOOP(
        "texts", "Jangan mengulang dulu. Silakan tanya petugas di {desk}."
    ),
    "todo_other_service": QT_TRANSLATE_NOOP(
        "texts", "Silakan pilih layanan lain, atau tanya petugas di {desk}."
    ),
    "todo_type_date": QT_TRANSLATE_NOOP("texts", "Ketik 8 angka: tanggal, bulan, tahun."),
    "todo_once_more": QT_TRANSLATE_NOOP("texts", "Silakan coba sekali lagi."),
    "todo_type_phone": QT_TRANSLATE_NOOP(
        "texts", "Ketik nomor HP yang diawali 08, 10 sampai 13 angka."
    ),
    "todo_fill_yourself": QT_TRANSLATE_NOOP("texts", "Silakan isi formulir sendiri."),
    "todo_write_complaint": QT_TRANSLATE_NOOP(
        "texts", "Tulis isi pengaduan Anda, lalu tekan Kirim pengaduan."
    ),
    "todo_choose_category": QT_TRANSLATE_NOOP("texts", "Pilih salah satu kategori di atas."),
    "todo_try_or_ask": QT_TRANSLATE_NOOP(
        "texts", "Silakan coba lagi, atau tanya petugas di {desk}."
    ),
    "todo_later_or_ask": QT_TRANSLATE_NOOP(
        "texts", "Silakan coba lagi nanti, atau tanya petugas di {desk}."
    ),
    "todo_ask_desk": QT_TRANSLATE_NOOP("texts", "Silakan tanya petugas di {desk}."),
    "todo_served_at_desk": QT_TRANSLATE_NOOP(
        "texts", "Silakan ke {desk}, petugas akan melayani Anda."
    ),
    "try_again": QT_TRANSLATE_NOOP("texts", "Coba lagi"),
    "ticket_not_printed": QT_TRANSLATE_NOOP("texts", "Tiket tidak dapat dicetak."),
    "printer_unsure": QT_TRANSLATE_NOOP("texts", "Printer tiket mungkin bermasalah."),
    "receipt_not_printed": QT_TRANSLATE_NOOP("texts", "Bukti pengaduan tidak dapat dicetak."),
    # what each picture shows, for a screen reader (the accessibility tree)
    "icon_card": QT_TRANSLATE_NOOP("texts", "Gambar: kartu dengan tanda silang"),
    "icon_clock": QT_TRANSLATE_NOOP("texts", "Gambar: jam"),
    "icon_plug": QT_TRANSLATE_NOOP("texts", "Gambar: steker terlepas"),
    "icon_printer": QT_TRANSLATE_NOOP("texts", "Gambar: printer"),
    "icon_lock": QT_TRANSLATE_NOOP("texts", "Gambar: gembok"),
    "icon_pencil": QT_TRANSLATE_NOOP("texts", "Gambar: pensil"),
    "icon_warning": QT_TRANSLATE_NOOP("texts", "Gambar: tanda peringatan"),
    "icon_done": QT_TRANSLATE_NOOP("texts", "Gambar: tanda centang"),
    "tap_picture": QT_TRANSLATE_NOOP("texts", "Gambar: kartu di atas pembaca kartu"),
    "qr_picture": QT_TRANSLATE_NOOP("texts", "Kode QR status antrean"),
    "scroll_list": QT_TRANSLATE_NOOP("texts", "Daftar, geser untuk melihat semua"),
    # the keys of the on-screen keyboard without a letter, as a screen reader says them
    "key_shift": QT_TRANSLATE_NOOP("texts", "huruf besar"),
    "key_backspace": QT_TRANSLATE_NOOP("texts", "hapus"),
    "key_space": QT_TRANSLATE_NOOP("texts", "spasi"),
    "key_comma": QT_TRANSLATE_NOOP("texts", "koma"),
    "key_period": QT_TRANSLATE_NOOP("texts", "titik"),
    "key_hyphen": QT_TRANSLATE_NOOP("texts", "tanda hubung"),
    "key_slash": QT_TRANSLATE_NOOP("texts", "garis miring"),
    "key_at": QT_TRANSLATE_NOOP("texts", "tanda et"),
    "key_apostrophe": QT_TRANSLATE_NOOP("texts", "apostrof"),
    "key_plus": QT_TRANSLATE_NOOP("texts", "tanda tambah"),
    # the flow in three steps, choices as tiles, the summary card, queues in words (#15)
    "step": QT_TRANSLATE_NOOP("texts", "Langkah {n} dari {total}"),
    "queue_nobody": QT_TRANSLATE_NOOP("texts", "Belum ada antrean"),
    "queue_serving_waiting": QT_TRANSLATE_NOOP(
        "texts", "Sedang dilayani: {serving} · {waiting} orang menunggu"
    ),
    "queue_serving_only": QT_TRANSLATE_NOOP(
        "texts", "Sedang dilayani: {serving} · tidak ada yang menunggu"
    ),
    "queue_waiting_only": QT_TRANSLATE_NOOP(
        "texts", "{waiting} orang menunggu · belum ada yang dilayani"
    ),
    "queue_unknown": QT_TRANSLATE_NOOP("texts", "Keadaan antrean belum dapat dilihat"),
    # information and status in words, not data (#15)
    "queue_with_wait": QT_TRANSLATE_NOOP("texts", "{queue} · sekitar {minutes} menit"),
    "doctor_room_hours": QT_TRANSLATE_NOOP(
        "texts", "Di ruang {room}, pukul {start} sampai {until}"
    ),
    "doctor_room": QT_TRANSLATE_NOOP("texts", "Di ruang {room}"),
    "doctor_hours": QT_TRANSLATE_NOOP("texts", "Pukul {start} sampai {until}"),
    "status_reference": QT_TRANSLATE_NOOP("texts", "Nomor berkas: {reference}"),
    "go_to_counter": QT_TRANSLATE_NOOP("texts", "Silakan ke Loket {counter}"),
    "from_citizen": QT_TRANSLATE_NOOP("texts", "Anda isi"),
    "choice_tap_to_pick": QT_TRANSLATE_NOOP("texts", "Ketuk untuk memilih"),
    "own_entries": QT_TRANSLATE_NOOP("texts", "Cek berkas dan pengaduan"),
    "status_tile_hint": QT_TRANSLATE_NOOP("texts", "Lihat apakah berkas Anda sudah selesai"),
    "complaint_tile_hint": QT_TRANSLATE_NOOP("texts", "Tulis keluhan Anda tentang layanan"),
    # a hospital's poli (docs/hospital.md): doctors of today, who pays, no card
    "doctor_title": QT_TRANSLATE_NOOP("texts", "Pilih dokter — {poli}"),
    "doctor_prompt": QT_TRANSLATE_NOOP(
        "texts", "Dokter yang praktik hari ini, dengan jam praktik dan sisa kuota"
    ),
    "poli_doctor_hours": QT_TRANSLATE_NOOP("texts", "Jam praktik {starts}–{ends}"),
    "doctor_left": QT_TRANSLATE_NOOP("texts", "Sisa kuota: JKN {jkn}, umum {umum}"),
    "doctor_full": QT_TRANSLATE_NOOP("texts", "Penuh"),
    "doctor_closed": QT_TRANSLATE_NOOP("texts", "Praktik sudah selesai"),
    "payer_title": QT_TRANSLATE_NOOP("texts", "Bagaimana Anda membayar?"),
    "payer_jkn": QT_TRANSLATE_NOOP("texts", "JKN (BPJS Kesehatan)"),
    "payer_umum": QT_TRANSLATE_NOOP("texts", "Umum (bayar sendiri)"),
    "payer_left": QT_TRANSLATE_NOOP("texts", "Sisa {n} tempat"),
    "patient_search_entry": QT_TRANSLATE_NOOP(
        "texts", "Tanpa kartu? Cari dengan No. RM, kartu BPJS atau NIK"
    ),
    "patient_title": QT_TRANSLATE_NOOP("texts", "Cari data pasien"),
    "patient_key_norm": QT_TRANSLATE_NOOP("texts", "No. RM"),
    "patient_key_nomorkartu": QT_TRANSLATE_NOOP("texts", "Kartu BPJS"),
    "patient_key_nik": QT_TRANSLATE_NOOP("texts", "NIK"),
    "patient_hint_norm": QT_TRANSLATE_NOOP("texts", "Ketik nomor rekam medis (No. RM) Anda"),
    "patient_hint_nomorkartu": QT_TRANSLATE_NOOP(
        "texts", "Ketik 13 angka nomor kartu BPJS Kesehatan Anda"
    ),
    "patient_hint_nik": QT_TRANSLATE_NOOP("texts", "Ketik 16 angka NIK Anda"),
    "patient_ok": QT_TRANSLATE_NOOP("texts", "Lanjut"),
    "patient_birth_title": QT_TRANSLATE_NOOP("texts", "Ketik tanggal lahir Anda"),
    "patient_birth_hint": QT_TRANSLATE_NOOP("texts", "Tanggal, bulan, tahun (HH BB TTTT)"),
    "patient_checking": QT_TRANSLATE_NOOP("texts", "Mencari data pasien…"),
    "ticket_doctor": QT_TRANSLATE_NOOP("texts", "Dokter: {name}"),
    "ticket_nomorantrean": QT_TRANSLATE_NOOP("texts", "Nomor antrean poli: {nomor}"),
    "ticket_estimated": QT_TRANSLATE_NOOP("texts", "Perkiraan dilayani pukul {time}"),
    "problem_no_doctors": QT_TRANSLATE_NOOP(
        "texts", "Tidak ada dokter yang praktik di poli ini hari ini."
    ),
    "problem_record_loading": QT_TRANSLATE_NOOP("texts", "Data Anda sedang diambil dari kota."),
    "todo_wait": QT_TRANSLATE_NOOP("texts", "Tunggu sebentar, langkah berikutnya segera muncul."),
    "record_loading": QT_TRANSLATE_NOOP("texts", "Memuat data Anda…"),
    "problem_doctor_unavailable": QT_TRANSLATE_NOOP(
        "texts", "Maaf, dokter ini tidak praktik hari ini. Daftar dokter sudah diperbarui."
    ),
    "problem_doctor_closed": QT_TRANSLATE_NOOP(
        "texts", "Maaf, praktik dokter ini hari ini sudah selesai."
    ),
    "problem_quota_full": QT_TRANSLATE_NOOP(
        "texts", "Maaf, kuota dokter ini sudah penuh. Sisa kuota sudah diperbarui."
    ),
    "todo_other_doctor": QT_TRANSLATE_NOOP(
        "texts", "Silakan pilih dokter lain, atau tanya petugas di {desk}."
    ),
    "problem_patient_unknown": QT_TRANSLATE_NOOP(
        "texts", "Data tidak ditemukan, silakan ke loket pendaftaran."
    ),
    "todo_check_number": QT_TRANSLATE_NOOP(
        "texts", "Periksa nomor dan tanggal lahir, lalu coba lagi."
    ),
    "problem_patient_number_invalid": QT_TRANSLATE_NOOP(
        "texts", "Nomor belum lengkap: No. RM sampai 10 angka, kartu BPJS 13 angka, NIK 16 angka."
    ),
    "problem_patient_unavailable": QT_TRANSLATE_NOOP(
        "texts", "Data pasien tidak dapat dicari sekarang."
    ),
    "problem_patient_locked": QT_TRANSLATE_NOOP(
        "texts", "Terlalu banyak nomor pasien yang tidak ditemukan."
    ),
    "todo_patient_desk": QT_TRANSLATE_NOOP(
        "texts", "Silakan ke {desk}, petugas pendaftaran akan membantu."
    ),
    # the centre refused the patient before numbering a poli's ticket: no ticket
    "problem_already_registered": QT_TRANSLATE_NOOP(
        "texts", "Anda sudah terdaftar di poli ini hari ini."
    ),
    "problem_identity_conflict": QT_TRANSLATE_NOOP(
        "texts", "Data pasien tidak cocok dengan data rumah sakit."
    ),
    "problem_invalid_patient": QT_TRANSLATE_NOOP(
        "texts", "NIK atau tanggal lahir pasien tidak sah."
    ),
    "todo_registration_desk": QT_TRANSLATE_NOOP(
        "texts", "Tidak ada nomor antrean yang diambil. Silakan ke loket pendaftaran."
    ),
    # form field errors (codes from kiosk.session.forms)
    "field_required": QT_TRANSLATE_NOOP("texts", "Wajib diisi"),
    "field_too_long": QT_TRANSLATE_NOOP("texts", "Terlalu panjang"),
    "field_nik_format": QT_TRANSLATE_NOOP("texts", "NIK harus 16 angka"),
    "field_number_format": QT_TRANSLATE_NOOP("texts", "Hanya angka"),
    "field_phone_format": QT_TRANSLATE_NOOP("texts", "Nomor HP tidak valid (contoh: 081234567890)"),
    "field_date_format": QT_TRANSLATE_NOOP("texts", "Tanggal tidak valid (TTTT-BB-HH)"),
    "field_choice_unknown": QT_TRANSLATE_NOOP("texts", "Pilih salah satu"),
}
# PySide6's stub says QT_TRANSLATE_NOOP returns ``object``; it returns the source text as is.
TEXTS = cast(dict[str, str], _MARKED)

# The source language first.
LANGUAGES = ("id", "en")


def qm_path(lang: str) -> Path:
    return I18N_DIR / f"anjungan_{lang}.qm"


@cache
def translator(lang: str) -> QTranslator:
    """The compiled translations for ``lang``, loaded once."""
    loaded = QTranslator()
    path = qm_path(lang)
    if not loaded.load(str(path)):
        raise TranslationsMissing(f"{path} is missing or unreadable: run `make translations`")
    return loaded


def tr(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` (Indonesian if unknown or untranslated), formatted."""
    source = TEXTS.get(key)
    if source is None:
        if key.startswith("problem_"):
            source = TEXTS["problem_unknown"]
        elif key.startswith("field_"):
            source = TEXTS["field_required"]
        else:
            raise KeyError(key)
    text = source
    if lang != LANGUAGES[0] and lang in LANGUAGES:
        text = translator(lang).translate(CONTEXT, source) or _untranslated(key, lang, source)
    return text.format(**values) if values else text


def _untranslated(key: str, lang: str, source: str) -> str:
    log.warning("text %r has no %s translation; showing Bahasa Indonesia", key, lang)
    return source
