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
        <source>9 angka yang tertulis di halaman janji Anda.</source>
        <translation>The 9 digits shown on your booking&apos;s page.</translation>
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
        <source>Jam layanan</source>
        <translation>Opening hours</translation>
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
        <source>Tanpa kartu: pengaduan dikirim tanpa nama.</source>
        <translation>Without a card: the complaint is sent without your name.</translation>
    </message>
    <message>
        <source>Bacakan layar</source>
        <translation>Read aloud</translation>
    </message>
    <message>
        <source>Hentikan suara</source>
        <translation>Stop reading aloud</translation>
    </message>
    <message>
        <source>Layar akan dibacakan.</source>
        <translation>The screen will be read aloud.</translation>
    </message>
    <message>
        <source>Sentuh nama layanan yang Anda perlukan.</source>
        <translation>Touch the service you need.</translation>
    </message>
    <message>
        <source>Tekan {register} untuk mendaftar, atau {back} untuk memilih layanan lain.</source>
        <translation>Press {register} to register, or {back} to choose another service.</translation>
    </message>
    <message>
        <source>Periksa data Anda, lalu tekan {next} di bawah.</source>
        <translation>Check your details, then press {next} at the bottom.</translation>
    </message>
    <message>
        <source>Jika sudah benar, tekan {confirm}.</source>
        <translation>If it is right, press {confirm}.</translation>
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
        <source>Tidak ada data dokter bertugas</source>
        <translation>No doctors on duty listed</translation>
    </message>
    <message>
        <source>Memuat…</source>
        <translation>Loading…</translation>
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
        <source>diterima</source>
        <translation>received</translation>
    </message>
    <message>
        <source>sedang diproses</source>
        <translation>in progress</translation>
    </message>
    <message>
        <source>sudah diambil</source>
        <translation>collected</translation>
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
        <source>Silakan foto layar ini (nomor dan kode QR) sebagai bukti antrean.</source>
        <translation>Please take a photo of this screen (number and QR code) as proof of your place in the queue.</translation>
    </message>
    <message>
        <source>Kirim pemberitahuan ke {number}?</source>
        <translation>Send notifications to {number}?</translation>
    </message>
    <message>
        <source>Kirim pemberitahuan ke HP Anda?</source>
        <translation>Send notifications to your phone?</translation>
    </message>
    <message>
        <source>Pesan singkat saat giliran Anda hampir tiba dan saat nomor Anda dipanggil.</source>
        <translation>A short message when your turn is near and when your number is called.</translation>
    </message>
    <message>
        <source>Jika tidak dijawab, tiket dicetak tanpa pemberitahuan.</source>
        <translation>If you do not answer, the ticket is printed without notifications.</translation>
    </message>
    <message>
        <source>Ya, kirim</source>
        <translation>Yes, send</translation>
    </message>
    <message>
        <source>Tidak</source>
        <translation>No</translation>
    </message>
    <message>
        <source>Nomor lain</source>
        <translation>Another number</translation>
    </message>
    <message>
        <source>Ketik nomor HP Anda</source>
        <translation>Type your mobile number</translation>
    </message>
    <message>
        <source>Diawali 08, hanya untuk pemberitahuan antrean ini. Lalu tekan OK.</source>
        <translation>Starting with 08, used only for this queue&apos;s notifications. Then press OK.</translation>
    </message>
    <message>
        <source>Tidak usah</source>
        <translation>No, thanks</translation>
    </message>
    <message>
        <source>Punya kode janji?</source>
        <translation>Have a booking code?</translation>
    </message>
    <message>
        <source>Ketik kode janji Anda</source>
        <translation>Type your booking code</translation>
    </message>
    <message>
        <source>Memeriksa kode janji…</source>
        <translation>Checking the booking code…</translation>
    </message>
    <message>
        <source>Anda punya janji pukul {time} untuk {service}</source>
        <translation>You have an appointment at {time} for {service}</translation>
    </message>
    <message>
        <source>Hari ini, {time}–{end}</source>
        <translation>Today, {time}–{end}</translation>
    </message>
    <message>
        <source>Kode janji: {code}</source>
        <translation>Booking code: {code}</translation>
    </message>
    <message>
        <source>Dokter: {doctor}, jam praktik {hours}</source>
        <translation>Doctor: {doctor}, hours {hours}</translation>
    </message>
    <message>
        <source>Dokter: {doctor}</source>
        <translation>Doctor: {doctor}</translation>
    </message>
    <message>
        <source>Sentuh Check-in untuk mencetak tiket antrean Anda.</source>
        <translation>Touch Check in to print your queue ticket.</translation>
    </message>
    <message>
        <source>Check-in, cetak tiket</source>
        <translation>Check in, print ticket</translation>
    </message>
    <message>
        <source>Layanan lain</source>
        <translation>Other services</translation>
    </message>
    <message>
        <source>Pesan singkat saat pengaduan Anda sudah dijawab.</source>
        <translation>A short message when your complaint has been answered.</translation>
    </message>
    <message>
        <source>Jika tidak dijawab, pengaduan dikirim tanpa pemberitahuan.</source>
        <translation>If you do not answer, the complaint is sent without notifications.</translation>
    </message>
    <message>
        <source>Diawali 08, hanya untuk pemberitahuan pengaduan ini. Lalu tekan OK.</source>
        <translation>Starting with 08, only for notifications about this complaint. Then press OK.</translation>
    </message>
    <message>
        <source>Tekan {yes} atau {no}.</source>
        <translation>Press {yes} or {no}.</translation>
    </message>
    <message>
        <source>Kategori belum dipilih.</source>
        <translation>No category is chosen yet.</translation>
    </message>
    <message>
        <source>Silakan catat atau foto nomor referensi ini.</source>
        <translation>Please write down or take a photo of this reference number.</translation>
    </message>
    <message>
        <source>{name}, {specialty}</source>
        <translation>{name}, {specialty}</translation>
    </message>
    <message>
        <source>Diperbarui {date} pukul {time}</source>
        <translation>Updated {date} at {time}</translation>
    </message>
    <message>
        <source>Data ini tidak dapat dimuat saat ini.</source>
        <translation>This information cannot be loaded right now.</translation>
    </message>
    <message>
        <source>{title}: {state}</source>
        <translation>{title}: {state}</translation>
    </message>
    <message>
        <source>siap diambil</source>
        <translation>ready to collect</translation>
    </message>
    <message>
        <source>ditolak, silakan tanya petugas</source>
        <translation>rejected, please ask an officer</translation>
    </message>
    <message>
        <source>ditunda, lihat catatan atau tanya petugas</source>
        <translation>on hold, see the note or ask an officer</translation>
    </message>
    <message>
        <source>PIN salah.</source>
        <translation>Wrong PIN.</translation>
    </message>
    <message>
        <source>Sisa percobaan: {tries}.</source>
        <translation>Tries left: {tries}.</translation>
    </message>
    <message>
        <source>Terlalu banyak percobaan.</source>
        <translation>Too many tries.</translation>
    </message>
    <message>
        <source>Coba lagi dalam {seconds} detik.</source>
        <translation>Try again in {seconds} seconds.</translation>
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
        <source>{task} {result} pukul {time}</source>
        <translation>{task} {result} at {time}</translation>
    </message>
    <message>
        <source>(terakhir berhasil pukul {time})</source>
        <translation>(last succeeded at {time})</translation>
    </message>
    <message>
        <source>pendaftaran kiosk</source>
        <translation>kiosk enrolment</translation>
    </message>
    <message>
        <source>katalog dan daftar kepercayaan</source>
        <translation>catalog and trust list</translation>
    </message>
    <message>
        <source>pengiriman data</source>
        <translation>sending data</translation>
    </message>
    <message>
        <source>janji temu</source>
        <translation>appointments</translation>
    </message>
    <message>
        <source>jadwal dokter</source>
        <translation>doctors&apos; schedules</translation>
    </message>
    <message>
        <source>nomor sewaan</source>
        <translation>leased numbers</translation>
    </message>
    <message>
        <source>laporan kondisi</source>
        <translation>health report</translation>
    </message>
    <message>
        <source>berhasil</source>
        <translation>succeeded</translation>
    </message>
    <message>
        <source>gagal</source>
        <translation>failed</translation>
    </message>
    <message>
        <source>ditolak</source>
        <translation>refused</translation>
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
        <source>Tiket hari ini tanpa kertas: {tickets}</source>
        <translation>Today&apos;s tickets without paper: {tickets}</translation>
    </message>
    <message>
        <source>{number} ({why})</source>
        <translation>{number} ({why})</translation>
    </message>
    <message>
        <source>{named} dan {more} lagi</source>
        <translation>{named} and {more} more</translation>
    </message>
    <message>
        <source>sesi sudah berakhir</source>
        <translation>session had ended</translation>
    </message>
    <message>
        <source>tidak diketahui, kiosk sempat mati</source>
        <translation>not known, the kiosk stopped</translation>
    </message>
    <message>
        <source>kertas habis</source>
        <translation>out of paper</translation>
    </message>
    <message>
        <source>printer mati</source>
        <translation>printer off</translation>
    </message>
    <message>
        <source>printer tidak ditemukan</source>
        <translation>printer not found</translation>
    </message>
    <message>
        <source>printer tidak menjawab</source>
        <translation>printer did not answer</translation>
    </message>
    <message>
        <source>gagal mencetak</source>
        <translation>printing failed</translation>
    </message>
    <message>
        <source>Suara: {state}</source>
        <translation>Speech: {state}</translation>
    </message>
    <message>
        <source>dimatikan di pengaturan</source>
        <translation>turned off in the settings</translation>
    </message>
    <message>
        <source>belum diperiksa</source>
        <translation>not checked yet</translation>
    </message>
    <message>
        <source>espeak-ng tidak terpasang</source>
        <translation>espeak-ng is not installed</translation>
    </message>
    <message>
        <source>tidak ada keluaran audio</source>
        <translation>no audio output</translation>
    </message>
    <message>
        <source>siap</source>
        <translation>ready</translation>
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
        <source>{number} · {time} · {service}</source>
        <translation>{number} · {time} · {service}</translation>
    </message>
    <message>
        <source>{row} · tanpa kertas ({why})</source>
        <translation>{row} · no paper ({why})</translation>
    </message>
    <message>
        <source>Belum ada pendaftaran</source>
        <translation>No registrations yet</translation>
    </message>
    <message>
        <source>Cari pasien (F2)</source>
        <translation>Find a patient (F2)</translation>
    </message>
    <message>
        <source>Cari dengan</source>
        <translation>Find by</translation>
    </message>
    <message>
        <source>Nomor atau nama</source>
        <translation>Number or name</translation>
    </message>
    <message>
        <source>Tanggal lahir (HH-BB-TTTT)</source>
        <translation>Date of birth (DD-MM-YYYY)</translation>
    </message>
    <message>
        <source>No. RM</source>
        <translation>MR no.</translation>
    </message>
    <message>
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <source>No. kartu BPJS</source>
        <translation>BPJS card no.</translation>
    </message>
    <message>
        <source>Nama dan tanggal lahir</source>
        <translation>Name and date of birth</translation>
    </message>
    <message>
        <source>Cari (Enter)</source>
        <translation>Find (Enter)</translation>
    </message>
    <message>
        <source>Pasien</source>
        <translation>Patient</translation>
    </message>
    <message>
        <source>Nama</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Jenis kelamin</source>
        <translation>Sex</translation>
    </message>
    <message>
        <source>Laki-laki</source>
        <translation>Male</translation>
    </message>
    <message>
        <source>Perempuan</source>
        <translation>Female</translation>
    </message>
    <message>
        <source>No. HP</source>
        <translation>Mobile no.</translation>
    </message>
    <message>
        <source>Alamat</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Pasien baru (F3)</source>
        <translation>New patient (F3)</translation>
    </message>
    <message>
        <source>Simpan pasien baru</source>
        <translation>Save new patient</translation>
    </message>
    <message>
        <source>Kunjungan</source>
        <translation>Visit</translation>
    </message>
    <message>
        <source>Poli</source>
        <translation>Clinic</translation>
    </message>
    <message>
        <source>Dokter</source>
        <translation>Doctor</translation>
    </message>
    <message>
        <source>Penjamin</source>
        <translation>Payer</translation>
    </message>
    <message>
        <source>JKN (BPJS)</source>
        <translation>JKN (BPJS)</translation>
    </message>
    <message>
        <source>Umum (bayar sendiri)</source>
        <translation>General (self-paying)</translation>
    </message>
    <message>
        <source>No. rujukan</source>
        <translation>Referral no.</translation>
    </message>
    <message>
        <source>Jenis kunjungan</source>
        <translation>Kind of visit</translation>
    </message>
    <message>
        <source>Rujukan FKTP</source>
        <translation>Primary care referral</translation>
    </message>
    <message>
        <source>Rujukan internal</source>
        <translation>Internal referral</translation>
    </message>
    <message>
        <source>Kontrol</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>Rujukan antar RS</source>
        <translation>Hospital-to-hospital referral</translation>
    </message>
    <message>
        <source>Daftarkan kunjungan (Ctrl+Enter)</source>
        <translation>Register the visit (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Cetak ulang (F5)</source>
        <translation>Reprint (F5)</translation>
    </message>
    <message>
        <source>Alasan pembatalan</source>
        <translation>Reason for cancelling</translation>
    </message>
    <message>
        <source>Batalkan pendaftaran (F8)</source>
        <translation>Cancel registration (F8)</translation>
    </message>
    <message>
        <source>{name} · {starts}–{ends} · sisa JKN {jkn}, non-JKN {non_jkn}</source>
        <translation>{name} · {starts}–{ends} · left JKN {jkn}, non-JKN {non_jkn}</translation>
    </message>
    <message>
        <source>Praktik {starts}–{ends} · sisa kuota JKN {jkn} · sisa kuota non-JKN {non_jkn}</source>
        <translation>Hours {starts}–{ends} · JKN quota left {jkn} · non-JKN quota left {non_jkn}</translation>
    </message>
    <message>
        <source>{name} · {starts}–{ends} · kuota penuh</source>
        <translation>{name} · {starts}–{ends} · quota full</translation>
    </message>
    <message>
        <source>{name} · {starts}–{ends} · praktik sudah selesai</source>
        <translation>{name} · {starts}–{ends} · hours over</translation>
    </message>
    <message>
        <source>{norm} · {name} · {birth}</source>
        <translation>{norm} · {name} · {birth}</translation>
    </message>
    <message>
        <source>{row} · pembatalan menunggu dikirim</source>
        <translation>{row} · cancel waiting to be sent</translation>
    </message>
    <message>
        <source>{row} · dibatalkan</source>
        <translation>{row} · cancelled</translation>
    </message>
    <message>
        <source>{row} · tidak dibatalkan: sudah dilayani</source>
        <translation>{row} · not cancelled: already served</translation>
    </message>
    <message>
        <source>{row} · tidak dibatalkan: bukan kunjungan poli</source>
        <translation>{row} · not cancelled: not a poli visit</translation>
    </message>
    <message>
        <source>{row} · pembatalan ditolak server</source>
        <translation>{row} · cancel refused by the server</translation>
    </message>
    <message>
        <source>Mencari…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <source>Terlalu banyak hasil, persempit pencarian (nama lebih lengkap).</source>
        <translation>Too many patients match: narrow the search (more of the name).</translation>
    </message>
    <message>
        <source>Pasien tidak ditemukan. Periksa nomor, nama, atau tanggal lahir.</source>
        <translation>Patient not found. Check the number, name or date of birth.</translation>
    </message>
    <message>
        <source>No. RM hanya angka, 1 sampai 10 digit.</source>
        <translation>An MR no. is 1 to 10 digits.</translation>
    </message>
    <message>
        <source>NIK harus 16 angka.</source>
        <translation>A NIK has 16 digits.</translation>
    </message>
    <message>
        <source>No. kartu BPJS harus 13 angka.</source>
        <translation>A BPJS card no. has 13 digits.</translation>
    </message>
    <message>
        <source>Tulis nama pasien (2 sampai 100 huruf).</source>
        <translation>Type the patient&apos;s name (2 to 100 letters).</translation>
    </message>
    <message>
        <source>Tulis tanggal lahir sebagai HH-BB-TTTT, mis. 12-03-1985.</source>
        <translation>Type the date of birth as DD-MM-YYYY, e.g. 12-03-1985.</translation>
    </message>
    <message>
        <source>Pilih jenis kelamin.</source>
        <translation>Choose the sex.</translation>
    </message>
    <message>
        <source>NIK tidak sah: periksa ke-16 angkanya (kode wilayah, tanggal lahir).</source>
        <translation>The NIK cannot exist: check its 16 digits (region codes, date of birth).</translation>
    </message>
    <message>
        <source>Tanggal lahir tidak mungkin: antara 1900 dan hari ini (tahun 4 angka).</source>
        <translation>That date of birth is not possible: between 1900 and today (a 4-digit year).</translation>
    </message>
    <message>
        <source>Tanggal lahir atau jenis kelamin tidak sesuai NIK.</source>
        <translation>The date of birth or sex does not agree with the NIK.</translation>
    </message>
    <message>
        <source>Server menolak data pasien ini: {reason} Muat data pasien (F2) atau perbaiki isian.</source>
        <translation>The server refused this patient&apos;s data: {reason} Load the patient&apos;s record (F2) or correct the fields.</translation>
    </message>
    <message>
        <source>Server menolak data pasien ini. Muat data pasien (F2) atau perbaiki isian.</source>
        <translation>The server refused this patient&apos;s data. Load the patient&apos;s record (F2) or correct the fields.</translation>
    </message>
    <message>
        <source>Pilih jenis kunjungan.</source>
        <translation>Choose the kind of visit.</translation>
    </message>
    <message>
        <source>No. rujukan paling panjang 64 karakter.</source>
        <translation>A referral no. has at most 64 characters.</translation>
    </message>
    <message>
        <source>Pasien JKN perlu No. kartu BPJS.</source>
        <translation>A JKN patient needs a BPJS card no.</translation>
    </message>
    <message>
        <source>Pasien JKN perlu No. rujukan.</source>
        <translation>A JKN patient needs a referral no.</translation>
    </message>
    <message>
        <source>Pasien baru: isi data, lalu Simpan pasien baru.</source>
        <translation>New patient: fill in the details, then Save new patient.</translation>
    </message>
    <message>
        <source>Pasien ini sudah punya No. RM {norm}.</source>
        <translation>This patient already has MR no. {norm}.</translation>
    </message>
    <message>
        <source>Menyimpan…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>Pasien tersimpan dengan No. RM {norm}.</source>
        <translation>Patient saved with MR no. {norm}.</translation>
    </message>
    <message>
        <source>Pasien tersimpan dengan No. RM {norm}, tetapi isian sudah diubah sejak dikirim. Periksa isian, lalu cari pasien itu.</source>
        <translation>Patient saved with MR no. {norm}, but the fields were changed since it was sent. Check the fields, then search for that patient.</translation>
    </message>
    <message>
        <source>Permintaan sebelumnya masih dikirim. Tunggu jawabannya, lalu coba lagi.</source>
        <translation>The previous request is still being sent. Wait for its answer, then try again.</translation>
    </message>
    <message>
        <source>Daftar dokter hari ini tidak dapat diambil dari server.</source>
        <translation>Today&apos;s doctors could not be fetched from the server.</translation>
    </message>
    <message>
        <source>Cari pasien atau simpan pasien baru dulu.</source>
        <translation>Find a patient or save a new one first.</translation>
    </message>
    <message>
        <source>Pilih poli dan dokter yang masih punya kuota.</source>
        <translation>Choose a clinic and a doctor with quota left.</translation>
    </message>
    <message>
        <source>Mendaftarkan…</source>
        <translation>Registering…</translation>
    </message>
    <message>
        <source>Nomor antrean {number} · antrean poli {antrean} · perkiraan dilayani {time}</source>
        <translation>Queue number {number} · clinic queue {antrean} · estimated at {time}</translation>
    </message>
    <message>
        <source>Nomor antrean {number} (luring: kuota diperiksa server nanti)</source>
        <translation>Queue number {number} (offline: the server checks the quota later)</translation>
    </message>
    <message>
        <source>Nomor antrean {number} · perkiraan dilayani {time} (luring: kuota diperiksa server nanti)</source>
        <translation>Queue number {number} · estimated time {time} (offline: the server checks the quota later)</translation>
    </message>
    <message>
        <source>Tidak tercetak: periksa printer, lalu Cetak ulang (F5).</source>
        <translation>Not printed: check the printer, then Reprint (F5).</translation>
    </message>
    <message>
        <source>Belum ada pendaftaran hari ini.</source>
        <translation>No registrations today yet.</translation>
    </message>
    <message>
        <source>Nomor {number} dicetak ulang.</source>
        <translation>Number {number} reprinted.</translation>
    </message>
    <message>
        <source>Batalkan {number}: tulis alasan, lalu Enter.</source>
        <translation>Cancel {number}: type the reason, then Enter.</translation>
    </message>
    <message>
        <source>Tulis alasan pembatalan.</source>
        <translation>Type the reason for cancelling.</translation>
    </message>
    <message>
        <source>Pendaftaran {number} sudah dibatalkan sebelumnya.</source>
        <translation>Registration {number} was already cancelled.</translation>
    </message>
    <message>
        <source>Kuota dokter ini sudah habis. Pilih dokter lain.</source>
        <translation>This doctor&apos;s quota is full. Choose another doctor.</translation>
    </message>
    <message>
        <source>Dokter ini tidak praktik hari ini. Pilih dokter lain.</source>
        <translation>This doctor is not practising today. Choose another doctor.</translation>
    </message>
    <message>
        <source>Praktik dokter ini hari ini sudah selesai. Pilih dokter lain.</source>
        <translation>This doctor&apos;s hours are over for today. Choose another doctor.</translation>
    </message>
    <message>
        <source>Pasien sudah terdaftar di poli ini hari ini. Tidak ada nomor yang diambil; periksa kunjungan hari ini.</source>
        <translation>The patient is already registered at this clinic today. No number was taken; check today&apos;s visits.</translation>
    </message>
    <message>
        <source>No. RM, kartu BPJS, NIK, nama atau tanggal lahir tidak menunjuk pasien yang sama. Tidak ada nomor yang diambil; periksa data pasien.</source>
        <translation>The MR number, BPJS card, NIK, name or date of birth do not name the same patient. No number was taken; check the patient&apos;s details.</translation>
    </message>
    <message>
        <source>NIK atau tanggal lahir pasien tidak sah. Tidak ada nomor yang diambil; periksa data pasien.</source>
        <translation>The patient&apos;s NIK or date of birth is not valid. No number was taken; check the patient&apos;s details.</translation>
    </message>
    <message>
        <source>Terlalu banyak pencarian. Tunggu sebentar, lalu coba lagi.</source>
        <translation>Too many searches. Wait a moment, then try again.</translation>
    </message>
    <message>
        <source>Server tidak dapat dihubungi. Coba lagi sebentar lagi.</source>
        <translation>The server cannot be reached. Try again shortly.</translation>
    </message>
    <message>
        <source>Server tidak dapat dihubungi. Kunjungan tetap bisa didaftarkan: F3, ketik NIK, nama, tanggal lahir (dan No. kartu BPJS), lalu Ctrl+Enter.</source>
        <translation>The server cannot be reached. The visit can still be registered: F3, type the NIK, name, date of birth (and BPJS card number), then Ctrl+Enter.</translation>
    </message>
    <message>
        <source>Server menolak permintaan ini. Periksa data yang diisi.</source>
        <translation>The server refused this request. Check the details entered.</translation>
    </message>
    <message>
        <source>Data tidak dapat dipakai. Periksa isian.</source>
        <translation>The details cannot be used. Check what was entered.</translation>
    </message>
    <message>
        <source>Server menolak: kiosk ini tidak didaftarkan petugas sebagai meja pendaftaran, jadi tidak mencari nama dan tidak menambah pasien baru. Minta admin kode pendaftaran untuk meja.</source>
        <translation>The server refused: staff did not enrol this kiosk as the registration desk, so it neither searches names nor adds new patients. Ask the admin for a desk enrolment code.</translation>
    </message>
    <message>
        <source>Gagal. Coba lagi; bila berulang, hubungi petugas TI.</source>
        <translation>Failed. Try again; if it happens again, call IT staff.</translation>
    </message>
    <message>
        <source>Kartu tidak dapat dipakai di sini: cari pasien dengan nomor.</source>
        <translation>This card cannot be used here: find the patient by number.</translation>
    </message>
    <message>
        <source>Pemegang kartu belum terdaftar: periksa data, lalu Simpan pasien baru.</source>
        <translation>The card holder is not registered yet: check the details, then Save new patient.</translation>
    </message>
    <message>
        <source>Kartu tidak dapat dibaca.</source>
        <translation>The card cannot be read.</translation>
    </message>
    <message>
        <source>Kartu terangkat terlalu cepat.</source>
        <translation>The card was lifted too soon.</translation>
    </message>
    <message>
        <source>Kartu ini tidak dikenali anjungan.</source>
        <translation>This kiosk does not know this card.</translation>
    </message>
    <message>
        <source>Pembaca kartu sedang tidak berjalan.</source>
        <translation>The card reader is not working right now.</translation>
    </message>
    <message>
        <source>Pembaca kartu tidak terhubung.</source>
        <translation>The card reader is not connected.</translation>
    </message>
    <message>
        <source>Pembacaan kartu terlalu lama.</source>
        <translation>Reading the card took too long.</translation>
    </message>
    <message>
        <source>Data kartu tidak sah.</source>
        <translation>The data on the card is not valid.</translation>
    </message>
    <message>
        <source>Kartu tidak dikenali. Kartu ini bukan terbitan kota yang dikenal anjungan.</source>
        <translation>Card not recognised. It was not issued by a city this kiosk knows.</translation>
    </message>
    <message>
        <source>Kartu sudah kedaluwarsa.</source>
        <translation>The card has expired.</translation>
    </message>
    <message>
        <source>Kartu belum berlaku.</source>
        <translation>The card is not valid yet.</translation>
    </message>
    <message>
        <source>Kartu ini diblokir.</source>
        <translation>This card is blocked.</translation>
    </message>
    <message>
        <source>Kartu diduga hasil salinan.</source>
        <translation>The card looks like a copy.</translation>
    </message>
    <message>
        <source>Data kartu tidak cocok dengan NIK.</source>
        <translation>The card data does not match its NIK.</translation>
    </message>
    <message>
        <source>Penyimpanan anjungan penuh. Permintaan Anda belum tersimpan.</source>
        <translation>The kiosk&apos;s storage is full. Your request was not saved.</translation>
    </message>
    <message>
        <source>Terjadi gangguan sistem. Permintaan Anda belum tersimpan.</source>
        <translation>Something went wrong in the system. Your request was not saved.</translation>
    </message>
    <message>
        <source>Anjungan belum dapat memastikan permintaan Anda tersimpan.</source>
        <translation>The kiosk cannot yet confirm that your request was saved.</translation>
    </message>
    <message>
        <source>Daftar layanan belum tersedia.</source>
        <translation>The list of services is not available yet.</translation>
    </message>
    <message>
        <source>Tiket ini tidak ditemukan.</source>
        <translation>This ticket was not found.</translation>
    </message>
    <message>
        <source>Tanggal itu tidak ada.</source>
        <translation>That date does not exist.</translation>
    </message>
    <message>
        <source>Tanggal lahir belum cocok.</source>
        <translation>The date of birth does not match.</translation>
    </message>
    <message>
        <source>Tanggal lahir tidak cocok.</source>
        <translation>The date of birth did not match.</translation>
    </message>
    <message>
        <source>Terlalu banyak percobaan untuk kartu ini.</source>
        <translation>Too many tries for this card.</translation>
    </message>
    <message>
        <source>Data kota tidak dapat diperiksa saat ini.</source>
        <translation>The city&apos;s records cannot be checked right now.</translation>
    </message>
    <message>
        <source>Isi pengaduan masih kosong.</source>
        <translation>The complaint is still empty.</translation>
    </message>
    <message>
        <source>Nomor HP itu tidak dapat dipakai.</source>
        <translation>That mobile number cannot be used.</translation>
    </message>
    <message>
        <source>Terjadi gangguan.</source>
        <translation>Something went wrong.</translation>
    </message>
    <message>
        <source>Kode itu belum lengkap atau ada angka yang salah ketik.</source>
        <translation>That code is incomplete or has a mistyped digit.</translation>
    </message>
    <message>
        <source>Kode janji ini tidak ditemukan.</source>
        <translation>This booking code was not found.</translation>
    </message>
    <message>
        <source>Janji Anda untuk {day}, pukul {time}, bukan hari ini.</source>
        <translation>Your appointment is on {day} at {time}, not today.</translation>
    </message>
    <message>
        <source>Janji ini di kantor lain: {office}.</source>
        <translation>This appointment is at another office: {office}.</translation>
    </message>
    <message>
        <source>Anda sudah check-in untuk janji pukul {time}.</source>
        <translation>You have already checked in for your {time} appointment.</translation>
    </message>
    <message>
        <source>Janji pukul {time} sudah dibatalkan.</source>
        <translation>The {time} appointment was cancelled.</translation>
    </message>
    <message>
        <source>Waktu janji pukul {time} sudah lewat.</source>
        <translation>The time of your {time} appointment has passed.</translation>
    </message>
    <message>
        <source>Layanan janji Anda tidak tersedia di anjungan ini.</source>
        <translation>Your appointment&apos;s service is not offered at this kiosk.</translation>
    </message>
    <message>
        <source>Kode janji tidak dapat diperiksa saat ini.</source>
        <translation>The booking code cannot be checked right now.</translation>
    </message>
    <message>
        <source>Periksa lagi kodenya (9 angka), lalu ketik ulang.</source>
        <translation>Check the code (9 digits) and type it again.</translation>
    </message>
    <message>
        <source>Silakan datang pada hari itu, atau ambil antrean biasa dengan kartu Anda.</source>
        <translation>Please come on that day, or take a regular ticket with your card.</translation>
    </message>
    <message>
        <source>Silakan datang ke kantor itu, atau tanya petugas di {desk}.</source>
        <translation>Please go to that office, or ask the staff at {desk}.</translation>
    </message>
    <message>
        <source>Tiket Anda sudah dicetak. Jika hilang, tanya petugas di {desk}.</source>
        <translation>Your ticket was printed. If you lost it, ask the staff at {desk}.</translation>
    </message>
    <message>
        <source>Silakan ambil antrean biasa, atau buat janji baru.</source>
        <translation>Please take a regular ticket, or make a new booking.</translation>
    </message>
    <message>
        <source>Silakan ke {desk} dengan halaman janji Anda, petugas akan membantu.</source>
        <translation>Please go to {desk} with your booking&apos;s page; the staff will help you.</translation>
    </message>
    <message>
        <source>loket {counter}</source>
        <translation>counter {counter}</translation>
    </message>
    <message>
        <source>loket informasi</source>
        <translation>the information desk</translation>
    </message>
    <message>
        <source>Silakan bawa kartu Anda ke {desk}.</source>
        <translation>Please take your card to {desk}.</translation>
    </message>
    <message>
        <source>Silakan ke {desk} untuk perpanjang.</source>
        <translation>Please go to {desk} to renew it.</translation>
    </message>
    <message>
        <source>Silakan tempelkan kartu sekali lagi. Jika tetap gagal, silakan ke {desk}.</source>
        <translation>Please tap your card once more. If it still fails, please go to {desk}.</translation>
    </message>
    <message>
        <source>Tempelkan kartu lagi dan tahan sampai selesai dibaca.</source>
        <translation>Tap your card again and hold it there until it has been read.</translation>
    </message>
    <message>
        <source>Silakan minta bantuan petugas di {desk}.</source>
        <translation>Please ask the staff at {desk} for help.</translation>
    </message>
    <message>
        <source>Jangan mengulang dulu. Silakan tanya petugas di {desk}.</source>
        <translation>Do not try again yet. Please ask the staff at {desk}.</translation>
    </message>
    <message>
        <source>Silakan pilih layanan lain, atau tanya petugas di {desk}.</source>
        <translation>Please choose another service, or ask the staff at {desk}.</translation>
    </message>
    <message>
        <source>Ketik 8 angka: tanggal, bulan, tahun.</source>
        <translation>Type 8 digits: day, month, year.</translation>
    </message>
    <message>
        <source>Silakan coba sekali lagi.</source>
        <translation>Please try once more.</translation>
    </message>
    <message>
        <source>Ketik nomor HP yang diawali 08, 10 sampai 13 angka.</source>
        <translation>Type a mobile number starting with 08, 10 to 13 digits.</translation>
    </message>
    <message>
        <source>Silakan isi formulir sendiri.</source>
        <translation>Please fill in the form yourself.</translation>
    </message>
    <message>
        <source>Tulis isi pengaduan Anda, lalu tekan Kirim pengaduan.</source>
        <translation>Write your complaint, then press Send complaint.</translation>
    </message>
    <message>
        <source>Pilih salah satu kategori di atas.</source>
        <translation>Choose one of the categories above.</translation>
    </message>
    <message>
        <source>Silakan coba lagi, atau tanya petugas di {desk}.</source>
        <translation>Please try again, or ask the staff at {desk}.</translation>
    </message>
    <message>
        <source>Silakan coba lagi nanti, atau tanya petugas di {desk}.</source>
        <translation>Please try again later, or ask the staff at {desk}.</translation>
    </message>
    <message>
        <source>Silakan tanya petugas di {desk}.</source>
        <translation>Please ask the staff at {desk}.</translation>
    </message>
    <message>
        <source>Silakan ke {desk}, petugas akan melayani Anda.</source>
        <translation>Please go to {desk}, where the staff will serve you.</translation>
    </message>
    <message>
        <source>Coba lagi</source>
        <translation>Try again</translation>
    </message>
    <message>
        <source>Tiket tidak dapat dicetak.</source>
        <translation>The ticket cannot be printed.</translation>
    </message>
    <message>
        <source>Printer tiket mungkin bermasalah.</source>
        <translation>The ticket printer may have a problem.</translation>
    </message>
    <message>
        <source>Bukti pengaduan tidak dapat dicetak.</source>
        <translation>The complaint receipt cannot be printed.</translation>
    </message>
    <message>
        <source>Gambar: kartu dengan tanda silang</source>
        <translation>Picture: a card with a cross</translation>
    </message>
    <message>
        <source>Gambar: jam</source>
        <translation>Picture: a clock</translation>
    </message>
    <message>
        <source>Gambar: steker terlepas</source>
        <translation>Picture: a plug pulled out</translation>
    </message>
    <message>
        <source>Gambar: printer</source>
        <translation>Picture: a printer</translation>
    </message>
    <message>
        <source>Gambar: gembok</source>
        <translation>Picture: a padlock</translation>
    </message>
    <message>
        <source>Gambar: pensil</source>
        <translation>Picture: a pencil</translation>
    </message>
    <message>
        <source>Gambar: tanda peringatan</source>
        <translation>Picture: a warning sign</translation>
    </message>
    <message>
        <source>Gambar: tanda centang</source>
        <translation>Picture: a tick</translation>
    </message>
    <message>
        <source>Gambar: kartu di atas pembaca kartu</source>
        <translation>Picture: a card over the card reader</translation>
    </message>
    <message>
        <source>Kode QR status antrean</source>
        <translation>QR code of your queue status</translation>
    </message>
    <message>
        <source>Daftar, geser untuk melihat semua</source>
        <translation>List, swipe to see all of it</translation>
    </message>
    <message>
        <source>huruf besar</source>
        <translation>capital letter</translation>
    </message>
    <message>
        <source>hapus</source>
        <translation>delete</translation>
    </message>
    <message>
        <source>spasi</source>
        <translation>space</translation>
    </message>
    <message>
        <source>koma</source>
        <translation>comma</translation>
    </message>
    <message>
        <source>titik</source>
        <translation>full stop</translation>
    </message>
    <message>
        <source>tanda hubung</source>
        <translation>hyphen</translation>
    </message>
    <message>
        <source>garis miring</source>
        <translation>slash</translation>
    </message>
    <message>
        <source>tanda et</source>
        <translation>at sign</translation>
    </message>
    <message>
        <source>apostrof</source>
        <translation>apostrophe</translation>
    </message>
    <message>
        <source>tanda tambah</source>
        <translation>plus</translation>
    </message>
    <message>
        <source>Layanan ini sedang tidak tersedia.</source>
        <translation>This service is not available right now.</translation>
    </message>
    <message>
        <source>Pasien berikutnya (F9)</source>
        <translation>Next patient (F9)</translation>
    </message>
    <message>
        <source>Pembatalan {number} menunggu dikirim ke server.</source>
        <translation>The cancel of {number} is waiting to be sent to the server.</translation>
    </message>
    <message>
        <source>Layanan ini memerlukan kartu warga yang terverifikasi.</source>
        <translation>This service needs a verified citizen card.</translation>
    </message>
    <message>
        <source>Terlalu banyak kode janji yang salah.</source>
        <translation>Too many wrong booking codes.</translation>
    </message>
    <message>
        <source>Langkah {n} dari {total}</source>
        <translation>Step {n} of {total}</translation>
    </message>
    <message>
        <source>Belum ada antrean</source>
        <translation>No one in the queue yet</translation>
    </message>
    <message>
        <source>Sedang dilayani: {serving} · {waiting} orang menunggu</source>
        <translation>Now serving: {serving} · {waiting} waiting</translation>
    </message>
    <message>
        <source>Sedang dilayani: {serving} · tidak ada yang menunggu</source>
        <translation>Now serving: {serving} · no one waiting</translation>
    </message>
    <message>
        <source>{waiting} orang menunggu · belum ada yang dilayani</source>
        <translation>{waiting} waiting · no one served yet</translation>
    </message>
    <message>
        <source>Keadaan antrean belum dapat dilihat</source>
        <translation>The queue cannot be seen right now</translation>
    </message>
    <message>
        <source>{queue} · sekitar {minutes} menit</source>
        <translation>{queue} · about {minutes} minutes</translation>
    </message>
    <message>
        <source>Di ruang {room}, pukul {start} sampai {until}</source>
        <translation>In room {room}, from {start} to {until}</translation>
    </message>
    <message>
        <source>Di ruang {room}</source>
        <translation>In room {room}</translation>
    </message>
    <message>
        <source>Pukul {start} sampai {until}</source>
        <translation>From {start} to {until}</translation>
    </message>
    <message>
        <source>Nomor berkas: {reference}</source>
        <translation>File number: {reference}</translation>
    </message>
    <message>
        <source>Silakan ke Loket {counter}</source>
        <translation>Please go to counter {counter}</translation>
    </message>
    <message>
        <source>Anda isi</source>
        <translation>filled in by you</translation>
    </message>
    <message>
        <source>Ketuk untuk memilih</source>
        <translation>Tap to choose</translation>
    </message>
    <message>
        <source>Cek berkas dan pengaduan</source>
        <translation>Document status and complaints</translation>
    </message>
    <message>
        <source>Lihat apakah berkas Anda sudah selesai</source>
        <translation>See at once whether your document is ready</translation>
    </message>
    <message>
        <source>Tulis keluhan Anda tentang layanan</source>
        <translation>Write your complaint about a service</translation>
    </message>
    <message>
        <source>Pilih dokter — {poli}</source>
        <translation>Choose a doctor — {poli}</translation>
    </message>
    <message>
        <source>Dokter yang praktik hari ini, dengan jam praktik dan sisa kuota</source>
        <translation>Doctors seeing patients today, with their hours and places left</translation>
    </message>
    <message>
        <source>Jam praktik {starts}–{ends}</source>
        <translation>Hours {starts}–{ends}</translation>
    </message>
    <message>
        <source>Sisa kuota: JKN {jkn}, umum {umum}</source>
        <translation>Places left: JKN {jkn}, paying {umum}</translation>
    </message>
    <message>
        <source>Penuh</source>
        <translation>Full</translation>
    </message>
    <message>
        <source>Praktik sudah selesai</source>
        <translation>Hours over for today</translation>
    </message>
    <message>
        <source>Bagaimana Anda membayar?</source>
        <translation>How will you pay?</translation>
    </message>
    <message>
        <source>JKN (BPJS Kesehatan)</source>
        <translation>JKN (BPJS health insurance)</translation>
    </message>
    <message>
        <source>Sisa {n} tempat</source>
        <translation>{n} places left</translation>
    </message>
    <message>
        <source>Tanpa kartu? Cari dengan No. RM, kartu BPJS atau NIK</source>
        <translation>No card? Find your record by medical record no., BPJS card or NIK</translation>
    </message>
    <message>
        <source>Cari data pasien</source>
        <translation>Find your patient record</translation>
    </message>
    <message>
        <source>Kartu BPJS</source>
        <translation>BPJS card</translation>
    </message>
    <message>
        <source>Ketik nomor rekam medis (No. RM) Anda</source>
        <translation>Type your medical record number (No. RM)</translation>
    </message>
    <message>
        <source>Ketik 13 angka nomor kartu BPJS Kesehatan Anda</source>
        <translation>Type the 13 digits of your BPJS Kesehatan card</translation>
    </message>
    <message>
        <source>Ketik 16 angka NIK Anda</source>
        <translation>Type the 16 digits of your NIK</translation>
    </message>
    <message>
        <source>Ketik tanggal lahir Anda</source>
        <translation>Type your date of birth</translation>
    </message>
    <message>
        <source>Tanggal, bulan, tahun (HH BB TTTT)</source>
        <translation>Day, month, year (DD MM YYYY)</translation>
    </message>
    <message>
        <source>Mencari data pasien…</source>
        <translation>Finding your record…</translation>
    </message>
    <message>
        <source>Dokter: {name}</source>
        <translation>Doctor: {name}</translation>
    </message>
    <message>
        <source>Nomor antrean poli: {nomor}</source>
        <translation>Clinic queue number: {nomor}</translation>
    </message>
    <message>
        <source>Perkiraan dilayani pukul {time}</source>
        <translation>Estimated time: {time}</translation>
    </message>
    <message>
        <source>Tidak ada dokter yang praktik di poli ini hari ini.</source>
        <translation>No doctor sees patients at this clinic today.</translation>
    </message>
    <message>
        <source>Data Anda sedang diambil dari kota.</source>
        <translation>Your details are being fetched from the city.</translation>
    </message>
    <message>
        <source>Tunggu sebentar, langkah berikutnya segera muncul.</source>
        <translation>Please wait a moment, the next step will appear shortly.</translation>
    </message>
    <message>
        <source>Memuat data Anda…</source>
        <translation>Loading your details…</translation>
    </message>
    <message>
        <source>Maaf, dokter ini tidak praktik hari ini. Daftar dokter sudah diperbarui.</source>
        <translation>Sorry, this doctor is not practising today. The list of doctors has been updated.</translation>
    </message>
    <message>
        <source>Maaf, praktik dokter ini hari ini sudah selesai.</source>
        <translation>Sorry, this doctor&apos;s hours today are over.</translation>
    </message>
    <message>
        <source>Maaf, kuota dokter ini sudah penuh. Sisa kuota sudah diperbarui.</source>
        <translation>Sorry, this doctor has no places left. The places left have been updated.</translation>
    </message>
    <message>
        <source>Silakan pilih dokter lain, atau tanya petugas di {desk}.</source>
        <translation>Please choose another doctor, or ask the staff at {desk}.</translation>
    </message>
    <message>
        <source>Data tidak ditemukan, silakan ke loket pendaftaran.</source>
        <translation>No record found, please go to the registration desk.</translation>
    </message>
    <message>
        <source>Periksa nomor dan tanggal lahir, lalu coba lagi.</source>
        <translation>Check the number and the date of birth, then try again.</translation>
    </message>
    <message>
        <source>Nomor belum lengkap: No. RM sampai 10 angka, kartu BPJS 13 angka, NIK 16 angka.</source>
        <translation>The number is incomplete: a medical record no. has up to 10 digits, a BPJS card 13, a NIK 16.</translation>
    </message>
    <message>
        <source>Data pasien tidak dapat dicari sekarang.</source>
        <translation>Patient records cannot be searched right now.</translation>
    </message>
    <message>
        <source>Terlalu banyak nomor pasien yang tidak ditemukan.</source>
        <translation>Too many patient numbers were not found.</translation>
    </message>
    <message>
        <source>Silakan ke {desk}, petugas pendaftaran akan membantu.</source>
        <translation>Please go to {desk}; the registration staff will help you.</translation>
    </message>
    <message>
        <source>Anda sudah terdaftar di poli ini hari ini.</source>
        <translation>You are already registered at this clinic today.</translation>
    </message>
    <message>
        <source>Data pasien tidak cocok dengan data rumah sakit.</source>
        <translation>Your details do not match the hospital&apos;s records.</translation>
    </message>
    <message>
        <source>NIK atau tanggal lahir pasien tidak sah.</source>
        <translation>The NIK or date of birth is not valid.</translation>
    </message>
    <message>
        <source>Tidak ada nomor antrean yang diambil. Silakan ke loket pendaftaran.</source>
        <translation>No queue number was taken. Please go to the registration desk.</translation>
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
