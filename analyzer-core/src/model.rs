//! The model: what the parsers produce and the analysis consumes.
//!
//! * [`time`]: timestamps, the bundle clock (collection time, time zone, boot time) and year
//!   inference for yearless formats;
//! * [`record`]: one log record borrowed from a member's bytes;
//! * [`event`]: multi-record kernel and runtime reports (OOM kill, hung task, Go crash) assembled
//!   from records;
//! * [`goroutine`]: a parsed goroutine dump (compact, borrowing);
//! * [`host`]: processes, namespaces, cgroups, containers and versions, and the facts derived
//!   from them.

pub mod event;
pub mod goroutine;
pub mod host;
pub mod record;
pub mod time;

pub use record::{Level, Record, Source};
pub use time::{Clock, Timestamp};
