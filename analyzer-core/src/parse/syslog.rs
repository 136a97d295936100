//! Syslog files: RFC 3164 traditional, RFC 3339 high precision, RFC 5424.
