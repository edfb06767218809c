"""Wall time of `tco compare examples/support-bot.yaml` against genai-prices' `calc` for the same models, and on a
price-book tree ten times larger (every vendor copied nine times under new names, in a temporary directory).

Run: python3 benchmarks/catalog_growth.py [--runs N]   (prints figures; no assertions)
Targets (issue 11): tco ≤ 1.0× genai-prices; ≤ 1.2× today's time with the 10× tree. The genai-prices CLI needs
`pip install 'genai-prices[cli]'`; without it the script times the same calculation through its Python API.
tco keeps the files it has checked in a cache (tco.files.cache): the warm-up round fills it, so the figures are of
a repeated run; the "no cache" line (TCO_CACHE_DIR="") is a first run's. Measure with PYTHONDONTWRITEBYTECODE unset
(without .pyc files both tools compile their sources on every start), and mind the load printed: other work on the
machine slows wall time most.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORKLOAD = REPO / "examples" / "support-bot.yaml"
MODELS = ("anthropic:claude-sonnet-5-5", "openai:gpt-6.1-terra", "openai:gpt-6-luna", "anthropic:claude-haiku-5-5",
          "google:gemini-3.8-flash")
"""The per-token candidates of the support-bot example, as genai-prices names them."""
COPIES = 9


def walls(commands: list[list[str]], runs: int, env: list[dict[str, str] | None] | None = None) -> list[tuple[float, float, float]]:
    """Best wall time, median wall time and best CPU time (user + system) of each command over `runs` rounds (after
    one warm-up), in seconds. The commands take turns within each round, so a busy machine slows them alike; CPU
    time is the steadier figure when other work shares the cores."""
    times: list[list[tuple[float, float]]] = [[] for _ in commands]
    envs = env or [None] * len(commands)
    for round_ in range(runs + 1):
        for argv, spent, e in zip(commands, times, envs, strict=True):
            before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True, env=e)
            after, t1 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            if round_:
                spent.append((t1 - t0, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime))
    return [(min(w for w, _ in t), statistics.median(w for w, _ in t), min(c for _, c in t)) for t in times]


def genai_prices_argv() -> tuple[list[str], str]:
    cli = shutil.which("genai-prices") or str(Path(sys.executable).with_name("genai-prices"))
    usage = ["-i", "5000", "-o", "200"]
    if Path(cli).exists() and subprocess.run([cli, "--help"], capture_output=True, text=True).returncode == 0:
        return [cli, "calc", *MODELS, *usage, "-T", "-n"], "genai-prices calc"
    code = ("from genai_prices import Usage, calc_price\n"
            f"for ref in {MODELS!r}:\n"
            "    provider, model = ref.split(':')\n"
            "    print(ref, calc_price(Usage(input_tokens=5000, output_tokens=200), model, provider_id=provider).total_price)")
    return [sys.executable, "-c", code], "genai-prices calc_price (Python API; the CLI extra is not installed)"


def tco_argv() -> list[str]:
    """The `tco` command as users run it (its console script, as genai-prices' is), else `python -m tco`."""
    script = shutil.which("tco") or str(Path(sys.executable).with_name("tco"))
    return [script] if Path(script).exists() else [sys.executable, "-m", "tco"]


def grown_tree(root: Path, copies: int = COPIES) -> tuple[int, int]:
    """Copy the bundled tree into `root` with every vendor repeated `copies` more times; (files, offers)."""
    source = REPO / "pricebooks"
    shutil.copytree(source, root, dirs_exist_ok=True)
    vendors = [p.name for p in source.iterdir() if p.is_dir()]
    for vendor in vendors:
        for n in range(1, copies + 1):
            target = root / f"{vendor}-copy{n}"
            target.mkdir()
            for path in (source / vendor).glob("*.yaml"):
                text = path.read_text()
                for other in vendors:  # references inside the copy point at the copies
                    text = re.sub(rf"(?<![\w-]){re.escape(other)}/", f"{other}-copy{n}/", text)
                text = re.sub(r"^vendor: .*$", f"vendor: {vendor}-copy{n}", text, count=1, flags=re.M)
                (target / path.name).write_text(text)
    files = list(root.glob("*/*.yaml"))
    offers = sum(len(re.findall(r"^    scheme:", p.read_text(), flags=re.M)) for p in files)
    return len(files), offers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    tco = [*tco_argv(), "compare", str(WORKLOAD)]
    gp_argv, gp_label = genai_prices_argv()
    no_cache = {**os.environ, "TCO_CACHE_DIR": ""}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory() as tmp:
        files, offers = grown_tree(Path(tmp) / "pricebooks")
        gp, today, big, cold = walls([gp_argv, tco, [*tco, "--pricebooks", str(Path(tmp) / "pricebooks")], tco], runs,
                                     [None, None, None, no_cache])
    print(f"load average {load:.2f} on {os.cpu_count()} CPUs at the start; best / median of {runs} runs")
    print(f"{gp_label}: wall {gp[0]:.3f} / {gp[1]:.3f} s, CPU {gp[2]:.3f} s")

    def line(label: str, fig: tuple[float, float, float], base: tuple[float, float, float], what: str, target: str) -> None:
        print(f"{label}: wall {fig[0]:.3f} / {fig[1]:.3f} s, CPU {fig[2]:.3f} s = {fig[0] / base[0]:.2f}x / "
              f"{fig[1] / base[1]:.2f}x {what} (wall), {fig[2] / base[2]:.2f}x (CPU); target <= {target}")

    line("tco compare, bundled tree", today, gp, "genai-prices", "1.0x")
    line(f"tco compare, 10x tree ({files} files, {offers} offers)", big, today, "today's", "1.2x")
    line("tco compare, bundled tree, no cache", cold, gp, "genai-prices", "1.0x (a first run)")


if __name__ == "__main__":
    main()
