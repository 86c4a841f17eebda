/// Which Compose keys bosun reads, and what it says about the ones it does not.
enum ComposeKeys {
    static let topLevel = ["version", "name", "services", "networks", "volumes", "secrets", "configs", "include", "models", "x-bosun"]

    static let service = [
        "image", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes", "tmpfs",
        "networks", "network_mode", "depends_on", "healthcheck", "restart", "deploy", "mem_limit", "mem_reservation",
        "memswap_limit", "cpus", "cpu_shares", "cpuset", "pids_limit", "user", "group_add", "working_dir", "hostname",
        "domainname", "stop_signal", "stop_grace_period", "read_only", "cap_add", "cap_drop", "privileged",
        "security_opt", "labels", "init", "ulimits", "sysctls", "shm_size", "logging", "container_name", "profiles",
        "extra_hosts", "dns", "dns_search", "secrets", "platform", "pull_policy", "stdin_open", "tty", "devices",
        // read, with a warning or an error below
        "build", "scale", "links", "develop", "attach", "extends", "configs", "gpus", "ipc", "pid",
        "cgroup", "cgroup_parent", "userns_mode", "uts", "runtime", "volumes_from", "external_links", "mac_address",
        "oom_kill_disable", "oom_score_adj", "mem_swappiness", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota",
        "cpu_rt_period", "cpu_rt_runtime", "blkio_config", "device_cgroup_rules", "storage_opt", "isolation",
        "credential_spec", "dns_opt", "label_file", "annotations", "post_start", "pre_stop", "provider",
        "use_api_socket", "models", "driver_opts",
    ]

    /// Keys that are rejected: what to do instead.
    static let unsupportedService: [String: String] = [
        "extends": "inline the shared settings, or use YAML anchors and merge keys (<<: *common)",
        "configs": "mount the file with a bind volume from the repository, or use secrets",
        "gpus": "GPU devices are not supported; remove it",
        "ipc": "only the private IPC namespace is supported; remove it",
        "pid": "only the private PID namespace is supported; remove it",
        "cgroup": "only the private cgroup namespace is supported; remove it",
        "cgroup_parent": "bosun places every container under its own cgroup subtree; remove it",
        "userns_mode": "user namespaces are not configurable yet; remove it",
        "uts": "only the private UTS namespace is supported; remove it",
        "runtime": "bosun runs every container with its own runtime; remove it",
        "volumes_from": "declare the same volumes on this service",
        "external_links": "attach both containers to a shared network and use its name",
        "mac_address": "fixed MAC addresses are not supported; remove it",
        "oom_kill_disable": "disabling the OOM killer is not supported; set a memory limit instead",
        "oom_score_adj": "not configurable yet; remove it",
        "mem_swappiness": "not supported; remove it",
        "cpu_count": "use cpus", "cpu_percent": "use cpus", "cpu_period": "use cpus", "cpu_quota": "use cpus",
        "cpu_rt_period": "realtime scheduling is not supported; remove it",
        "cpu_rt_runtime": "realtime scheduling is not supported; remove it",
        "blkio_config": "block I/O limits are not supported yet; remove it",
        "device_cgroup_rules": "device rules are not supported; remove it",
        "storage_opt": "storage options are not supported; remove it",
        "isolation": "only Linux containers are supported; remove it",
        "credential_spec": "Windows credential specs are not supported; remove it",
        "dns_opt": "not supported yet; remove it",
        "label_file": "write the labels inline under labels",
        "post_start": "lifecycle hooks are not supported yet; use an entrypoint script",
        "pre_stop": "lifecycle hooks are not supported yet; use stop_signal and stop_grace_period",
        "provider": "provider services are not supported; remove it",
        "use_api_socket": "there is no Docker API socket under bosun; remove it",
        "models": "AI model services are not supported; remove it",
        "driver_opts": "not supported; remove it",
    ]

    /// Keys that are read but have no effect under bosun, with the reason given in the warning.
    static let ignoredService: [String: String] = [
        "develop": "development-time file watching does not apply to a GitOps agent",
        "attach": "bosun always keeps a service's logs",
        "links": "services reach each other by name on shared networks; links only add aliases",
        "annotations": "bosun does not set OCI annotations on containers; use labels for metadata",
    ]

    static let deploy = ["resources", "replicas", "restart_policy", "mode", "labels", "update_config", "rollback_config", "placement", "endpoint_mode"]
    static let healthcheck = ["test", "interval", "timeout", "retries", "start_period", "start_interval", "disable", "x-bosun"]
    static let network = ["driver", "driver_opts", "ipam", "internal", "external", "name", "labels", "attachable", "enable_ipv6", "enable_ipv4"]
    static let volume = ["driver", "driver_opts", "external", "name", "labels"]
    static let secret = ["file", "environment", "external", "name", "labels"]
}
