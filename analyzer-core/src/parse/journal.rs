//! journalctl output in every mode (short*, json, export, verbose).
