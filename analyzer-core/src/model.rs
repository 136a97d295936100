//! The model: what the analysis builds from parsed records and rows.
//!
//! * [`time`]: the bundle clock (collection time, time zone, boot time) and year inference for
//!   yearless formats;
//! * [`event`]: multi-record kernel and runtime reports (OOM kill, hung task, Go crash) assembled
//!   from records;
//! * [`host`]: processes, namespaces, cgroups, containers and versions, and the facts derived
//!   from them.

pub mod event;
pub mod host;
pub mod time;

pub use time::Clock;

// Former homes of items that moved below this layer (see `crate::base` and `crate::parse`).
#[doc(no_inline)]
pub use crate::base::{Level, Source, Timestamp};
#[doc(no_inline)]
pub use crate::parse::Record;
#[doc(no_inline)]
pub use crate::parse::goroutine::dump as goroutine;
