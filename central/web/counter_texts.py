"""The counter page's texts (Bahasa Indonesia, English) and its actions with their keys."""

from __future__ import annotations

from dataclasses import dataclass

from central.web.booking_texts import TODAY
from central.web.pages import Texts


@dataclass(frozen=True)
class Action:
    """A button of the counter page: what it posts to, its text key and its keyboard key."""

    name: str
    key: str
    #: Shown only while the counter has a called ticket.
    needs_ticket: bool
    #: Shown only while the office has the desk's counter: its step calls, announces or
    #: holds a ticket there, which every step refuses at a counter the office does not
    #: have (:func:`central.office.counters.require_offered`).
    needs_counter: bool = False


#: The action buttons, in the order they stand on the page.
ACTION_BUTTONS = (
    Action("call-next", "P", needs_ticket=False, needs_counter=True),
    Action("recall", "U", needs_ticket=True, needs_counter=True),
    Action("served", "S", needs_ticket=True),
    Action("no-show", "T", needs_ticket=True),
    Action("transfer", "A", needs_ticket=True),
    Action("hold", "D", needs_ticket=True, needs_counter=True),
)
#: Every action ``/counter/<action>`` takes (``call-back``: a held ticket's own button).
ACTIONS = frozenset({a.name for a in ACTION_BUTTONS} | {"call-back"})

TEXTS: Texts = {
    "counter.title": ("Loket", "Counter"),
    "counter.desk": ("Pilih loket", "Choose your counter"),
    "counter.desk.lead": (
        "Pilih loket Anda dan layanan yang dilayaninya.",
        "Choose your counter and the services it serves.",
    ),
    "counter.desk.office": ("Kantor", "Office"),
    "counter.desk.counter": ("Loket", "Counter"),
    "counter.desk.services": ("Layanan yang dilayani", "Services served"),
    "counter.desk.save": ("Simpan loket", "Save counter"),
    "counter.desk.change": ("Ganti loket atau layanan", "Change counter or services"),
    "counter.desk.at": ("Anda di {counter}", "You are at {counter}"),
    "counter.no_office": (
        "Belum ada kantor aktif. Hubungi admin.",
        "There is no active office yet. Ask an admin.",
    ),
    "counter.action.call-next": ("Panggil berikutnya", "Call next"),
    "counter.action.recall": ("Panggil ulang", "Recall"),
    "counter.action.served": ("Selesai", "Served"),
    "counter.action.no-show": ("Tidak hadir", "No-show"),
    "counter.action.transfer": ("Alihkan", "Transfer"),
    "counter.action.hold": ("Tunda", "Hold"),
    "counter.action.call-back": ("Panggil lagi", "Call again"),
    "counter.action.return": ("Kembalikan ke antrean", "Back to the queue"),
    "counter.shortcut": ("Tombol pintas", "Shortcut"),
    "counter.transfer.title": (
        "Alihkan ke layanan atau loket lain",
        "Transfer to a service or counter",
    ),
    "counter.transfer.queue": ("Layanan tujuan", "To service"),
    "counter.transfer.counter": ("Loket tujuan", "To counter"),
    "counter.transfer.same": ("— tetap —", "— unchanged —"),
    "counter.transfer.any": ("— loket mana saja —", "— any counter —"),
    "counter.transfer.submit": ("Pindahkan tiket", "Move the ticket"),
    "counter.transfer.cancel": ("Batal", "Cancel"),
    "counter.current": ("Sedang dilayani", "Being served"),
    "counter.current.none": (
        "Belum ada nomor yang dipanggil. Tekan “Panggil berikutnya”.",
        "No number called yet. Press “Call next”.",
    ),
    "counter.current.also": (
        "Juga dipanggil di loket ini (selesaikan nomor di atas dahulu):",
        "Also called at this counter (close the number above first):",
    ),
    "counter.current.past": (
        "Nomor ini dari tanggal {day}, bukan hari ini: tidak dapat dialihkan ke antrean hari "
        "ini, karena nomornya milik hari itu. Selesaikan nomor ini di sini.",
        "This number is of {day}, not today: it cannot be transferred to today's queue, as "
        "its number belongs to that day. Close it here.",
    ),
    "counter.current.called_at": ("Dipanggil {time}", "Called at {time}"),
    "counter.waiting": ("Menunggu", "Waiting"),
    "counter.waiting.count": ("{n} orang menunggu", "{n} waiting"),
    "counter.waiting.none": ("Tidak ada yang menunggu.", "Nobody is waiting."),
    "counter.waiting.number": ("Nomor", "Number"),
    "counter.waiting.service": ("Layanan", "Service"),
    "counter.waiting.minutes": ("Lama menunggu", "Waiting for"),
    "counter.waiting.min": ("{n} mnt", "{n} min"),
    "counter.waiting.transferred": ("dialihkan", "transferred"),
    "counter.waiting.at_kiosk": ("sedang di anjungan", "still at the kiosk"),
    "counter.waiting.at_kiosk.why": (
        "Warga masih menjawab di anjungan dan belum melihat nomornya: nomor ini dipanggil "
        "setelah tiketnya tercetak.",
        "The citizen is still answering at the kiosk and has not seen the number yet: it is "
        "called once the ticket is printed.",
    ),
    "counter.held": ("Ditunda", "On hold"),
    "counter.held.busy": (
        "Untuk memanggil lagi, selesaikan, tunda, atau alihkan dahulu nomor yang sedang dilayani.",
        "To call one again, first close, hold or transfer the number being served.",
    ),
    "counter.held.gone": (
        "Loket ini tidak ada lagi di kantor ini, jadi nomor yang ditunda tidak dapat dipanggil "
        "lagi di sini. Kembalikan ke antrean layanannya (atau layanan lain, bila layanannya "
        "tidak ada lagi): loket yang melayaninya memanggil nomor itu lebih dahulu.",
        "This counter is no longer one of this office's, so a number on hold cannot be called "
        "again here. Send it back to its service's queue (or another's, if its service is "
        "gone): a counter serving it calls the number first.",
    ),
    "counter.held.closing": (
        "Loket ini tidak ada lagi di kantor ini, dan kantor ini tidak lagi membuka layanan "
        "yang dapat menerima nomor yang ditunda: nomor itu tidak dapat dipanggil lagi atau "
        "dikembalikan ke antrean. Tutup nomor itu: “Selesai” bila warga sudah dilayani, "
        "“Tidak hadir” bila tidak.",
        "This counter is no longer one of this office's, and the office has no open service "
        "left to take a number on hold: it cannot be called again or sent back to a queue. "
        "Close it: “Served” if the citizen was served, “No-show” if not.",
    ),
    "counter.registration": ("Data pendaftaran", "Registration"),
    "counter.registration.none": (
        "Pendaftaran untuk nomor ini belum sampai dari anjungan.",
        "This number's registration has not arrived from the kiosk yet.",
    ),
    "counter.registration.refused": (
        "Data pendaftaran hanya tampil untuk nomor yang sedang dilayani.",
        "A registration is shown only for the number being served.",
    ),
    "counter.registration.audited": (
        "Setiap tampilan data ini dicatat.",
        "Every view of this data is recorded.",
    ),
    "counter.registration.field": ("Isian", "Field"),
    "counter.registration.value": ("Nilai", "Value"),
    "counter.registration.source": ("Sumber", "Source"),
    "counter.registration.card_number": ("Nomor kartu", "Card number"),
    "counter.registration.booking": (
        "Check-in janji dengan satu sentuhan, kode janji",
        "Checked in with one tap for booking",
    ),
    "counter.registration.visit": ("Dokter", "Doctor"),
    "counter.registration.norm": ("No. RM", "No. RM"),
    "counter.registration.over_quota": (
        "Kuota habis — periksa: didaftarkan anjungan luring setelah kuota dokter habis.",
        "Quota used up — check: an offline kiosk registered it after the doctor's quota "
        "was used up.",
    ),
    "counter.registration.no_visit": (
        "Kunjungan poli belum dibuat — daftarkan di loket:",
        "No poli visit was made — register it at the desk:",
    ),
    "counter.registration.no_visit.give_back": (
        "Tandai nomor ini “Tidak hadir” sebelum warga didaftarkan lagi di loket, agar "
        "tempatnya di kuota dokter kembali.",
        "Mark this number “No-show” before the desk registers the citizen again, so its "
        "place in the doctor's quota goes back.",
    ),
    "counter.registration.no_visit.already_registered": (
        "pasien sudah terdaftar di poli ini hari ini.",
        "the patient already has a visit at this poli today.",
    ),
    "counter.registration.no_visit.identity_conflict": (
        "data pasien tidak sama dengan data rumah sakit.",
        "the patient's data differ from the hospital's record.",
    ),
    "counter.registration.no_visit.invalid_patient": (
        "NIK atau tanggal lahir tidak sah.",
        "the NIK or date of birth is not valid.",
    ),
    "counter.registration.no_visit.unknown_schedule": (
        "jadwal dokter tidak dapat dipakai.",
        "the doctor's schedule cannot be used.",
    ),
    "counter.registration.no_visit.invalid_hospital": (
        "data poli dari anjungan tidak dapat dipakai.",
        "the kiosk's poli data cannot be used.",
    ),
    "counter.registration.missing": (
        "Belum diisi, tanyakan kepada warga:",
        "Not filled in, ask the citizen:",
    ),
    "counter.source.card": ("kartu", "card"),
    "counter.source.card_changeable": ("kartu (dapat diubah warga)", "card (citizen may change)"),
    "counter.source.record": ("data kota", "city record"),
    "counter.source.typed": ("diketik warga", "typed by the citizen"),
    "counter.done.call-next": ("Nomor {number} dipanggil.", "Number {number} called."),
    "counter.done.nobody": ("Tidak ada yang menunggu.", "Nobody is waiting."),
    "counter.done.nobody_yet": (
        "Belum ada yang dapat dipanggil: nomor yang menunggu masih di anjungan (warganya "
        "belum melihat nomornya). Tekan lagi sebentar lagi.",
        "Nobody can be called yet: the numbers waiting are still at the kiosk (their "
        "citizens have not seen them yet). Press again in a moment.",
    ),
    "counter.done.recall": ("Nomor {number} dipanggil ulang.", "Number {number} called again."),
    "counter.done.served": ("Nomor {number} selesai.", "Number {number} served."),
    "counter.done.no-show": ("Nomor {number} tidak hadir.", "Number {number} did not come."),
    "counter.done.hold": ("Nomor {number} ditunda.", "Number {number} on hold."),
    "counter.done.call-back": ("Nomor {number} dipanggil lagi.", "Number {number} called again."),
    "counter.done.transfer": ("Nomor {number} dialihkan.", "Number {number} transferred."),
    "counter.problem.desk": (
        "Pilih satu loket dan sedikitnya satu layanan kantor ini.",
        "Choose one counter and at least one service of this office.",
    ),
    "counter.problem.state": (
        "Nomor ini sudah tidak seperti yang tampil di halaman (mungkin sudah ditangani di tab "
        "lain atau oleh petugas lain). Tidak ada yang diubah; daftar sudah diperbarui.",
        "This number is no longer as the page showed it (perhaps handled in another tab or by "
        "a colleague). Nothing was changed; the list is up to date.",
    ),
    "counter.problem.busy": (
        "Masih ada nomor yang dipanggil di loket ini. Selesaikan, tunda, atau alihkan nomor "
        "itu dahulu; tidak ada yang dipanggil.",
        "A number is still called at this counter. Close, hold or transfer it first; nobody "
        "was called.",
    ),
    "counter.problem.leave": (
        "Masih ada nomor yang dipanggil atau ditunda di loket Anda. Selesaikan atau alihkan "
        "nomor itu (yang ditunda: panggil lagi, atau kembalikan ke antrean) sebelum berganti "
        "loket.",
        "A number is still called or on hold at your counter. Close or transfer it (one on "
        "hold: call it again, or send it back to the queue) before you change counter.",
    ),
    "counter.held.past": (
        "Nomor yang ditunda sebelum hari ini tidak dapat kembali ke antrean hari ini: "
        "nomornya milik hari itu. Tutup nomor itu: “Selesai” bila warga sudah dilayani, "
        "“Tidak hadir” bila tidak.",
        "A number put on hold before today cannot go back to today's queue: its number "
        "belongs to its day. Close it: “Served” if the citizen was served, “No-show” if not.",
    ),
    "counter.problem.past_day": (
        "Nomor ini dari hari sebelumnya, jadi tidak dialihkan: nomornya milik hari itu dan "
        "tidak dapat kembali ke antrean hari ini. Tutup nomor itu: “Selesai” bila warga "
        "sudah dilayani, “Tidak hadir” bila tidak.",
        "This number is from an earlier day, so it was not transferred: its number belongs "
        "to that day and cannot go back to today's queue. Close it: “Served” if the citizen "
        "was served, “No-show” if not.",
    ),
    "counter.problem.to_counter": (
        "Loket tujuan tidak ada di kantor ini. Pilih loket dari daftar.",
        "There is no such counter at this office. Choose one from the list.",
    ),
    "counter.problem.gone": (
        "Loket Anda tidak ada lagi di kantor ini. Pilih loket lain lewat “Ganti loket atau "
        "layanan”; tidak ada yang dipanggil.",
        "Your counter is no longer one of this office's. Choose another with “Change counter "
        "or services”; nobody was called.",
    ),
    "counter.problem.gone_recall": (
        "Loket Anda tidak ada lagi di kantor ini, jadi nomor ini tidak dipanggil ulang: papan "
        "tidak mengumumkan loket yang tidak ada. Nomor ini tetap di loket Anda; selesaikan, "
        "atau alihkan ke loket lain.",
        "Your counter is no longer one of this office's, so the number was not called again: "
        "the boards announce no counter that does not exist. The number stays at your "
        "counter; close it, or transfer it to another counter.",
    ),
    "counter.problem.gone_held": (
        "Loket Anda tidak ada lagi di kantor ini, jadi nomor yang ditunda tidak dapat "
        "dipanggil lagi di sini: papan tidak mengumumkan loket yang tidak ada. Kembalikan "
        "nomor itu ke antreannya dengan “Kembalikan ke antrean”.",
        "Your counter is no longer one of this office's, so a number on hold cannot be "
        "called again here: the boards announce no counter that does not exist. Send it back "
        "to its queue with “Back to the queue”.",
    ),
    "counter.problem.gone_hold": (
        "Loket Anda tidak ada lagi di kantor ini, jadi nomor ini tidak ditunda: nomor yang "
        "ditunda hanya dapat dipanggil lagi di loket yang ada. Nomor ini tetap dipanggil di "
        "loket Anda; selesaikan, atau alihkan ke loket atau layanan lain.",
        "Your counter is no longer one of this office's, so the number was not put on hold: "
        "a number on hold can only be called again at a counter that exists. The number stays "
        "called at your counter; close it, or transfer it to another counter or service.",
    ),
    "counter.problem.gone_close": (
        "Loket Anda tidak ada lagi di kantor ini, tetapi nomor yang ditunda di sini masih "
        "dapat kembali ke antrean, jadi nomor itu tidak ditutup. Kembalikan nomor itu ke "
        "antreannya dengan “Kembalikan ke antrean”: loket yang melayaninya memanggil nomor "
        "itu lebih dahulu.",
        "Your counter is no longer one of this office's, but a number on hold here can still "
        "go back to a queue, so it was not closed. Send it back to its queue with “Back to "
        "the queue”: a counter serving it calls the number first.",
    ),
    "counter.gone": (
        "Loket Anda tidak ada lagi di kantor ini: di sini tidak ada yang dipanggil, dipanggil "
        "ulang, atau ditunda. Selesaikan atau alihkan nomor yang masih di loket ini, lalu "
        "pilih loket lain di atas.",
        "Your counter is no longer one of this office's: nobody is called, called again or "
        "put on hold here. Close or transfer the numbers still at this counter, then choose "
        "another counter above.",
    ),
    "counter.problem.other_office": (
        "Loket dan layanan itu milik kantor lain; akun Anda hanya untuk kantor Anda. Muat "
        "ulang halaman, lalu pilih loket dan layanan dari daftar kantor Anda.",
        "That counter and those services belong to another office; your account is for your "
        "own office only. Reload the page, then choose a counter and services from your "
        "office's list.",
    ),
    "counter.problem.no_counter": (
        "Loket itu tidak ada di kantor ini. Pilih loket dari daftar.",
        "The office has no such counter. Choose one from the list.",
    ),
    "counter.problem.no_desk": (
        "Pilih loket dan layanan terlebih dahulu.",
        "Choose your counter and services first.",
    ),
    "counter.problem.ticket": ("Tiket tidak ditemukan.", "No such ticket."),
    "counter.problem.to_queue": (
        "Layanan tujuan tidak ada di kantor ini. Pilih layanan dari daftar.",
        "The office has no such service. Choose one from the list.",
    ),
    "counter.problem.input": (
        "Isian tidak lengkap: pilih layanan atau loket tujuan.",
        "Incomplete: choose a service or counter to transfer to.",
    ),
    "counter.problem.action": ("Tindakan tidak dikenal.", "Unknown action."),
    **TODAY,
}
