"""Turn ``results.json`` data into the printed tables (Markdown) and the time-against-N plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PHASE_LABELS = {
    "create": "`up` (create)",
    "preview": "`preview` (no-op)",
    "noop_up": "`up` (no-op)",
    "update": "`up` (update 10 %)",
    "refresh": "`refresh`",
    "destroy": "`destroy`",
}
METHODS = ("GET", "POST", "PUT", "DELETE")


def _requests(counts: dict[str, int]) -> str:
    shown = [f"{m} {counts[m]}" for m in METHODS if counts.get(m)]
    return ", ".join(shown) or "0"


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _cpu(figures: dict[str, Any]) -> str:
    parts = (figures["engine_cpu_seconds"], figures["program_cpu_seconds"], figures["provider_cpu_seconds"])
    return " / ".join(f"{value or 0:.1f}" for value in parts)


def lifecycle_table(entry: dict[str, Any]) -> str:
    """One size's phases: time HTTP vs floor, ratio, requests by method, provider peak RSS."""
    lines = [
        f"N = {entry['n']} contacts over {entry['users']} users "
        f"(load average {entry['load_before']} -> {entry['load_after']})",
        "",
        "| phase | HTTP s | floor s | ratio | requests (HTTP) | target | met "
        "| CPU s engine / program / provider, HTTP | same, floor | provider peak RSS MiB HTTP / floor |",
        "|---|---:|---:|---:|---|---|:-:|---:|---:|---:|",
    ]
    for name, label in PHASE_LABELS.items():
        p = entry["phases"][name]
        http, floor = p["http"], p["floor"]
        lines.append(
            f"| {label} | {http['seconds']:.2f} | {floor['seconds']:.2f} | {_ratio(p['ratio'])} "
            f"| {_requests(http['requests'])} | {p['expected_requests']} "
            f"| {'yes' if p['meets_request_target'] else '**no**'} "
            f"| {_cpu(http)} | {_cpu(floor)} "
            f"| {_mib(http['provider_peak_mib'])} / {_mib(floor['provider_peak_mib'])} |"
        )
    return "\n".join(lines)


def parallelism_table(data: dict[str, Any]) -> str:
    lines = [
        f"`pulumi up` / `destroy` of {data['n']} contacts by `--parallel` and provider thread-pool size",
        "",
        "| --parallel | provider workers | engine checkpoints | up HTTP s | up floor s | ratio "
        "| destroy HTTP s | destroy floor s | ratio |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in data["rows"]:
        c, d = row["create"], row["destroy"]
        checkpoints = "skipped" if row.get("skip_checkpoints") else "on"
        lines.append(
            f"| {row['parallel']} | {row['provider_workers']} | {checkpoints} "
            f"| {c['http']['seconds']:.2f} | {c['floor']['seconds']:.2f} | {_ratio(c['ratio'])} "
            f"| {d['http']['seconds']:.2f} | {d['floor']['seconds']:.2f} | {_ratio(d['ratio'])} |"
        )
    return "\n".join(lines)


def rate_limit_table(data: dict[str, Any]) -> str:
    lines = [
        f"Create {data['n']} contacts against the emulator's limit of {data['limit']} requests per window",
        "",
        "| window | floor = requests / rate | engine alone | client limiter | --parallel / provider workers "
        "| time s | ratio to floor | ratio to engine alone | exit | failed operations | 429 responses "
        "| requests |",
        "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for entry in data["windows"]:
        engine = entry["engine_floor"]["seconds"]
        binds = "" if entry["limit_binds"] else " (engine slower: the limit never binds)"
        for r in entry["cases"].values():
            lines.append(
                f"| {entry['window']:g} s | {entry['floor_seconds']:.1f} s{binds} | {engine:.1f} s "
                f"| {'on' if r['client_limiter'] else 'off'} | {r['parallel']} / {r['provider_workers']} "
                f"| {r['seconds']:.2f} | {_ratio(r['ratio_to_floor'])} "
                f"| {_ratio(r['ratio_to_engine_floor'])} | {r['code']} | {r['failed_operations']} "
                f"| {r['status_429']} | {_requests(r['requests'])} |"
            )
    return "\n".join(lines)


def import_table(data: dict[str, Any]) -> str:
    lines = [
        "| import | ms |",
        "|---|---:|",
    ]
    for label, ms in data["fresh_interpreter_ms"].items():
        net = data["net_of_interpreter_ms"][label]
        lines.append(f"| fresh interpreter: `{label}` | {ms:.0f} ({net:.0f} net of the interpreter) |")
    for role, figures in data["in_process_ms"].items():
        loaded = (
            ", ".join(figures["third_party_loaded"])
            or "none of requests, urllib3, phonenumbers, email_validator"
        )
        lines.append(f"| in the {role} process, SDK already loaded (loads: {loaded}) | {figures['ms']:.0f} |")
    heavy = ", ".join(f"{name} {ms:.0f}" for name, ms in data["provider_breakdown_ms"].items())
    lines += [
        "",
        f"Provider-process imports by module, ms cumulative: {heavy}. Importing the package's top level "
        f"loads the Pulumi SDK: {'yes' if data['top_level_imports_pulumi_sdk'] else 'no'}.",
    ]
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    parts = [
        f"Machine: {meta['machine']}; {meta['date']}; Pulumi {meta['pulumi']}, Python {meta['python']}; "
        f"median of {meta['repeat']} run(s); load average at start {meta['load_start']}, "
        f"at end {meta['load_end']}.",
    ]
    parts += [lifecycle_table(entry) for entry in results["lifecycle"]]
    if results.get("parallelism"):
        parts.append(parallelism_table(results["parallelism"]))
    if results.get("rate_limited"):
        parts.append(rate_limit_table(results["rate_limited"]))
    if results.get("import_time"):
        parts.append(import_table(results["import_time"]))
    return "\n\n".join(parts) + "\n"


def plot(results: dict[str, Any], path: Path) -> None:
    """Time against N, one panel per phase, HTTP and floor in each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    entries = results["lifecycle"]
    sizes = [e["n"] for e in entries]
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True)
    for ax, (name, label) in zip(axes.flat, PHASE_LABELS.items(), strict=True):
        for variant, style in (("http", "o-"), ("floor", "s--")):
            figures = [e["phases"][name][variant] for e in entries]
            medians = [f["seconds"] for f in figures]
            # Bars: the fastest and slowest of the repeated runs around the median.
            low = [m - min(f["runs_seconds"]) for m, f in zip(medians, figures, strict=True)]
            high = [max(f["runs_seconds"]) - m for m, f in zip(medians, figures, strict=True)]
            ax.errorbar(
                sizes,
                medians,
                yerr=[low, high],
                fmt=style,
                capsize=3,
                label="ilert provider (HTTP)" if variant == "http" else "engine floor (no HTTP)",
            )
        ax.set_title(label.replace("`", ""))
        ax.set_xlabel("contacts (N)")
        ax.set_ylabel("wall time (s)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes.flat[0].legend()
    meta = results["meta"]
    fig.suptitle(
        f"pulumi-ilert-contacts vs engine floor: median of {meta['repeat']} run(s), bars min-max\n"
        f"{meta['machine']}, {meta['date']}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
