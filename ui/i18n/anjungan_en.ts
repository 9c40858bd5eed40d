<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="id">
<context>
    <name>texts</name>
    <message>
        <source>Anjungan Layanan Mandiri</source>
        <translation>Self-Service Kiosk</translation>
    </message>
    <message>
        <source>Tempelkan kartu Anda</source>
        <translation>Tap your card</translation>
    </message>
    <message>
        <source>Letakkan kartu di atas pembaca di bawah layar</source>
        <translation>Hold your card on the reader below the screen</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Bahasa Indonesia</translation>
    </message>
    <message>
        <source>A+</source>
        <translation>A+</translation>
    </message>
    <message>
        <source>Perbesar tulisan</source>
        <translation>Larger text</translation>
    </message>
    <message>
        <source>Luring — layanan tetap berjalan, data dikirim nanti</source>
        <translation>Offline — service continues, data is sent later</translation>
    </message>
    <message>
        <source>Daftar layanan belum tersedia. Kiosk belum terhubung ke server pusat.</source>
        <translation>The list of services is not available yet: no connection to the central server.</translation>
    </message>
    <message>
        <source>Printer tiket sedang bermasalah — nomor antrean tampil di layar</source>
        <translation>The ticket printer has a problem — your number is shown on screen</translation>
    </message>
    <message>
        <source>Mohon maaf, anjungan ini sedang tidak dapat melayani</source>
        <translation>Sorry, this kiosk cannot serve you right now</translation>
    </message>
    <message>
        <source>Silakan menuju loket pelayanan terdekat</source>
        <translation>Please go to the nearest service counter</translation>
    </message>
    <message>
        <source>Kartu demo (simulasi)</source>
        <translation>Demo cards (simulated)</translation>
    </message>
    <message>
        <source>Membaca kartu…</source>
        <translation>Reading your card…</translation>
    </message>
    <message>
        <source>Jangan angkat kartu Anda</source>
        <translation>Keep your card on the reader</translation>
    </message>
    <message>
        <source>Selamat datang, Ibu {name}</source>
        <translation>Welcome, Mrs {name}</translation>
    </message>
    <message>
        <source>Selamat datang, Bapak {name}</source>
        <translation>Welcome, Mr {name}</translation>
    </message>
    <message>
        <source>Selamat datang</source>
        <translation>Welcome</translation>
    </message>
    <message>
        <source>Isi formulir otomatis? Ketik tanggal lahir Anda</source>
        <translation>Fill in the form for you? Type your date of birth</translation>
    </message>
    <message>
        <source>Tanggal, bulan, tahun (HH BB TTTT). Atau pilih Lewati dan isi sendiri.</source>
        <translation>Day, month, year (DD MM YYYY). Or choose Skip and fill it in yourself.</translation>
    </message>
    <message>
        <source>Memeriksa tanggal lahir…</source>
        <translation>Checking your date of birth…</translation>
    </message>
    <message>
        <source>Periksa</source>
        <translation>Check</translation>
    </message>
    <message>
        <source>Lewati, isi sendiri</source>
        <translation>Skip, I will fill it in</translation>
    </message>
    <message>
        <source>Silakan pilih layanan</source>
        <translation>Please choose a service</translation>
    </message>
    <message>
        <source>Batal</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Kembali</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Lanjut</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>Daftar layanan ini</source>
        <translation>Register for this service</translation>
    </message>
    <message>
        <source>Persyaratan yang dibawa</source>
        <translation>Please bring</translation>
    </message>
    <message>
        <source>Tidak ada persyaratan khusus</source>
        <translation>Nothing special to bring</translation>
    </message>
    <message>
        <source>Loket</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>Periksa dan lengkapi data</source>
        <translation>Check and complete your details</translation>
    </message>
    <message>
        <source>dari kartu</source>
        <translation>from card</translation>
    </message>
    <message>
        <source>dari data kota</source>
        <translation>from city records</translation>
    </message>
    <message>
        <source>Apakah data ini sudah benar?</source>
        <translation>Is this correct?</translation>
    </message>
    <message>
        <source>Ya, ambil nomor antrean</source>
        <translation>Yes, get my queue number</translation>
    </message>
    <message>
        <source>Membuat tiket…</source>
        <translation>Making your ticket…</translation>
    </message>
    <message>
        <source>Membuat nomor antrean…</source>
        <translation>Getting your queue number…</translation>
    </message>
    <message>
        <source>Nomor antrean Anda</source>
        <translation>Your queue number</translation>
    </message>
    <message>
        <source>Silakan ambil tiket Anda</source>
        <translation>Please take your ticket</translation>
    </message>
    <message>
        <source>Antrean di depan Anda: {count} orang</source>
        <translation>People ahead of you: {count}</translation>
    </message>
    <message>
        <source>Perkiraan waktu tunggu: ± {minutes} menit</source>
        <translation>Estimated wait: about {minutes} min</translation>
    </message>
    <message>
        <source>Tiket tidak dapat dicetak. Silakan foto layar ini (nomor dan kode QR) sebagai bukti antrean.</source>
        <translation>The ticket could not be printed. Please take a photo of this screen (number and QR code).</translation>
    </message>
    <message>
        <source>Ambil tiket Anda. Jika tiket tidak keluar, silakan foto layar ini.</source>
        <translation>Please take your ticket. If none came out, take a photo of this screen.</translation>
    </message>
    <message>
        <source>Pindai kode ini untuk melihat status antrean Anda</source>
        <translation>Scan this code to follow your place in the queue</translation>
    </message>
    <message>
        <source>Selesai</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Terima kasih</source>
        <translation>Thank you</translation>
    </message>
    <message>
        <source>Masih di sana? Sesi berakhir dalam {seconds} detik</source>
        <translation>Still there? The session ends in {seconds} seconds</translation>
    </message>
    <message>
        <source>Lanjutkan</source>
        <translation>Continue</translation>
    </message>
    <message>
        <source>Tutup</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Masih di sana?</source>
        <translation>Still there?</translation>
    </message>
    <message>
        <source>Sesi berakhir dalam {seconds} detik dan data Anda dihapus.</source>
        <translation>The session ends in {seconds} seconds and your details are wiped.</translation>
    </message>
    <message>
        <source>Sedang dilayani</source>
        <translation>Now serving</translation>
    </message>
    <message>
        <source>Perkiraan waktu tunggu</source>
        <translation>Estimated wait</translation>
    </message>
    <message>
        <source>± {minutes} menit ({waiting} orang menunggu)</source>
        <translation>about {minutes} min ({waiting} waiting)</translation>
    </message>
    <message>
        <source>Dilayani {serving} · {waiting} orang menunggu</source>
        <translation>Serving {serving} · {waiting} waiting</translation>
    </message>
    <message>
        <source>Jam layanan</source>
        <translation>Opening hours</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>Tidak tersedia dengan kartu ini: perlu kartu warga resmi yang ditandatangani kota</source>
        <translation>Not available with this card: needs an official citizen card signed by the city</translation>
    </message>
    <message>
        <source>Tidak tersedia dengan kartu ini: perlu kartu warga dengan chip anti-salin</source>
        <translation>Not available with this card: needs a citizen card with an anti-copy chip</translation>
    </message>
    <message>
        <source>Sampaikan pengaduan</source>
        <translation>Make a complaint</translation>
    </message>
    <message>
        <source>Pengaduan</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <source>Pilih kategori, lalu tulis pengaduan Anda. Anda akan menerima nomor referensi.</source>
        <translation>Choose a category, then write your complaint. You will get a reference number.</translation>
    </message>
    <message>
        <source>Kategori</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Tulis pengaduan Anda di sini</source>
        <translation>Write your complaint here</translation>
    </message>
    <message>
        <source>{n} / {max} karakter</source>
        <translation>{n} / {max} characters</translation>
    </message>
    <message>
        <source>Kirim pengaduan</source>
        <translation>Send complaint</translation>
    </message>
    <message>
        <source>Pilih salah satu kategori</source>
        <translation>Choose a category</translation>
    </message>
    <message>
        <source>Tulis isi pengaduan Anda</source>
        <translation>Write your complaint</translation>
    </message>
    <message>
        <source>Menyimpan pengaduan…</source>
        <translation>Saving your complaint…</translation>
    </message>
    <message>
        <source>Pengaduan Anda sudah diterima</source>
        <translation>Your complaint has been received</translation>
    </message>
    <message>
        <source>Nomor referensi</source>
        <translation>Reference number</translation>
    </message>
    <message>
        <source>Silakan ambil bukti pengaduan Anda. Simpan nomor ini untuk menanyakan tindak lanjutnya.</source>
        <translation>Please take your receipt. Keep this number to ask about your complaint.</translation>
    </message>
    <message>
        <source>Bukti tidak dapat dicetak. Silakan catat atau foto nomor referensi ini.</source>
        <translation>The receipt could not be printed. Please note or photograph this reference number.</translation>
    </message>
    <message>
        <source>Tanpa kartu: pengaduan dikirim tanpa nama.</source>
        <translation>Without a card: the complaint is sent without your name.</translation>
    </message>
    <message>
        <source>Informasi</source>
        <translation>Information</translation>
    </message>
    <message>
        <source>Informasi layanan</source>
        <translation>Service information</translation>
    </message>
    <message>
        <source>Antrean saat ini</source>
        <translation>The queue now</translation>
    </message>
    <message>
        <source>{service}: dilayani {now} · menunggu {waiting} · ± {minutes} menit</source>
        <translation>{service}: now serving {now} · {waiting} waiting · about {minutes} min</translation>
    </message>
    <message>
        <source>belum ada</source>
        <translation>nobody yet</translation>
    </message>
    <message>
        <source>Belum ada antrean hari ini</source>
        <translation>No queue today yet</translation>
    </message>
    <message>
        <source>Tempat tidur tersedia</source>
        <translation>Beds available</translation>
    </message>
    <message>
        <source>{ward}: {free} dari {total} kosong</source>
        <translation>{ward}: {free} of {total} free</translation>
    </message>
    <message>
        <source>Dokter bertugas</source>
        <translation>Doctors on duty</translation>
    </message>
    <message>
        <source>{name} — {specialty}, ruang {room} ({start}–{until})</source>
        <translation>{name} — {specialty}, room {room} ({start}–{until})</translation>
    </message>
    <message>
        <source>Tidak ada data dokter bertugas</source>
        <translation>No doctors on duty listed</translation>
    </message>
    <message>
        <source>Diperbarui {time}</source>
        <translation>Updated {time}</translation>
    </message>
    <message>
        <source>Memuat…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>Tidak dapat memeriksa status saat ini. Silakan coba lagi nanti atau tanya petugas.</source>
        <translation>The status cannot be checked right now. Please try again later or ask an officer.</translation>
    </message>
    <message>
        <source>Status berkas</source>
        <translation>Document status</translation>
    </message>
    <message>
        <source>Status berkas Anda</source>
        <translation>Your applications</translation>
    </message>
    <message>
        <source>Tidak ada berkas yang sedang diproses</source>
        <translation>No applications in progress</translation>
    </message>
    <message>
        <source>Status berkas hanya dapat diperiksa dengan kartu warga yang terverifikasi.</source>
        <translation>Document status needs a verified citizen card.</translation>
    </message>
    <message>
        <source>{title} ({reference}) — {state}</source>
        <translation>{title} ({reference}) — {state}</translation>
    </message>
    <message>
        <source>diterima</source>
        <translation>received</translation>
    </message>
    <message>
        <source>sedang diproses</source>
        <translation>in progress</translation>
    </message>
    <message>
        <source>SIAP DIAMBIL</source>
        <translation>READY TO COLLECT</translation>
    </message>
    <message>
        <source>sudah diambil</source>
        <translation>collected</translation>
    </message>
    <message>
        <source>ditolak — hubungi petugas</source>
        <translation>rejected — please ask an officer</translation>
    </message>
    <message>
        <source>ditunda — lihat catatan atau tanya petugas</source>
        <translation>on hold — see the note or ask an officer</translation>
    </message>
    <message>
        <source>status tidak dikenal</source>
        <translation>unknown state</translation>
    </message>
    <message>
        <source>Jawaban atas pengaduan Anda</source>
        <translation>Answers to your complaints</translation>
    </message>
    <message>
        <source>{reference} — dijawab {date}
{answer}</source>
        <translation>{reference} — answered {date}
{answer}</translation>
    </message>
    <message>
        <source>PIN operator</source>
        <translation>Operator PIN</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Hapus</source>
        <translation>Erase</translation>
    </message>
    <message>
        <source>PIN salah. Sisa percobaan: {tries}</source>
        <translation>Wrong PIN. Tries left: {tries}</translation>
    </message>
    <message>
        <source>Terlalu banyak percobaan. Coba lagi dalam {seconds} detik.</source>
        <translation>Too many tries. Try again in {seconds} seconds.</translation>
    </message>
    <message>
        <source>Memeriksa…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>Panel operator</source>
        <translation>Operator panel</translation>
    </message>
    <message>
        <source>Pembaca kartu: {state}</source>
        <translation>Card reader: {state}</translation>
    </message>
    <message>
        <source>tidak ada yang terhubung</source>
        <translation>none connected</translation>
    </message>
    <message>
        <source>Printer: {state}</source>
        <translation>Printer: {state}</translation>
    </message>
    <message>
        <source>baik</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>bermasalah ({fault})</source>
        <translation>fault ({fault})</translation>
    </message>
    <message>
        <source>Antrean kirim: {pending} menunggu, {dead} gagal; tertua {age}</source>
        <translation>Outbox: {pending} pending, {dead} dead; oldest {age}</translation>
    </message>
    <message>
        <source>Sinkronisasi terakhir: {last}</source>
        <translation>Last sync: {last}</translation>
    </message>
    <message>
        <source>belum pernah</source>
        <translation>never</translation>
    </message>
    <message>
        <source>Sinkronisasi: {connection}, berhasil terakhir {success}; kode kiosk {code}; sisa nomor sewaan {leases}</source>
        <translation>Sync: {connection}, last success {success}; kiosk code {code}; leased numbers left {leases}</translation>
    </message>
    <message>
        <source>Ditolak dari server pusat: {what}</source>
        <translation>Refused from the central server: {what}</translation>
    </message>
    <message>
        <source>Server pusat: {state}</source>
        <translation>Central server: {state}</translation>
    </message>
    <message>
        <source>terhubung</source>
        <translation>online</translation>
    </message>
    <message>
        <source>luring</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>belum diketahui</source>
        <translation>not known yet</translation>
    </message>
    <message>
        <source>Katalog: {version}</source>
        <translation>Catalog: {version}</translation>
    </message>
    <message>
        <source>Penyimpanan lokal bermasalah: {error}</source>
        <translation>Local store fault: {error}</translation>
    </message>
    <message>
        <source>Uji cetak</source>
        <translation>Test print</translation>
    </message>
    <message>
        <source>Uji baca kartu</source>
        <translation>Test card read</translation>
    </message>
    <message>
        <source>Muat ulang katalog</source>
        <translation>Reload catalog</translation>
    </message>
    <message>
        <source>Keluar aplikasi</source>
        <translation>Quit the kiosk</translation>
    </message>
    <message>
        <source>Tiket uji tercetak</source>
        <translation>Test ticket printed</translation>
    </message>
    <message>
        <source>Tiket uji tidak tercetak</source>
        <translation>Test ticket not printed</translation>
    </message>
    <message>
        <source>Tempelkan kartu uji sekarang</source>
        <translation>Tap a test card now</translation>
    </message>
    <message>
        <source>Hasil baca kartu: {result}</source>
        <translation>Card read: {result}</translation>
    </message>
    <message>
        <source>Katalog sedang dimuat ulang</source>
        <translation>Reloading the catalog</translation>
    </message>
    <message>
        <source>Pendaftaran hari ini</source>
        <translation>Today&apos;s registrations</translation>
    </message>
    <message>
        <source>Pasien berikutnya</source>
        <translation>Next patient</translation>
    </message>
    <message>
        <source>{number} · {time} · {service}</source>
        <translation>{number} · {time} · {service}</translation>
    </message>
    <message>
        <source>Belum ada pendaftaran</source>
        <translation>No registrations yet</translation>
    </message>
    <message>
        <source>Kartu tidak dapat dibaca. Silakan coba lagi atau hubungi petugas.</source>
        <translation>The card could not be read. Please try again or ask an officer.</translation>
    </message>
    <message>
        <source>Kartu terangkat terlalu cepat. Tempelkan lagi dan tahan sebentar.</source>
        <translation>The card was removed too soon. Tap again and hold it still.</translation>
    </message>
    <message>
        <source>Kartu ini tidak dikenali oleh kiosk.</source>
        <translation>This card is not recognised.</translation>
    </message>
    <message>
        <source>Layanan pembaca kartu tidak berjalan. Silakan hubungi petugas.</source>
        <translation>The card service is not running. Please ask an officer.</translation>
    </message>
    <message>
        <source>Pembaca kartu tidak terhubung. Silakan hubungi petugas.</source>
        <translation>The card reader is not connected. Please ask an officer.</translation>
    </message>
    <message>
        <source>Pembacaan kartu terlalu lama. Silakan coba lagi.</source>
        <translation>Reading the card took too long. Please try again.</translation>
    </message>
    <message>
        <source>Data kartu tidak sah. Silakan hubungi petugas.</source>
        <translation>The data on this card is not genuine. Please ask an officer.</translation>
    </message>
    <message>
        <source>Kartu tidak dikenali. Kartu ini tidak diterbitkan oleh kota yang dikenal kiosk.</source>
        <translation>Card not recognised: it was not issued by a city this kiosk knows.</translation>
    </message>
    <message>
        <source>Kartu sudah kedaluwarsa. Silakan perpanjang kartu Anda di loket.</source>
        <translation>This card has expired. Please renew it at the counter.</translation>
    </message>
    <message>
        <source>Kartu belum berlaku. Silakan hubungi petugas.</source>
        <translation>This card is not valid yet. Please ask an officer.</translation>
    </message>
    <message>
        <source>Kartu ini diblokir. Silakan hubungi petugas.</source>
        <translation>This card has been blocked. Please ask an officer.</translation>
    </message>
    <message>
        <source>Kartu diduga hasil salinan. Silakan hubungi petugas.</source>
        <translation>This card may be a copy. Please ask an officer.</translation>
    </message>
    <message>
        <source>Data kartu tidak cocok dengan NIK. Silakan hubungi petugas.</source>
        <translation>The card&apos;s details do not match its NIK. Please ask an officer.</translation>
    </message>
    <message>
        <source>Tiket tidak dapat dibuat karena penyimpanan kiosk penuh. Silakan hubungi petugas.</source>
        <translation>No ticket could be made: the kiosk&apos;s storage is full. Please ask an officer.</translation>
    </message>
    <message>
        <source>Tiket tidak dapat dibuat karena gangguan sistem. Silakan hubungi petugas.</source>
        <translation>No ticket could be made because of a system fault. Please ask an officer.</translation>
    </message>
    <message>
        <source>Tiket belum dapat dipastikan. Silakan hubungi petugas sebelum mencoba lagi.</source>
        <translation>Your ticket could not be confirmed. Please ask an officer before trying again.</translation>
    </message>
    <message>
        <source>Layanan belum tersedia. Silakan hubungi petugas.</source>
        <translation>Services are not available yet. Please ask an officer.</translation>
    </message>
    <message>
        <source>Tiket ini tidak ditemukan. Silakan hubungi petugas.</source>
        <translation>This ticket cannot be found. Please ask an officer.</translation>
    </message>
    <message>
        <source>Layanan ini sedang tidak tersedia.</source>
        <translation>This service is not available right now.</translation>
    </message>
    <message>
        <source>Layanan ini memerlukan kartu warga yang terverifikasi.</source>
        <translation>This service needs a verified citizen card.</translation>
    </message>
    <message>
        <source>Tanggal itu tidak ada. Ketik 8 angka: tanggal, bulan, tahun.</source>
        <translation>That date does not exist. Type 8 digits: day, month, year.</translation>
    </message>
    <message>
        <source>Tanggal lahir belum cocok. Silakan coba sekali lagi.</source>
        <translation>The date of birth does not match yet. Please try once more.</translation>
    </message>
    <message>
        <source>Tanggal lahir tidak cocok. Silakan isi formulir sendiri.</source>
        <translation>The date of birth does not match. Please fill in the form yourself.</translation>
    </message>
    <message>
        <source>Terlalu banyak percobaan untuk kartu ini. Silakan isi formulir sendiri.</source>
        <translation>Too many tries for this card. Please fill in the form yourself.</translation>
    </message>
    <message>
        <source>Data kota tidak dapat diperiksa saat ini. Silakan isi formulir sendiri.</source>
        <translation>The city's records cannot be checked right now. Please fill in the form yourself.</translation>
    </message>
    <message>
        <source>Terjadi gangguan. Silakan coba lagi atau hubungi petugas.</source>
        <translation>Something went wrong. Please try again or ask an officer.</translation>
    </message>
    <message>
        <source>Wajib diisi</source>
        <translation>Required</translation>
    </message>
    <message>
        <source>Terlalu panjang</source>
        <translation>Too long</translation>
    </message>
    <message>
        <source>NIK harus 16 angka</source>
        <translation>A NIK has 16 digits</translation>
    </message>
    <message>
        <source>Hanya angka</source>
        <translation>Digits only</translation>
    </message>
    <message>
        <source>Nomor HP tidak valid (contoh: 081234567890)</source>
        <translation>Not a valid mobile number (e.g. 081234567890)</translation>
    </message>
    <message>
        <source>Tanggal tidak valid (TTTT-BB-HH)</source>
        <translation>Not a valid date (YYYY-MM-DD)</translation>
    </message>
    <message>
        <source>Pilih salah satu</source>
        <translation>Choose one</translation>
    </message>
</context>
</TS>
