"""Hardware as plain data: barcode scanners (evdev keyboard-wedge, serial) deliver ``drivers.scan.Scan``s,
receipts are built as ESC/POS bytes and sent to USB, serial or network printers, and a GSM modem sends
SMS. Knows nothing about sales, members or money. See docs/drivers.md; ``python -m drivers --help``.
"""
