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
    "adopt": "`up` (adopt: generated program)",
    "recovery": "`up` (recovery: ILERT_ADOPT_EXISTING)",
    "destroy": "`destroy`",
}
METHODS = ("GET", "POST", "PUT", "DELETE")
PLOT_LABELS = {
    "http": "ilert provider, dynamic (HTTP)",
    "plugin": "ilert provider, plugin (HTTP)",
    "floor": "engine floor (no HTTP)",
}


def _requests(counts: dict[str, int]) -> str:
    shown = [f"{m} {counts[m]}" for m in METHODS if counts.get(m)]
    return ", ".join(shown) or "0"


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _terraform(phase: dict[str, Any]) -> str:
    counts = phase.get("terraform")
    if not counts:
        return "-"
    shown = _requests(counts)
    return f">= {shown} (est.)" if counts.get("estimated") else shown


def _cpu(figures: dict[str, Any]) -> str:
    parts = (figures["engine_cpu_seconds"], figures["program_cpu_seconds"], figures["provider_cpu_seconds"])
    return " / ".join(f"{value or 0:.1f}" for value in parts)


def lifecycle_table(entry: dict[str, Any]) -> str:
    """One size's phases: time HTTP vs floor, ratio, requests by method (ours and the Terraform
    provider's), provider peak RSS; with the plugin face beside the dynamic one when measured."""
    if "plugin" in entry.get("variants", ()):
        return faces_table(entry)
    lines = [
        f"N = {entry['n']} contacts over {entry['users']} users "
        f"(load average {entry['load_before']} -> {entry['load_after']})",
        "",
        "| phase | HTTP s | floor s | ratio | requests (HTTP) | target | met | Terraform provider "
        "| CPU s engine / program / provider, HTTP | same, floor | provider peak RSS MiB HTTP / floor |",
        "|---|---:|---:|---:|---|---|:-:|---|---:|---:|---:|",
    ]
    for name, label in PHASE_LABELS.items():
        if name not in entry["phases"]:
            continue
        p = entry["phases"][name]
        http, floor = p["http"], p["floor"]
        lines.append(
            f"| {label} | {http['seconds']:.2f} | {floor['seconds']:.2f} | {_ratio(p['ratio'])} "
            f"| {_requests(http['requests'])} | {p['expected_requests']} "
            f"| {'yes' if p['meets_request_target'] else '**no**'} | {_terraform(p)} "
            f"| {_cpu(http)} | {_cpu(floor)} "
            f"| {_mib(http['provider_peak_mib'])} / {_mib(floor['provider_peak_mib'])} |"
        )
    if entry.get("terraform_source"):
        lines += ["", f"Terraform provider column: {entry['terraform_source']}."]
    return "\n".join(lines)


def faces_table(entry: dict[str, Any]) -> str:
    """One size's phases for the dynamic face, the plugin face and the floor, run interleaved."""
    lines = [
        f"N = {entry['n']} contacts over {entry['users']} users, dynamic face, plugin face and floor "
        f"interleaved (load average {entry['load_before']} -> {entry['load_after']})",
        "",
        "| phase | dynamic s | plugin s | floor s | dynamic / floor | plugin / floor | plugin / dynamic "
        "| requests (dynamic) | requests (plugin) | target | met (dynamic / plugin) | Terraform provider "
        "| CPU s engine / program / provider: dynamic | plugin | floor "
        "| provider peak RSS MiB dynamic / plugin / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|---|:-:|---|---:|---:|---:|---:|",
    ]
    for name, label in PHASE_LABELS.items():
        if name not in entry["phases"]:
            continue
        p = entry["phases"][name]
        http, plugin, floor = p["http"], p["plugin"], p["floor"]
        met = f"{'yes' if p['meets_request_target'] else '**no**'} / " + (
            "yes" if p["plugin_meets_request_target"] else "**no**"
        )
        lines.append(
            f"| {label} | {http['seconds']:.2f} | {plugin['seconds']:.2f} | {floor['seconds']:.2f} "
            f"| {_ratio(p['ratio'])} | {_ratio(p['plugin_ratio'])} | {_ratio(p['plugin_to_http'])} "
            f"| {_requests(http['requests'])} | {_requests(plugin['requests'])} | {p['expected_requests']} "
            f"| {met} | {_terraform(p)} | {_cpu(http)} | {_cpu(plugin)} | {_cpu(floor)} "
            f"| {_mib(http['provider_peak_mib'])} / {_mib(plugin['provider_peak_mib'])} "
            f"/ {_mib(floor['provider_peak_mib'])} |"
        )
    if entry.get("terraform_source"):
        lines += ["", f"Terraform provider column: {entry['terraform_source']}."]
    return "\n".join(lines)


def live_limit_table(entry: dict[str, Any]) -> str:
    """Every phase at the live rate: the floor is max(engine floor, requests / rate)."""
    live = entry["live"]
    rate = live["limit"] / live["window"]
    lines = [
        f"At ilert's limit: the emulator allows {live['limit']} requests per {live['window']:g} s per key "
        f"(fixed windows), the provider's own limiter on; N = {entry['n']} contacts over {entry['users']} "
        f"users; each phase starts on a clean budget (load average {entry['load_before']} -> "
        f"{entry['load_after']})",
        "",
        "| phase | runs | time s | engine floor s | requests | requests / rate s | floor s | ratio to floor "
        "| failed operations | 429 responses | Terraform provider requests | their requests / rate s |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for name, label in PHASE_LABELS.items():
        if name not in entry["phases"]:
            continue
        p = entry["phases"][name]
        http, floor = p["http"], p["floor"]
        terraform = p["terraform"]
        lines.append(
            f"| {label} | {p.get('runs', 1)} | {http['seconds']:.1f} | {floor['seconds']:.1f} "
            f"| {_requests(http['requests'])} "
            f"| {p['requests_seconds']:.1f} | {p['floor_seconds']:.1f} | {_ratio(p['ratio_to_floor'])} "
            f"| {p['failed_operations']} | {p['status_429']} | {_terraform(p)} "
            f"| {terraform['total'] / rate:.1f} |"
        )
    lines += [
        "",
        "runs: the phases that send no request run several times, interleaved with the floor, and the "
        "median is shown (their floor is the engine's alone, a few seconds); the others run once.",
        "",
        f"Terraform provider columns: {entry['terraform_source']}.",
    ]
    return "\n".join(lines)


def many_stacks_table(data: dict[str, Any]) -> str:
    lines = [
        f"Stacks of {data['n']} contacts deploying at once (separate `pulumi up` processes, one API key), "
        f"the emulator allowing {data['limit']} requests per {data['window']:g} s per key",
        "",
        "| stacks | rate budget | time s | engines alone s | requests / rate s | floor s | ratio to floor "
        "| exits | failed operations | duplicates | 429 responses | requests |",
        "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in data["rows"]:
        budget = "shared (as shipped)" if r["shared_budget"] else "each process alone"
        lines.append(
            f"| {r['stacks']} | {budget} | {r['seconds']:.1f} | {r['engine_seconds']:.1f} "
            f"| {r['requests_seconds']:.1f} | {r['floor_seconds']:.1f} | {_ratio(r['ratio_to_floor'])} "
            f"| {' '.join(str(c) for c in r['codes'])} | {r['failed_operations']} | {r['duplicates']} "
            f"| {r['status_429']} | {_requests(r['requests'])} |"
        )
    return "\n".join(lines)


def fleet_table(data: dict[str, Any]) -> str:
    lines = [
        f"A fleet: {data['machines']} stacks of {data['n']} contacts deploying at once with one API key, "
        "each provider with a budget folder of its own (separate machines), the emulator allowing "
        f"{data['limit']} requests per {data['window']:g} s per key",
        "",
        "| rate budget | time s | engines alone s | requests / rate s | floor s | ratio to floor "
        "| exits | failed operations | duplicates | 429 responses | requests |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in data["rows"]:
        budget = "one Redis (ILERT_RATE_STORE)" if r["store"] else "no store (each machine alone)"
        lines.append(
            f"| {budget} | {r['seconds']:.1f} | {r['engine_seconds']:.1f} "
            f"| {r['requests_seconds']:.1f} | {r['floor_seconds']:.1f} | {_ratio(r['ratio_to_floor'])} "
            f"| {' '.join(str(c) for c in r['codes'])} | {r['failed_operations']} | {r['duplicates']} "
            f"| {r['status_429']} | {_requests(r['requests'])} |"
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
        + (f"commit {meta['commit']}; " if meta.get("commit") else "")
        + f"median of {meta['repeat']} run(s); load average at start {meta['load_start']}, "
        f"at end {meta['load_end']}.",
    ]
    parts += [lifecycle_table(entry) for entry in results["lifecycle"]]
    if results.get("parallelism"):
        parts.append(parallelism_table(results["parallelism"]))
    if results.get("rate_limited"):
        parts.append(rate_limit_table(results["rate_limited"]))
    if results.get("live_limit"):
        parts.append(live_limit_table(results["live_limit"]))
    if results.get("many_stacks"):
        parts.append(many_stacks_table(results["many_stacks"]))
    if results.get("fleet"):
        parts.append(fleet_table(results["fleet"]))
    for key in ("sets", "sets_live"):  # contact sets against single resources (issue 16)
        if results.get(key):
            import scenario_sets

            parts.append(scenario_sets.markdown(results[key]))
    if results.get("import_time"):
        parts.append(import_table(results["import_time"]))
    import engine_floor  # the engine-floor study's tables (issue 11, item 3)

    parts += engine_floor.markdown(results)
    return "\n\n".join(parts) + "\n"


def plot(results: dict[str, Any], path: Path) -> None:
    """Time against N, one panel per phase, HTTP and floor in each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    entries = results["lifecycle"]
    sizes = [e["n"] for e in entries]
    shown = [
        (name, label) for name, label in PHASE_LABELS.items() if all(name in e["phases"] for e in entries)
    ]
    columns = (len(shown) + 1) // 2
    fig, axes = plt.subplots(2, columns, figsize=(4.4 * columns, 7.5), sharex=True, squeeze=False)
    for ax in axes.flat[len(shown) :]:
        ax.set_visible(False)
    for ax, (name, label) in zip(axes.flat, shown, strict=False):
        for variant, style in (("http", "o-"), ("plugin", "^-"), ("floor", "s--")):
            if not all(variant in e["phases"][name] for e in entries):
                continue
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
                label=PLOT_LABELS[variant],
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
