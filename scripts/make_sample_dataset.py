"""Write the sample recipe-generation datasets in data/sample/ (deterministic, reproducible).

    python scripts/make_sample_dataset.py            # writes data/sample/recipes*.jsonl
    python scripts/make_sample_dataset.py --check    # exits 1 if the files differ from a fresh run

recipes.jsonl: 300 chat examples for a recipe assistant, written from the hand-made tables below
(dishes with their cuisine, core ingredients and method; user constraints; serving sizes). A
fixed seed makes every run byte-identical. About one example in ten is a two-turn
conversation (a follow-up request such as "make it vegan" answered with an adapted recipe).

recipes_with_problems.jsonl: 14 lines that trigger a handful of problems (invalid JSON, a
message without role, no assistant reply, a duplicate, a blank line, weight 0 everywhere, a
number where text belongs) for the dashboard's demo of the problem list.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "data" / "sample"
SEED = 20261126
N_EXAMPLES = 300

SYSTEM = (
    "You are Sous, a recipe assistant for home cooks. Answer with one recipe: a title, the "
    "servings and total time, an ingredient list with metric quantities, numbered steps, and "
    "one tip. Respect every dietary constraint the user gives; if a constraint rules out the "
    "dish, say so and propose the closest dish that fits."
)

# dish, cuisine, main ingredients (name, grams or count per serving, unit), method steps, minutes, tags
DISHES: list[tuple[str, str, list[tuple[str, float, str]], list[str], int, set[str]]] = [
    (
        "Chana masala",
        "Indian",
        [("cooked chickpeas", 120, "g"), ("onion", 0.5, ""), ("tomatoes", 100, "g"), ("garam masala", 1, "tsp")],
        [
            "Soften the onion in oil over medium heat, 8 minutes.",
            "Add ginger, garlic and the spices; stir for 1 minute until fragrant.",
            "Add the tomatoes and simmer until they break down, 10 minutes.",
            "Stir in the chickpeas with a splash of water and simmer 10 minutes more.",
            "Finish with lemon juice and chopped coriander.",
        ],
        35,
        {"vegan", "vegetarian", "gluten-free", "dairy-free"},
    ),
    (
        "Shakshuka",
        "North African",
        [("eggs", 2, ""), ("red pepper", 0.5, ""), ("crushed tomatoes", 150, "g"), ("cumin", 0.5, "tsp")],
        [
            "Cook the sliced pepper and onion in olive oil until soft, 10 minutes.",
            "Add garlic, cumin and paprika, then the tomatoes; simmer 10 minutes.",
            "Make wells in the sauce and crack in the eggs.",
            "Cover and cook until the whites set, 6 to 8 minutes.",
            "Scatter with parsley and serve with bread.",
        ],
        30,
        {"vegetarian", "gluten-free", "dairy-free"},
    ),
    (
        "Chicken katsu curry",
        "Japanese",
        [("chicken breast", 150, "g"), ("panko", 30, "g"), ("carrot", 0.5, ""), ("curry roux", 25, "g")],
        [
            "Simmer the diced onion and carrot in water for 15 minutes, then melt in the roux.",
            "Flatten the chicken, dip in flour, egg and panko.",
            "Shallow-fry 4 minutes a side until golden and cooked through (75°C inside).",
            "Rest 2 minutes, slice, and serve over rice with the sauce.",
        ],
        45,
        {"dairy-free"},
    ),
    (
        "Mushroom risotto",
        "Italian",
        [("arborio rice", 80, "g"), ("mushrooms", 120, "g"), ("vegetable stock", 300, "ml"), ("parmesan", 20, "g")],
        [
            "Brown the mushrooms in butter and set aside.",
            "Soften a shallot, add the rice and toast for 2 minutes.",
            "Add a glass of white wine, then the hot stock a ladle at a time, stirring, 18 minutes.",
            "Stir in the mushrooms, parmesan and a knob of butter; rest 2 minutes.",
        ],
        40,
        {"vegetarian", "gluten-free"},
    ),
    (
        "Beef tacos",
        "Mexican",
        [("minced beef", 125, "g"), ("corn tortillas", 3, ""), ("lime", 0.5, ""), ("chipotle paste", 1, "tsp")],
        [
            "Brown the beef in a hot pan, breaking it up, 6 minutes.",
            "Add onion, garlic, cumin and chipotle; cook 4 minutes.",
            "Warm the tortillas in a dry pan, 30 seconds a side.",
            "Fill with the beef, shredded cabbage, salsa and a squeeze of lime.",
        ],
        25,
        {"gluten-free", "dairy-free"},
    ),
    (
        "Pad thai",
        "Thai",
        [("rice noodles", 75, "g"), ("prawns", 100, "g"), ("bean sprouts", 50, "g"), ("tamarind paste", 1, "tbsp")],
        [
            "Soak the noodles in warm water for 20 minutes and drain.",
            "Mix tamarind, fish sauce and palm sugar for the sauce.",
            "Stir-fry the prawns and garlic, push aside, scramble an egg.",
            "Add noodles and sauce; toss 2 minutes, then the sprouts and spring onion.",
            "Serve with crushed peanuts and lime.",
        ],
        35,
        {"gluten-free", "dairy-free"},
    ),
    (
        "Lentil soup",
        "Middle Eastern",
        [("red lentils", 70, "g"), ("carrot", 0.5, ""), ("vegetable stock", 350, "ml"), ("cumin", 0.5, "tsp")],
        [
            "Soften onion, carrot and celery in olive oil, 8 minutes.",
            "Add cumin and the rinsed lentils, then the stock.",
            "Simmer 20 minutes until the lentils collapse.",
            "Blend half, season, and finish with lemon.",
        ],
        35,
        {"vegan", "vegetarian", "gluten-free", "dairy-free"},
    ),
    (
        "Salmon teriyaki",
        "Japanese",
        [("salmon fillet", 140, "g"), ("soy sauce", 1, "tbsp"), ("mirin", 1, "tbsp"), ("broccoli", 80, "g")],
        [
            "Whisk soy sauce, mirin, sake and sugar.",
            "Sear the salmon skin-side down, 4 minutes, then turn.",
            "Pour in the sauce and baste until glossy, 2 minutes.",
            "Serve with steamed broccoli and rice.",
        ],
        20,
        {"dairy-free"},
    ),
    (
        "Spinach and ricotta cannelloni",
        "Italian",
        [("cannelloni tubes", 5, ""), ("spinach", 100, "g"), ("ricotta", 80, "g"), ("passata", 120, "ml")],
        [
            "Wilt the spinach, squeeze dry and chop.",
            "Mix with ricotta, nutmeg and half the parmesan; pipe into the tubes.",
            "Lay on passata, cover with more sauce and the rest of the cheese.",
            "Bake at 190°C for 30 minutes until bubbling.",
        ],
        55,
        {"vegetarian"},
    ),
    (
        "Black bean burgers",
        "American",
        [("black beans", 120, "g"), ("oats", 25, "g"), ("smoked paprika", 0.5, "tsp"), ("burger buns", 1, "")],
        [
            "Mash the beans roughly and mix with oats, paprika, onion and a flax egg.",
            "Shape into patties and chill 15 minutes.",
            "Fry 4 minutes a side until crisp.",
            "Serve in buns with avocado and pickled onion.",
        ],
        35,
        {"vegan", "vegetarian", "dairy-free"},
    ),
    (
        "Greek chicken souvlaki",
        "Greek",
        [("chicken thigh", 150, "g"), ("lemon", 0.5, ""), ("oregano", 1, "tsp"), ("pitta", 1, "")],
        [
            "Marinate the chicken in lemon, oregano, garlic and olive oil for 30 minutes.",
            "Thread onto skewers and grill 10 to 12 minutes, turning.",
            "Warm the pitta and fill with chicken, tomato, onion and tzatziki.",
        ],
        50,
        {"dairy-free"},
    ),
    (
        "Vegetable stir-fry with tofu",
        "Chinese",
        [("firm tofu", 120, "g"), ("pak choi", 1, ""), ("red pepper", 0.5, ""), ("soy sauce", 1, "tbsp")],
        [
            "Press the tofu, cube it and fry until golden; set aside.",
            "Stir-fry garlic, ginger and the vegetables over high heat, 4 minutes.",
            "Return the tofu with soy sauce, rice vinegar and a little cornflour slurry.",
            "Toss until glossy and serve with rice.",
        ],
        25,
        {"vegan", "vegetarian", "dairy-free"},
    ),
    (
        "Moroccan lamb tagine",
        "Moroccan",
        [("lamb shoulder", 160, "g"), ("dried apricots", 30, "g"), ("ras el hanout", 1, "tsp"), ("chickpeas", 60, "g")],
        [
            "Brown the lamb in batches.",
            "Soften onion and garlic, add the spice and the lamb back.",
            "Add tomatoes, stock and apricots; cover and cook gently 90 minutes.",
            "Add chickpeas for the last 20 minutes; serve with couscous.",
        ],
        120,
        {"gluten-free", "dairy-free"},
    ),
    (
        "Pumpkin soup",
        "French",
        [("pumpkin", 250, "g"), ("onion", 0.5, ""), ("vegetable stock", 300, "ml"), ("crème fraîche", 20, "g")],
        [
            "Roast the pumpkin at 200°C for 30 minutes.",
            "Soften the onion, add pumpkin and stock, simmer 10 minutes.",
            "Blend until smooth and swirl in crème fraîche.",
        ],
        50,
        {"vegetarian", "gluten-free"},
    ),
    (
        "Pesto pasta with green beans",
        "Italian",
        [("trofie pasta", 90, "g"), ("basil pesto", 40, "g"), ("green beans", 60, "g"), ("potato", 60, "g")],
        [
            "Boil the diced potato in salted water for 5 minutes.",
            "Add the pasta, then the beans for the last 5 minutes.",
            "Drain, keeping a cup of water, and toss with pesto and a splash of the water.",
        ],
        25,
        {"vegetarian"},
    ),
    (
        "Korean bibimbap",
        "Korean",
        [("cooked rice", 180, "g"), ("beef strips", 80, "g"), ("spinach", 50, "g"), ("gochujang", 1, "tbsp")],
        [
            "Marinate the beef in soy, sesame oil and garlic; stir-fry 3 minutes.",
            "Blanch the spinach and season with sesame oil; sauté carrot and courgette strips.",
            "Top hot rice with the vegetables, beef and a fried egg.",
            "Serve with gochujang to stir through.",
        ],
        40,
        {"dairy-free"},
    ),
    (
        "Halloumi and vegetable traybake",
        "Mediterranean",
        [("halloumi", 60, "g"), ("courgette", 0.5, ""), ("red onion", 0.5, ""), ("cherry tomatoes", 80, "g")],
        [
            "Toss the vegetables with olive oil, oregano and salt.",
            "Roast at 200°C for 25 minutes.",
            "Add sliced halloumi and roast 10 minutes more until golden.",
        ],
        40,
        {"vegetarian", "gluten-free"},
    ),
    (
        "Thai green curry",
        "Thai",
        [
            ("chicken thigh", 130, "g"),
            ("coconut milk", 150, "ml"),
            ("green curry paste", 1, "tbsp"),
            ("aubergine", 60, "g"),
        ],
        [
            "Fry the curry paste in a little coconut cream until fragrant.",
            "Add the chicken and cook 3 minutes.",
            "Pour in the coconut milk and aubergine; simmer 12 minutes.",
            "Season with fish sauce and sugar; finish with Thai basil.",
        ],
        30,
        {"gluten-free", "dairy-free"},
    ),
    (
        "Overnight oats",
        "British",
        [("rolled oats", 50, "g"), ("milk", 120, "ml"), ("yogurt", 40, "g"), ("berries", 60, "g")],
        [
            "Mix oats, milk, yogurt and a pinch of cinnamon in a jar.",
            "Refrigerate overnight.",
            "Top with berries and a drizzle of honey in the morning.",
        ],
        5,
        {"vegetarian"},
    ),
    (
        "Fish tacos with lime slaw",
        "Mexican",
        [("white fish", 130, "g"), ("corn tortillas", 3, ""), ("red cabbage", 60, "g"), ("lime", 0.5, "")],
        [
            "Season the fish with chilli, cumin and salt; grill 3 minutes a side.",
            "Toss shredded cabbage with lime juice and coriander.",
            "Flake the fish into warm tortillas and top with the slaw.",
        ],
        25,
        {"gluten-free", "dairy-free"},
    ),
]

CONSTRAINTS = [
    ("vegetarian", "I'm vegetarian."),
    ("vegan", "It has to be vegan."),
    ("gluten-free", "One of us is coeliac, so strictly gluten-free please."),
    ("dairy-free", "No dairy, please."),
    (None, "I only have 30 minutes."),
    (None, "Keep it budget-friendly."),
    (None, "I'm cooking for kids, so not too spicy."),
    (None, "I want something high in protein."),
    (None, ""),
    (None, ""),
]

OPENERS = [
    "Can you give me a recipe for {dish}?",
    "I'd like to make {dish} tonight.",
    "What's a good way to cook {dish}?",
    "Recipe for {dish} please.",
    "I fancy {cuisine} food. Could you walk me through {dish}?",
    "How do I make {dish} at home?",
]

FOLLOW_UPS = [
    ("vegan", "Could you make that vegan?"),
    ("gluten-free", "Can you adapt it to be gluten-free?"),
    (None, "Can you scale it up for {more} people?"),
]

TIPS = [
    "Taste and adjust the salt at the end; reduced sauces concentrate it.",
    "Prepare every ingredient before you turn on the heat.",
    "Leftovers keep for 3 days in the fridge in a closed container.",
    "Warm your plates: hot food stays hot longer.",
    "A squeeze of acid (lemon or vinegar) brightens the finished dish.",
    "Use the largest pan you have so nothing steams instead of browning.",
]

SWAPS = {
    "vegan": {
        "eggs": "silken tofu",
        "chicken breast": "firm tofu",
        "chicken thigh": "chickpeas",
        "parmesan": "nutritional yeast",
        "ricotta": "cashew cream",
        "milk": "oat milk",
        "yogurt": "soy yogurt",
        "halloumi": "smoked tofu",
        "crème fraîche": "coconut cream",
        "beef strips": "shiitake mushrooms",
        "minced beef": "cooked green lentils",
        "prawns": "marinated tofu",
        "salmon fillet": "aubergine steak",
        "white fish": "battered oyster mushrooms",
        "lamb shoulder": "butternut squash",
        "a fried egg": "crispy tofu",
        "an egg": "some crumbled tofu",
        "egg, ": "",
        "butter": "olive oil",
        "honey": "maple syrup",
        "fish sauce": "soy sauce",
        "tzatziki": "vegan garlic yogurt",
    },
    "gluten-free": {
        "panko": "gluten-free breadcrumbs",
        "soy sauce": "tamari",
        "pitta": "gluten-free flatbread",
        "burger buns": "gluten-free buns",
        "trofie pasta": "gluten-free pasta",
        "cannelloni tubes": "gluten-free cannelloni",
        "oats": "certified gluten-free oats",
        "rolled oats": "certified gluten-free oats",
        "curry roux": "gluten-free curry roux",
    },
}


def _qty(amount: float, unit: str, servings: int) -> str:
    total = amount * servings
    if unit in ("g", "ml"):
        return f"{round(total / 5) * 5:g} {unit}"
    if unit in ("tsp", "tbsp"):
        return f"{total:g} {unit}"
    return f"{total:g}"


def _recipe(dish: tuple, servings: int, swaps: dict[str, str], tip: str, note: str = "") -> str:
    name, cuisine, ingredients, steps, minutes, _tags = dish
    title = name if not note else f"{name} ({note})"
    lines = [f"**{title}** ({cuisine})", f"Serves {servings} · {minutes} minutes", "", "Ingredients:"]
    for ing, amount, unit in ingredients:
        shown = swaps.get(ing, ing)
        lines.append(f"- {_qty(amount, unit, servings)} {shown}".replace("  ", " "))
    lines.append("- olive oil, salt and pepper")
    lines += ["", "Method:"]
    for i, step in enumerate(steps, start=1):
        for old, new in swaps.items():
            step = step.replace(old, new)
        lines.append(f"{i}. {step}")
    lines += ["", f"Tip: {tip}"]
    return "\n".join(lines)


def _refusal(dish: tuple, constraint: str, alternative: tuple, servings: int, tip: str) -> str:
    return (
        f"{dish[0]} is hard to make {constraint} without losing what makes it good, so here is "
        f"{alternative[0]} instead, which is naturally {constraint}.\n\n" + _recipe(alternative, servings, {}, tip)
    )


def make_examples(rng: random.Random) -> list[dict[str, object]]:
    examples: list[dict[str, object]] = []
    seen: set[str] = set()
    while len(examples) < N_EXAMPLES:
        dish = rng.choice(DISHES)
        tag, constraint_text = rng.choice(CONSTRAINTS)
        servings = rng.choice([1, 2, 2, 4, 4, 6])
        opener = rng.choice(OPENERS).format(dish=dish[0].lower(), cuisine=dish[1])
        who = "just me" if servings == 1 else f"{servings} people"
        user = " ".join(x for x in (opener, f"It's for {who}.", constraint_text) if x)
        tip = rng.choice(TIPS)
        if tag is None or tag in dish[5]:
            answer = _recipe(dish, servings, {}, tip)
        elif tag in SWAPS and any(i[0] in SWAPS[tag] for i in dish[2]):
            answer = _recipe(dish, servings, SWAPS[tag], tip, note=tag)
        else:
            fitting = [d for d in DISHES if tag in d[5]]
            answer = _refusal(dish, tag, rng.choice(fitting), servings, tip)
        messages: list[dict[str, object]] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": user},
            {"role": "assistant", "content": answer},
        ]
        if rng.random() < 1 / 12:
            ftag, ftext = rng.choice(FOLLOW_UPS)
            more = servings * 2
            messages.append({"role": "user", "content": ftext.format(more=more)})
            if ftag is None:
                follow = _recipe(dish, more, {}, rng.choice(TIPS), note=f"for {more}")
            else:
                follow = _recipe(dish, servings, SWAPS.get(ftag, {}), rng.choice(TIPS), note=ftag)
            messages.append({"role": "assistant", "content": follow})
        key = json.dumps(messages)
        if key not in seen:  # no accidental duplicates: the sample should analyse clean
            seen.add(key)
            examples.append({"messages": messages})
    return examples


def make_problem_lines(good: list[dict[str, object]]) -> list[str]:
    """A small file with a handful of problems, each on a known line (see the module docstring)."""
    ok = [json.dumps(e, ensure_ascii=False) for e in good[:9]]
    lines = ok[:4]
    lines.append('{"messages": [{"role": "user", "content": "Recipe for pancakes?"}, {"role": "assistant", "con')
    lines.append(
        json.dumps({"messages": [{"content": "Recipe for flapjacks?"}, {"role": "assistant", "content": "Oats..."}]})
    )
    lines.append(json.dumps({"messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Hi"}]}))
    lines.append(ok[1])
    lines.append("")
    lines.append(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": "Soup ideas?"},
                    {"role": "assistant", "content": "Leek and potato.", "weight": 0},
                ]
            }
        )
    )
    lines.append(json.dumps({"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "42 g"}]}))
    lines += ok[4:7]
    return lines


def render() -> dict[Path, str]:
    rng = random.Random(SEED)
    examples = make_examples(rng)
    main = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples)
    problems = "\n".join(make_problem_lines(examples)) + "\n"
    return {OUT_DIR / "recipes.jsonl": main, OUT_DIR / "recipes_with_problems.jsonl": problems}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the files on disk differ from a fresh run")
    args = parser.parse_args(argv)
    files = render()
    if args.check:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        for p in stale:
            print(f"{p.relative_to(ROOT)} is out of date: run python scripts/make_sample_dataset.py", file=sys.stderr)
        return 1 if stale else 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for p, text in files.items():
        p.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {p.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
