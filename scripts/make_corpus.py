#!/usr/bin/env python3
"""Generate data/corpus.txt, the small training corpus for embspace's word2vec and GloVe.

What it is for: a corpus small enough to train word embeddings in a unit test (well under a
second) yet with structure the tests and demos can check. Sentences come from templates in seven
topics (people and royalty, animals, food, vehicles, places, numbers, colours), grouped in short
runs of one topic, so words of a topic share contexts. People come in gendered pairs
(king/queen, man/woman, prince/princess, ...) used in identical templates that differ only in
the word and its pronoun (he/his vs she/her), so offsets such as king - man + woman have a
chance to land near queen. Content words are drawn with Zipf weights (1/rank) inside their
list and function words recur in every template, so token frequencies are roughly Zipfian.

All text is written here from scratch (no third-party text). Output is lowercase, one sentence a
line, no punctuation; lines starting with '#' are comments that `tokenize` skips.
Deterministic: a fixed seed and the Python standard library only. Regenerate with

    python3 scripts/make_corpus.py
"""

import random
from pathlib import Path

SEED = 20240613
TARGET_TOKENS = 20_000

ANIMALS = ["dog", "cat", "horse", "cow", "bird", "fish", "sheep", "pig", "rabbit", "mouse", "lion",
           "duck", "goat", "bear", "wolf", "fox", "chicken", "tiger", "frog", "deer", "owl", "monkey",
           "snake", "whale", "elephant"]
ANIMAL_VERBS = ["runs", "sleeps", "plays", "hides", "rests", "hunts", "jumps", "swims", "barks", "sings"]
ANIMAL_PLACES = ["farm", "field", "forest", "barn", "pond", "meadow", "zoo", "jungle", "nest", "cave"]
ANIMAL_ADJS = ["small", "big", "young", "wild", "hungry", "fast", "lazy", "old", "tame", "furry"]
ANIMAL_FOOD = ["grass", "seeds", "meat", "hay", "corn", "worms", "leaves", "carrots"]

FOODS = ["bread", "cheese", "apple", "rice", "soup", "milk", "cake", "egg", "butter", "tea", "coffee",
         "banana", "pasta", "salad", "honey", "potato", "tomato", "pie", "juice", "cookie", "orange",
         "sugar", "salt", "jam", "pear"]
FOOD_VERBS = ["eats", "cooks", "buys", "likes", "makes", "wants", "bakes", "sells", "tastes", "shares"]
FOOD_PLACES = ["kitchen", "market", "shop", "table", "bakery", "restaurant", "cafe", "garden"]
FOOD_ADJS = ["fresh", "hot", "sweet", "warm", "cold", "tasty", "soft", "sour", "ripe", "salty"]
MEALS = ["breakfast", "lunch", "dinner", "supper"]

VEHICLES = ["car", "bus", "train", "truck", "bike", "boat", "ship", "plane", "taxi", "van", "tram",
            "tractor", "scooter", "helicopter", "rocket"]
VEHICLE_VERBS = ["drives", "rides", "parks", "fixes", "washes", "takes", "stops", "paints"]
VEHICLE_PLACES = ["road", "street", "station", "bridge", "garage", "highway", "airport", "harbour",
                  "tunnel", "port"]
VEHICLE_ADJS = ["new", "fast", "old", "slow", "loud", "big", "quiet", "heavy", "shiny", "broken"]
MOVES = ["goes", "moves", "arrives", "leaves", "turns", "waits"]

# (male, female): the same templates, only the word and its pronouns differ.
ROYAL_PAIRS = [("king", "queen"), ("prince", "princess"), ("lord", "lady"), ("duke", "duchess"),
               ("emperor", "empress")]
PEOPLE_PAIRS = [("man", "woman"), ("boy", "girl"), ("father", "mother"), ("son", "daughter"),
                ("brother", "sister"), ("husband", "wife"), ("uncle", "aunt"),
                ("grandfather", "grandmother"), ("nephew", "niece")]
ROYAL_THINGS = ["crown", "throne", "palace", "castle", "kingdom", "court", "army", "realm"]
ROYAL_VERBS = ["rules", "commands", "guards", "visits", "leaves", "loves"]
PEOPLE_VERBS = ["visits", "helps", "calls", "meets", "loves", "teaches", "finds", "thanks"]
PEOPLE_THINGS = ["book", "letter", "song", "story", "gift", "house", "garden", "friend"]
PRONOUNS = {"m": ("he", "his", "him"), "f": ("she", "her", "her")}

NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
COLOURS = ["red", "blue", "green", "white", "black", "yellow", "brown", "grey", "pink", "purple"]
MIXES = [("blue", "yellow", "green"), ("red", "white", "pink"), ("red", "blue", "purple"),
         ("black", "white", "grey"), ("red", "yellow", "orange")]
COLOURED = [("sky", "blue"), ("grass", "green"), ("snow", "white"), ("night", "black"),
            ("sun", "yellow"), ("blood", "red"), ("sea", "blue"), ("leaves", "green"),
            ("mud", "brown"), ("cloud", "grey"), ("rose", "pink"), ("plum", "purple")]

SETTLEMENTS = ["town", "village", "city", "country", "island", "valley"]
LANDMARKS = ["mountain", "river", "lake", "sea", "hill", "coast", "desert", "border"]
DIRECTIONS = ["north", "south", "east", "west"]
TRAVEL_VERBS = ["lies", "sits", "stands", "grows"]


def zipf(rng, words):
    """A word from the list with weight 1/rank (the first is the most frequent)."""
    return rng.choices(words, weights=[1.0 / (i + 1) for i in range(len(words))])[0]


def person(rng, pairs):
    """A gendered word and its gender, the pair by Zipf weight, the gender by a fair coin."""
    pair = zipf(rng, pairs)
    gender = rng.choice("mf")
    return (pair[0] if gender == "m" else pair[1]), gender


def royalty(rng):
    who, g = person(rng, ROYAL_PAIRS)
    he, his, him = PRONOUNS[g]
    kin, _ = person(rng, PEOPLE_PAIRS)
    thing = zipf(rng, ROYAL_THINGS)
    heir = "prince" if g == "m" else "princess"
    return rng.choice([
        f"the {who} sits on {his} throne in the palace",
        f"the {who} wears a golden crown",
        f"{he} is the {who} of the kingdom",
        f"the {who} {zipf(rng, ROYAL_VERBS)} the {thing}",
        f"the royal {who} and {his} {kin} walk to the castle",
        f"the people of the realm bow to {him} because {he} is the {who}",
        f"the old {who} gives {his} crown to the young {heir}",
        f"the {who} rides to the court with {his} army",
    ])


def people(rng):
    who, g = person(rng, PEOPLE_PAIRS)
    he, his, him = PRONOUNS[g]
    kin, _ = person(rng, PEOPLE_PAIRS)
    return rng.choice([
        f"the {who} {zipf(rng, PEOPLE_VERBS)} {his} {kin}",
        f"{he} is a kind {who} and {he} reads a {zipf(rng, PEOPLE_THINGS)}",
        f"the {who} writes a {zipf(rng, PEOPLE_THINGS)} to {his} {kin}",
        f"the {kin} gives {him} a {zipf(rng, PEOPLE_THINGS)}",
        f"the young {who} lives in a {zipf(rng, SETTLEMENTS)} with {his} {kin}",
        f"{he} is the {who} and {he} has a {kin}",
        f"the {who} {zipf(rng, FOOD_VERBS)} {zipf(rng, FOODS)} for {his} {kin}",
        f"the {who} {zipf(rng, VEHICLE_VERBS)} {his} {zipf(rng, VEHICLES)}",
    ])


def animals(rng):
    a, b = zipf(rng, ANIMALS), zipf(rng, ANIMALS)
    adj, place = zipf(rng, ANIMAL_ADJS), zipf(rng, ANIMAL_PLACES)
    return rng.choice([
        f"the {adj} {a} {zipf(rng, ANIMAL_VERBS)} in the {place}",
        f"a {a} and a {b} live on the {place}",
        f"the {a} eats {zipf(rng, ANIMAL_FOOD)} in the {place}",
        f"the {a} chases the {b} across the {place}",
        f"a {adj} {a} is an animal",
        f"the {a} is {adj} and the {b} is {zipf(rng, ANIMAL_ADJS)}",
        f"the farmer feeds the {a} and the {b}",
        f"the {a} has {zipf(rng, NUMBERS)} babies in the {place}",
        f"the {zipf(rng, COLOURS)} {a} {zipf(rng, ANIMAL_VERBS)} near the {place}",
    ])


def food(rng):
    a, b = zipf(rng, FOODS), zipf(rng, FOODS)
    adj, place = zipf(rng, FOOD_ADJS), zipf(rng, FOOD_PLACES)
    meal = zipf(rng, MEALS)
    who = rng.choice(["he", "she", "we", "they"])
    return rng.choice([
        f"the cook {zipf(rng, FOOD_VERBS)} {adj} {a} in the {place}",
        f"we eat {a} and {b} for {meal}",
        f"the {a} is {adj} and the {b} is {zipf(rng, FOOD_ADJS)}",
        f"{who} buys {a} and {b} at the {place}",
        f"{who} {zipf(rng, FOOD_VERBS)} {a} with {b} for {meal}",
        f"a {adj} {a} is good food",
        f"there is {a} on the table for {meal}",
        f"they drink {zipf(rng, ['tea', 'coffee', 'milk', 'juice', 'water'])} with {meal}",
    ])


def vehicles(rng):
    a, b = zipf(rng, VEHICLES), zipf(rng, VEHICLES)
    adj, place = zipf(rng, VEHICLE_ADJS), zipf(rng, VEHICLE_PLACES)
    return rng.choice([
        f"the {adj} {a} {zipf(rng, MOVES)} at the {place}",
        f"the driver {zipf(rng, VEHICLE_VERBS)} the {a} on the {place}",
        f"a {a} is faster than a {b}",
        f"we take the {a} to the {place}",
        f"the {a} and the {b} wait on the {place}",
        f"the {zipf(rng, COLOURS)} {a} {zipf(rng, MOVES)} from the {place}",
        f"the {a} carries {zipf(rng, NUMBERS)} people to the {zipf(rng, SETTLEMENTS)}",
        f"the mechanic fixes the {adj} {a} in the garage",
    ])


def places(rng):
    s, t = zipf(rng, SETTLEMENTS), zipf(rng, SETTLEMENTS)
    land, d = zipf(rng, LANDMARKS), zipf(rng, DIRECTIONS)
    return rng.choice([
        f"the {s} {zipf(rng, TRAVEL_VERBS)} near the {land}",
        f"the {s} is {d} of the {t}",
        f"we travel {d} from the {s} to the {land}",
        f"the road to the {s} goes along the {land}",
        f"in the {d} of the country there is a {land}",
        f"people in the {s} walk to the {land}",
    ])


def numbers(rng):
    i, j = rng.randrange(1, 6), rng.randrange(1, 6)
    k = rng.randrange(2, 10)
    n = NUMBERS
    return rng.choice([
        f"{n[i - 1]} plus {n[j - 1]} is {n[i + j - 1]}",
        f"{n[k - 1]} comes after {n[k - 2]}",
        f"{n[k - 1]} comes before {n[k]}",
        f"{n[k - 1]} minus one is {n[k - 2]}",
        f"the number {n[k - 1]} is bigger than {n[k - 2]}",
        f"two times {n[i - 1]} is {n[2 * i - 1]}",
    ])


def colours(rng):
    a, b, c = rng.choice(MIXES)
    thing, colour = rng.choice(COLOURED)
    return rng.choice([
        f"the {thing} is {colour}",
        f"{a} and {b} make {c}",
        f"{zipf(rng, COLOURS)} is a colour and {zipf(rng, COLOURS)} is a colour",
        f"she paints the wall {zipf(rng, COLOURS)} and {zipf(rng, COLOURS)}",
        f"his shirt is {zipf(rng, COLOURS)} and her dress is {zipf(rng, COLOURS)}",
    ])


TOPICS = [(people, 0.2), (royalty, 0.14), (animals, 0.2), (food, 0.17), (vehicles, 0.13),
          (places, 0.07), (numbers, 0.05), (colours, 0.04)]


def main():
    rng = random.Random(SEED)
    lines = [
        "# embspace training corpus: generated by scripts/make_corpus.py (do not edit by hand).",
        "# Lowercase template sentences in runs of one topic; one sentence a line; '#' lines are comments.",
    ]
    tokens = 0
    while tokens < TARGET_TOKENS:
        topic = rng.choices([t for t, _ in TOPICS], weights=[w for _, w in TOPICS])[0]
        for _ in range(rng.randint(3, 6)):
            sentence = topic(rng)
            lines.append(sentence)
            tokens += len(sentence.split())
    out = Path(__file__).resolve().parent.parent / "data" / "corpus.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
