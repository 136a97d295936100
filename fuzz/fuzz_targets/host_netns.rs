//! Network namespaces: lsns, ip netns, ip addr, nsenter blocks, the docker netns listing.
#![no_main]
use analyzer_core::parse::{Format, netns};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    std::hint::black_box(netns::parse_lsns(data));
    std::hint::black_box(netns::parse_ip_netns(data));
    std::hint::black_box(netns::parse_ip_addr(data));
    std::hint::black_box(netns::parse_nsenter(data));
    fuzz_common::host(
        "sos_commands/networking/ns",
        &[Format::Lsns, Format::IpNetns, Format::IpAddr, Format::NsenterIpAddr],
        data,
    );
    fuzz_common::host("sos_commands/docker/ls_-l_.var.run.docker.netns", &[Format::DirListing], data);
});
