"""Stand-ins for hardware, for tests, benchmarks and the demo: key-event recordings, a GSM modem on a pty,
and an ESC/POS printer on a pty or TCP socket."""
