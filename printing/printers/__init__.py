"""The printers: one :class:`~printing.printers.printer.Printer` interface, three backends.

:mod:`~printing.printers.pdf_file` (a folder), :mod:`~printing.printers.cups`
(+ :mod:`~printing.printers.cups_tools`: ``lp``, ``lpstat``, ``cancel``) and
:mod:`~printing.printers.escpos` (python-escpos, raster through
:mod:`~printing.printers.raster`). :func:`printing.make_printer` picks one by
name; each imports its library lazily, so this package imports nothing itself.
"""
