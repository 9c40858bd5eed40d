"""Documents laid out as PDF pages sized for their paper.

:mod:`~printing.layouts.paper` (the papers, ``ROLL_DOTS``; light),
:mod:`~printing.layouts.ticket`, :mod:`~printing.layouts.slip` and
:mod:`~printing.layouts.receipt` (one document each, with its ``render_*_pdf``),
:mod:`~printing.layouts.parts` (the header, number, QR code and PDF rendering
they share), :mod:`~printing.layouts.blocks` (the measure-then-draw engine),
:mod:`~printing.layouts.qr`, :mod:`~printing.layouts.logo`,
:mod:`~printing.layouts.fonts` and :mod:`~printing.layouts.texts`. This package
imports nothing itself, so reading :data:`~printing.layouts.paper.ROLL_DOTS`
does not load reportlab's canvas.
"""
