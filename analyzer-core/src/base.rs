//! The shared vocabulary of every layer: what a line states about its time, who wrote it and
//! how severe, which format a member is in, and what a finding is. Nothing here reads a bundle
//! or knows a parser; everything above builds on it.
//!
//! * [`time`]: instants ([`Timestamp`]), times as lines state them ([`RawTime`],
//!   [`LocalTime`]) and the readers of timestamp text;
//! * [`log`]: the program that wrote a record ([`Source`]) and its severity ([`Level`]);
//! * [`format`](mod@format): every format a member can be classified as ([`Format`]);
//! * [`finding`]: a diagnosis ([`Finding`]), its [`Evidence`] lines and its [`Severity`].

pub mod finding;
pub mod format;
pub mod log;
pub mod time;

pub use finding::{Confidence, Evidence, Finding, Severity};
pub use format::Format;
pub use log::{Level, Source};
pub use time::{LocalTime, RawTime, Timestamp};
