"""The checks on the card readers and the printer, through cardio/ and printing/."""

from __future__ import annotations

from cardio.errors import CardError, CardServiceUnavailable
from cardio.readers.probe import nfc_reader, pcsc_readers
from kiosk.config import Config
from kiosk.doctor.check import Check, failed, passed
from kiosk.wiring.printer import printer_from


def _not_used(name: str, config: Config) -> Check:
    return passed(name, f"tidak dipakai / not used (card.backend = {config.card.backend})")


def check_pcsc(config: Config) -> tuple[Check, Check]:
    """pcscd answers, and it lists the reader ``card.reader`` names (any, if empty)."""
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
    try:
        return passed("nfc", nfc_reader(config.card.nfc_path))
    except CardError as exc:
        fix = (
            "Pasang aturan udev dan blacklist modul NFC dari paket, lalu cabut-colok pembaca / "
            "install the package's udev rules and NFC blacklist, then replug the reader."
        )
        return failed("nfc", str(exc), fix)


def check_printer(config: Config) -> Check:
    """The configured printer's state now, as the kiosk would see it before a ticket."""
    try:
        status = printer_from(config).status()
    except (ValueError, OSError) as exc:
        fix = "Perbaiki bagian [printer] konfigurasi / fix the [printer] section."
        return failed("printer", f"{config.printer.backend}: {exc}", fix)
    detail = f"{config.printer.backend}: {status.detail}"
    if status.ready:
        return passed("printer", detail)
    return failed("printer", f"{detail} ({status.fault})", _PRINTER_FIX[config.printer.backend])


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
