//! One iteration of a parser micro-benchmark's workload, on the input `benches/parsers.rs`
//! generates for it, for instruction counts that do not depend on the machine's load:
//!
//! ```sh
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*workload::run*' \
//!     target/release/workload records/klog
//! ```
//!
//! Only `run` is counted (input generation is not). Names: `records/{journal-short,syslog,
//! klog,logrus,dmesg}`, `goroutine-dump/{parse,parse+bucket}`, `engine/scan-journal`.

use std::hint::black_box;

use analyzer_core::base::Format;
use analyzer_core::model::time::YearTracker;
use analyzer_core::parse;
use analyzer_core::rules::Engine;
use benches::bulk;
use benches::noise::Shape;

/// The bytes of every generated input, as in `benches/parsers.rs`.
const SIZE: u64 = 8 << 20;

/// What one iteration does.
enum Work {
    Records(Format),
    Dump { bucket: bool },
    Scan(Box<Engine>),
}

fn logs(shape: Shape) -> Vec<u8> {
    let mut v = Vec::with_capacity(SIZE as usize + 4096);
    bulk::write_logs(shape, SIZE, 11, &mut v).expect("in memory");
    v
}

#[inline(never)]
fn run(work: &Work, data: &[u8]) -> u64 {
    match work {
        Work::Records(format) => {
            let mut years = YearTracker::new();
            let mut n = 0u64;
            for rec in parse::records(*format, black_box(data)) {
                n += u64::from(years.observe(&rec.time)) + rec.message.len() as u64;
            }
            n
        }
        Work::Dump { bucket } => {
            let dump = parse::goroutine::parse(black_box(data));
            if *bucket {
                black_box(analyzer_core::stacks::analyze(&dump));
            }
            dump.len() as u64
        }
        Work::Scan(engine) => {
            let mut scan = engine.scan(black_box(data));
            let mut years = YearTracker::new();
            for rec in parse::records(Format::JournalShort, data) {
                let e = years.observe(&rec.time);
                scan.record(&rec, e);
            }
            black_box(scan.finish(data, 0, years.finish()));
            0
        }
    }
}

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let shaped = |shape, format| {
        let data = logs(shape);
        let format = parse::sniff_log(&data).unwrap_or(format);
        (Work::Records(format), data)
    };
    let (work, data) = match name.as_str() {
        "records/journal-short" => shaped(Shape::Journal, Format::JournalShort),
        "records/syslog" => shaped(Shape::Syslog, Format::Syslog),
        "records/klog" => shaped(Shape::Klog, Format::Klog),
        "records/logrus" => shaped(Shape::Logrus, Format::Logrus),
        "records/dmesg" => {
            let mut data = Vec::new();
            bulk::write_dmesg(SIZE, 11, &mut data).expect("in memory");
            let format = parse::sniff_log(&data).unwrap_or(Format::Dmesg);
            (Work::Records(format), data)
        }
        "goroutine-dump/parse" | "goroutine-dump/parse+bucket" => {
            let mut data = Vec::new();
            benches::dump::write(8_000, 3, &mut data).expect("in memory");
            let bucket = name.ends_with("bucket");
            (Work::Dump { bucket }, data)
        }
        "engine/scan-journal" => {
            let engine = analyzer_core::rules::load(&[]).expect("built-in rules compile");
            (Work::Scan(Box::new(engine)), logs(Shape::Journal))
        }
        other => {
            eprintln!("unknown workload {other:?}");
            std::process::exit(2);
        }
    };
    println!("{name}: {} bytes, {}", data.len(), run(&work, &data));
}
