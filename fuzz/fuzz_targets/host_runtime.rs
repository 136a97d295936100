//! Container runtime and systemd outputs: docker ps/inspect/info/version, ctr, crictl, systemctl.
#![no_main]
use analyzer_core::parse::{Format, runtime};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = runtime::sniff_host(data);
    std::hint::black_box(runtime::parse_docker_ps(data));
    std::hint::black_box(runtime::parse_docker_inspect(data));
    std::hint::black_box(runtime::parse_key_values(data));
    std::hint::black_box(runtime::parse_docker_version(data));
    std::hint::black_box(runtime::parse_docker_info(data));
    std::hint::black_box(runtime::parse_ctr_tasks(data));
    std::hint::black_box(runtime::parse_ctr_containers(data));
    std::hint::black_box(runtime::parse_crictl_ps(data));
    std::hint::black_box(runtime::parse_crictl_pods(data));
    std::hint::black_box(runtime::parse_systemctl_status(data));
    std::hint::black_box(runtime::parse_systemctl_units(data));
    fuzz_common::host(
        "sos_commands/docker/docker_ps_-a",
        &[
            Format::DockerPs,
            Format::DockerInspect,
            Format::DockerInfo,
            Format::DockerVersion,
            Format::CtrTasks,
            Format::CtrContainers,
            Format::CrictlPs,
            Format::CrictlPods,
            Format::SystemctlStatus,
            Format::SystemctlUnits,
        ],
        data,
    );
});
