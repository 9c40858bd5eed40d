"""The checks on the card readers and the printer, through cardio/ and printing/."""

from __future__ import annotations

from cardio.errors import CardError, CardServiceUnavailable
from cardio.readers.probe import nfc_reader, pcsc_readers
from kiosk.config import Config
from kiosk.doctor.check import Check, Severity, failed, passed
from kiosk.wiring.printer import printer_from


def _not_used(name: str, config: Config) -> Check:
    return passed(name, f"tidak dipakai / not used (card.backend = {config.card.backend})")


#: The fix for a kiosk whose card stack reads no citizen's card.
REAL_READER = (
    'Pasang pembaca kartu dan setel card.backend = "pcsc" (atau "nfc" dengan nfc_path "usb") / '
    'plug in the card reader and set card.backend = "pcsc" (or "nfc" with nfc_path "usb").'
)


def check_pcsc(config: Config) -> tuple[Check, Check]:
    """pcscd answers, and it lists the reader ``card.reader`` names (any, if empty).

    The ``simulated`` backend fails ``readers``: it hands out the demo's cards,
    and no citizen's own card is ever read."""
    if config.card.backend == "simulated":
        detail = (
            "card.backend = simulated: hanya kartu demo, kartu warga tidak terbaca / "
            "demo cards only, no citizen's card is read"
        )
        return _not_used("pcscd", config), failed("readers", detail, REAL_READER)
    if config.card.backend != "pcsc":
        return _not_used("pcscd", config), _not_used("readers", config)
    try:
        names = pcsc_readers()
    except CardServiceUnavailable as exc:
        fix = (
            "Nyalakan pcscd: sudo systemctl enable --now pcscd.socket / "
            "start pcscd: sudo systemctl enable --now pcscd.socket."
        )
        return (
            failed("pcscd", exc.detail or str(exc), fix),
            failed("readers", "tidak diperiksa: pcscd tidak menjawab / not checked: no pcscd", fix),
        )
    except CardError as exc:
        fix = "Mulai ulang pcscd: sudo systemctl restart pcscd / restart pcscd."
        return passed("pcscd", "menjawab / answers"), failed("readers", str(exc), fix)
    wanted = [n for n in names if config.card.reader in n]
    pcscd = passed("pcscd", "menjawab / answers")
    if not wanted:
        seen = "; ".join(names) or "tidak ada / none"
        fix = (
            "Pasang pembaca kartu USB, atau perbaiki card.reader agar sesuai namanya / "
            "plug in the USB card reader, or fix card.reader to match its name."
        )
        name = config.card.reader
        ours = "tidak ada pembaca" + (f" dengan nama berisi {name!r}" if name else "")
        theirs = "no reader" + (f" whose name contains {name!r}" if name else "")
        return pcscd, failed("readers", f"{ours} / {theirs}; pcscd: {seen}", fix)
    return pcscd, passed("readers", "; ".join(wanted))


def check_nfc(config: Config) -> Check:
    """nfcpy opens the reader at ``card.nfc_path`` (and lets it go)."""
    if config.card.backend != "nfc":
        return _not_used("nfc", config)
    path = config.card.nfc_path
    try:
        name = nfc_reader(path)
    except CardError as exc:
        fix = (
            "Pasang aturan udev dan blacklist modul NFC dari paket, lalu cabut-colok pembaca / "
            "install the package's udev rules and NFC blacklist, then replug the reader."
        )
        return failed("nfc", str(exc), fix)
    if path.split(":", 1)[0].lower() == "udp":
        detail = (
            f"{name}: radio tiruan nfcpy lewat UDP, kartu datang dari jaringan / "
            "nfcpy's simulated radio over UDP: cards come from the network"
        )
        return failed("nfc", detail, REAL_READER)
    return passed("nfc", name)


def check_printer(config: Config) -> Check:
    """The configured printer's state now, as the kiosk would see it before a ticket."""
    try:
        status = printer_from(config).status()
    except (ValueError, OSError) as exc:
        fix = "Perbaiki bagian [printer] konfigurasi / fix the [printer] section."
        return failed("printer", f"{config.printer.backend}: {exc}", fix)
    detail = f"{config.printer.backend}: {status.detail}"
    if status.ready and config.printer.backend == "pdf_file":
        # The ticket screen still shows the number and its QR code: a warning.
        return failed(
            "printer",
            f"{detail}: tiket hanya berkas PDF, tidak ada kertas / tickets are PDF files only, "
            "no paper comes out",
            PAPER_PRINTER,
            Severity.WARN,
        )
    if status.ready and not status.reported:
        return failed(
            "printer",
            f"{detail}: keadaannya tidak diketahui / its state is unknown",
            _UNKNOWN_FIX,
            Severity.WARN,
        )
    if status.ready:
        return passed("printer", detail)
    return failed("printer", f"{detail} ({status.fault})", _PRINTER_FIX[config.printer.backend])


PAPER_PRINTER = (
    'Setel printer.backend = "cups" atau "escpos" untuk printer tiketnya / '
    'set printer.backend to "cups" or "escpos" for the ticket printer.'
)
_UNKNOWN_FIX = (
    "Pastikan printer tersambung, menyala dan menjawab kueri status (perangkat file: tidak "
    "pernah menjawab), lalu cetak tiket uji / make sure the printer is attached, on and answers "
    "the status query (a file: device never does), then print a test ticket."
)
_PRINTER_FIX = {
    "cups": (
        "Periksa kertas, tutup dan kabel printer, lalu aktifkan antreannya (cupsenable "
        "ANTREAN; lpstat -p) / check the printer's paper, cover and cable, then enable its "
        "queue (cupsenable QUEUE; lpstat -p)."
    ),
    "escpos": (
        "Periksa kertas, tutup dan kabel printer serta aturan udev paket / check the "
        "printer's paper, cover and cable, and the package's udev rules."
    ),
    "pdf_file": (
        "Buat folder keluaran dan beri izin tulis bagi kiosk (printer.output_dir) / make "
        "the output folder and let the kiosk write to it (printer.output_dir)."
    ),
}
