"""Dataset analysis throughput and peak memory against a cookbook-style loop, in one run.

    python benchmarks/bench_dataset.py                  # 100,000 examples, about 250 MB
    python benchmarks/bench_dataset.py --examples 5000  # a quick look

1. Generates a realistic chat training file into a temporary directory (one system prompt shared
   by all examples, as in most fine-tuning sets; user requests that differ from example to example;
   long assistant recipes; one in five two-turn; seeded, so every run writes the same file).
2. Runs :func:`costmodel.dataset.analyze_file` end to end (read, validate, count, statistics;
   2 worker processes) and records its wall time and peak resident memory: this process'
   ``ru_maxrss`` and the largest worker's (``RUSAGE_CHILDREN``), summed as
   main + (workers - 1) x largest worker (the calling process is one of the workers; an upper
   bound of the total at any instant).
3. Runs the cookbook-style loop on the same file in this process: ``json.loads`` each line, then
   encode every value of every message with the same encoding (3 per message, +1 per name,
   +3 per example): the OpenAI cookbook notebook's method, one process.
4. Repeats 2-3 ``--rounds`` times, alternating (the machine is shared, so its load changes
   from minute to minute), and prints each round and the medians: throughput in tokens per
   second, their ratio, the CPU seconds each used, and the peak memory. Fails if the two
   token totals differ.

Targets (issue 3): ratio >= 1.5 and peak RSS < 400 MB. The machine's other load affects both
runs; the ratio is the figure that matters. Where the analysis gains beyond its two processes:
it encodes a repeated string (the shared system prompt, the role names) once per worker, where
the cookbook loop encodes it in every example; everything else is encoded exactly once in both.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from costmodel.dataset import analyze_file
from costmodel.dataset.tokens import get_encoding

SYSTEM = (
    "You are Sous, a recipe assistant for home cooks. Answer with one recipe: a title, the servings and "
    "total time, an ingredient list with metric quantities, numbered steps, and one tip. Respect every "
    "dietary constraint the user gives; if a constraint rules out the dish, say so and propose the closest "
    "dish that fits. Use British spelling and metric units throughout."
)
DISHES = [
    "chana masala", "shakshuka", "katsu curry", "mushroom risotto", "beef tacos", "pad thai", "lentil soup",
    "salmon teriyaki", "cannelloni", "black bean burgers", "souvlaki", "tofu stir-fry", "lamb tagine",
    "pumpkin soup", "pesto trofie", "bibimbap", "halloumi traybake", "green curry", "overnight oats",
    "fish tacos", "ramen", "paella", "moussaka", "pierogi", "jollof rice", "bobotie", "laksa", "goulash",
]  # fmt: skip
INGREDIENTS = [
    "onion", "garlic", "ginger", "chickpeas", "tomatoes", "coriander", "cumin", "paprika", "olive oil", "butter",
    "rice", "lentils", "carrot", "celery", "lemon", "lime", "soy sauce", "miso", "tofu", "chicken thigh",
    "beef mince", "prawns", "spinach", "kale", "feta", "parmesan", "yogurt", "coconut milk", "stock", "thyme",
    "rosemary", "chilli flakes", "honey", "vinegar", "noodles", "aubergine", "courgette", "peppers", "eggs",
]  # fmt: skip
VERBS = [
    "Soften", "Brown", "Simmer", "Roast", "Whisk", "Fold in", "Season", "Toast", "Blend", "Stir in", "Sear",
    "Reduce", "Drizzle", "Scatter", "Rest", "Deglaze with",
]  # fmt: skip
CONSTRAINTS = [
    "It has to be vegan.", "Strictly gluten-free please.", "No dairy.", "I only have 30 minutes.",
    "Budget-friendly please.", "Not too spicy, it's for kids.", "High in protein.", "", "",
]  # fmt: skip
TIPS = [
    "Taste and adjust the salt at the end; reduced sauces concentrate it.",
    "Prepare every ingredient before you turn on the heat.",
    "Leftovers keep for 3 days in the fridge.",
    "A squeeze of lemon brightens the finished dish.",
]


def _recipe(rng: random.Random, dish: str, servings: int) -> str:
    lines = [f"**{dish.title()}**", f"Serves {servings} · {rng.randint(15, 120)} minutes", "", "Ingredients:"]
    for ing in rng.sample(INGREDIENTS, rng.randint(8, 14)):
        lines.append(f"- {rng.randint(1, 40) * 5 * servings} g {ing}")
    lines += ["", "Method:"]
    for i in range(1, rng.randint(8, 18)):
        a, b = rng.sample(INGREDIENTS, 2)
        heat = rng.choice(["low", "medium", "high"])
        until = rng.choice(["golden", "soft", "glossy", "thick", "fragrant"])
        lines.append(
            f"{i}. {rng.choice(VERBS)} the {a} with the {b} over {heat} heat "
            f"for {rng.randint(2, 25)} minutes, stirring now and then, until {until}."
        )
    lines += ["", f"Tip: {rng.choice(TIPS)}"]
    return "\n".join(lines)


def generate(path: Path, n: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        buf: list[str] = []
        for _ in range(n):
            dish = rng.choice(DISHES)
            servings = rng.choice([1, 2, 4, 6])
            have = ", ".join(rng.sample(INGREDIENTS, 3))
            user = (
                f"Could you give me a recipe for {dish} for {servings}? I have {have} and about "
                f"{rng.randint(10, 90)} minutes. {rng.choice(CONSTRAINTS)}"
            ).strip()
            msgs = [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": user},
                {"role": "assistant", "content": _recipe(rng, dish, servings)},
            ]
            if rng.random() < 0.2:
                more = servings * 2
                msgs.append({"role": "user", "content": f"Now scale it for {more} people, please."})
                msgs.append({"role": "assistant", "content": _recipe(rng, dish, more)})
            buf.append(json.dumps({"messages": msgs}, ensure_ascii=False))
            if len(buf) >= 2000:
                f.write("\n".join(buf) + "\n")
                buf.clear()
        if buf:
            f.write("\n".join(buf) + "\n")
    return path.stat().st_size


def cookbook_loop(path: Path, encoding_name: str) -> int:
    """The cookbook notebook's counting, one process: json.loads, then encode every message value."""
    enc = get_encoding(encoding_name)
    total = 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            example = json.loads(line)
            num_tokens = 0
            for message in example["messages"]:
                num_tokens += 3
                for key, value in message.items():
                    num_tokens += len(enc.encode(value))
                    if key == "name":
                        num_tokens += 1
            num_tokens += 3
            total += num_tokens
    return total


def _mb(kilobytes: int) -> float:
    return kilobytes / 1024  # ru_maxrss is in KiB on Linux


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="alternate the two runs this many times (median)")
    args = parser.parse_args()

    rounds: list[tuple[float, float, float, float]] = []  # wall and CPU seconds: analysis, cookbook
    with tempfile.TemporaryDirectory(prefix="bench-dataset-") as tmp:
        path = Path(tmp) / "train.jsonl"
        t0 = time.perf_counter()
        size = generate(path, args.examples)
        print(f"generated {args.examples:,} examples, {size / 1e6:,.1f} MB in {time.perf_counter() - t0:.1f} s")
        print(f"cpus: {os.cpu_count()}; the machine is shared: load average {os.getloadavg()[0]:.2f} before the runs")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        main_rss = worker_rss = 0
        for i in range(args.rounds):
            c0, k0, t0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
            analysis = analyze_file(path, model=args.model, workers=args.workers)
            t_analysis = time.perf_counter() - t0
            cpu_analysis = _cpu(resource.RUSAGE_SELF) - c0 + _cpu(resource.RUSAGE_CHILDREN) - k0
            if i == 0:  # before the cookbook loop builds an encoding in this process
                main_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            tokens = sum(analysis.per_example_tokens)
            c0, t0 = _cpu(resource.RUSAGE_SELF), time.perf_counter()
            ref_tokens = cookbook_loop(path, analysis.encoding)
            t_cookbook = time.perf_counter() - t0
            cpu_cookbook = _cpu(resource.RUSAGE_SELF) - c0
            rounds.append((t_analysis, t_cookbook, cpu_analysis, cpu_cookbook))
            print(
                f"round {i + 1}: analysis {t_analysis:6.2f} s ({tokens / t_analysis:12,.0f} tokens/s), "
                f"cookbook {t_cookbook:6.2f} s ({ref_tokens / t_cookbook:12,.0f} tokens/s), "
                f"ratio {t_cookbook / t_analysis:.2f}x; load {os.getloadavg()[0]:.2f}"
            )
            if ref_tokens != tokens:
                print(f"MISMATCH: analysis counted {tokens:,} tokens, the cookbook loop {ref_tokens:,}")
                return 1

    t_analysis = statistics.median(r[0] for r in rounds)
    t_cookbook = statistics.median(r[1] for r in rounds)
    ratio = statistics.median(r[1] / r[0] for r in rounds)
    cpu_analysis = statistics.median(r[2] for r in rounds)
    cpu_cookbook = statistics.median(r[3] for r in rounds)
    total_rss = main_rss + (args.workers - 1) * worker_rss  # the calling process counts too
    print(f"encoding {analysis.encoding}; {analysis.examples:,} examples; {tokens:,} tokens (both counts agree)")
    print(f"problems found: {analysis.problem_counts or 'none'}")
    print(f"median of {args.rounds} rounds:")
    print(
        f"  analysis (analyze_file, {args.workers} workers): {t_analysis:7.2f} s {tokens / t_analysis:12,.0f} tokens/s "
        f"{size / 1e6 / t_analysis:6.1f} MB/s   CPU {cpu_analysis:6.1f} s"
    )
    print(
        f"  cookbook-style loop (1 process):      {t_cookbook:7.2f} s {tokens / t_cookbook:12,.0f} tokens/s "
        f"{size / 1e6 / t_cookbook:6.1f} MB/s   CPU {cpu_cookbook:6.1f} s"
    )
    print(f"  ratio analysis / cookbook (throughput): {ratio:.2f}x   (target >= 1.5x)")
    print(
        f"peak RSS: main {_mb(main_rss):.0f} MB (before analysis {_mb(rss_before):.0f} MB), largest worker "
        f"{_mb(worker_rss):.0f} MB; main + {args.workers - 1} x worker = {_mb(total_rss):.0f} MB   (target < 400 MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
