"""Facts: every offline fact is true (re-derived here, independently), and live facts fall back correctly.

The offline facts are made of sentences with fixed shapes; SENTENCES below pairs each shape with a check that
recomputes its claims its own way (a sieve, brute-force divisors, datetime, Zeller's congruence, …). Every sentence
of every fact for 0..10,000 must match a shape and pass its check. Live facts are fetched with urllib from
tests/facts_stub.py on loopback, over HTTP and HTTPS, in each of the stub's modes.
"""
import asyncio
import calendar
import concurrent.futures
import datetime
import math
import re
import ssl
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

import facts
from tests.facts_stub import XSS_TEXT, FactsStub, normal_text


def run(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API (browser tests in the same session) keeps an
    event loop running in the main thread, where asyncio.run refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()

N_MAX = 10_000
SIEVE = np.ones(N_MAX + 1, dtype=bool)
SIEVE[:2] = False
for _p in range(2, math.isqrt(N_MAX) + 1):
    if SIEVE[_p]:
        SIEVE[_p * _p::_p] = False
MERSENNE_61 = 2 ** 61 - 1  # proven prime (Pervushin, 1883): too big to check by trial division here
FIBONACCI = [0, 1]
while FIBONACCI[-1] < 10 ** 60:
    FIBONACCI.append(FIBONACCI[-1] + FIBONACCI[-2])
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
MONTHS = {name: i + 1 for i, name in enumerate(calendar.month_name[1:])}
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
CANONICAL_ROMAN = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


# --- Independent arithmetic -----------------------------------------------------------------------------------

def proven_prime(n):
    """True when n is shown prime here: sieve, numpy trial division (n < 10**14) or a known proof."""
    if n <= N_MAX:
        return bool(SIEVE[n])
    if n == MERSENNE_61:
        return True
    assert n < 10 ** 14, "cannot verify the primality of %d here" % n
    for start in range(3, math.isqrt(n) + 1, 2_000_000):
        odd = np.arange(start, min(start + 2_000_000, math.isqrt(n) + 1), 2, dtype=np.int64)
        if n % 2 == 0 or np.any(np.int64(n) % odd == 0):
            return False
    return n % 2 == 1


def proven_composite(n):
    """True when n is shown composite: the sieve, or a Fermat witness (a**(n-1) != 1 mod n proves it)."""
    if n <= N_MAX:
        return n >= 4 and not SIEVE[n]
    return any(pow(a, n - 1, n) != 1 for a in (2, 3, 5, 7, 11, 13))


def proper_divisors(n):
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]) - {n})


def digit_total(n):
    return sum(int(d) for d in str(n))


def roman_value(numeral):
    values = [ROMAN_VALUES[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def day_of_year(year, month_name, day):
    return datetime.date(year, MONTHS[month_name], int(day)).timetuple().tm_yday


def new_year_weekday(year):
    """Zeller's congruence for January 1 (month 13 of the year before), Gregorian: 0 = Monday."""
    y = year - 1
    h = (1 + 13 * 14 // 5 + y % 100 + (y % 100) // 4 + (y // 100) // 4 + 5 * (y // 100)) % 7  # 0 = Saturday
    return (h + 5) % 7


def ordinal_suffix(k):
    if k % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")


def plural_ok(count, word):
    return word.endswith("s") == (count != 1)


# --- The sentence shapes and their checks: check(n, *groups) asserts the claims -------------------------------

def check_same(n, *numbers):
    assert all(int(x) == n for x in numbers), "the sentence is about another number"


def check_neither(n, m):
    check_same(n, m)
    assert n in (0, 1)


def check_prime(n, m):
    check_same(n, m)
    assert proven_prime(n)


def check_factorization(n, m, m2, product):
    check_same(n, m, m2)
    bases, exponents = [], []
    for term in product.split(" × "):
        base, written = re.fullmatch(r"(\d+)([⁰¹²³⁴⁵⁶⁷⁸⁹]*)", term).groups()
        assert written.translate(SUPERSCRIPTS) not in ("0", "1"), "exponents 0 and 1 are not written"
        assert proven_prime(int(base)), "%s is not prime" % base
        bases.append(int(base))
        exponents.append(int(written.translate(SUPERSCRIPTS) or 1))
    assert bases == sorted(set(bases)), "primes listed once, in order"
    assert math.prod(p ** e for p, e in zip(bases, exponents)) == n, "n is the product"
    assert sum(exponents) >= 2, "a product of two or more primes is not prime"


def check_divisible(n, m, p):
    check_same(n, m)
    assert n > int(p) > 1 and n % int(p) == 0


def check_composite(n, m):
    check_same(n, m)
    assert proven_composite(n)


def check_perfect_sum(n, m, terms, total):
    check_same(n, m, total)
    assert [int(t) for t in terms.split(" + ")] == proper_divisors(n) and 2 * n == sum(proper_divisors(n)) + n


def check_perfect(n, m):
    check_same(n, m)
    assert sum(proper_divisors(n)) == n


def check_factorial(n, m, k, k2):
    check_same(n, m)
    assert k == k2 and math.factorial(int(k)) == n and int(k) >= 3


def check_narcissistic(n, m, terms, total):
    check_same(n, m, total)
    pairs = [re.fullmatch(r"(\d)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", t).groups() for t in terms.split(" + ")]
    assert "".join(d for d, _ in pairs) == str(n)
    assert all(int(e.translate(SUPERSCRIPTS)) == len(str(n)) for _, e in pairs)
    assert sum(int(d) ** len(str(n)) for d, _ in pairs) == n


def check_fibonacci(n, m, a, b, total):
    check_same(n, m, total)
    assert (int(a), int(b), n) in zip(FIBONACCI, FIBONACCI[1:], FIBONACCI[2:])


def check_power_of_two(n, m, zeros):
    check_same(n, m)
    assert bin(n) == "0b1" + "0" * int(zeros) and n >= 4


def check_cube(n, m, m2, k):
    check_same(n, m, m2)
    assert int(k) ** 3 == n and int(k) >= 2


def check_square(n, m, m2, k):
    check_same(n, m, m2)
    assert int(k) ** 2 == n and int(k) >= 2


def check_triangular(n, m, k):
    check_same(n, m)
    assert int(k) * (int(k) + 1) // 2 == n and int(k) >= 3  # 1 + 2 + … + k, paired from both ends


def check_palindrome(n, m):
    check_same(n, m)
    assert str(n) == str(n)[::-1] and n >= 10


def check_harshad(n, m, total):
    check_same(n, m)
    assert int(total) == digit_total(n) > 1 and n % int(total) == 0


def check_binary(n, m, bits):
    check_same(n, m)
    assert int(bits, 2) == n and (bits == "0" or bits[0] == "1")


def check_hexadecimal(n, m, digits):
    check_same(n, m)
    assert int(digits, 16) == n and digits == digits.upper() and (digits == "0" or digits[0] != "0")


def check_roman(n, m, numeral):
    check_same(n, m)
    assert CANONICAL_ROMAN.fullmatch(numeral) and roman_value(numeral) == n


def check_digit_sum(n, m, total):
    check_same(n, m)
    assert int(total) == digit_total(n)


def check_handshakes(n, m, count, word):
    check_same(n, m)
    assert int(count) == math.comb(n, 2) and plural_ok(int(count), word)


def check_diagonals(n, m, count, word):
    check_same(n, m)
    assert int(count) == math.comb(n, 2) - n and n >= 4 and plural_ok(int(count), word)


def check_seconds(n, m, duration):
    check_same(n, m)
    parts = re.split(r", | and ", duration)
    assert len(parts) == 1 or duration.count(" and ") == 1 and duration.endswith(parts[-1])
    seconds = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}
    units = []
    for part in parts:
        count, word = part.split(" ")
        unit = word.rstrip("s")
        assert plural_ok(int(count), word) and int(count) > 0
        assert unit == "day" or int(count) * seconds[unit] < {"hour": 86400, "minute": 3600, "second": 60}[unit]
        units.append(unit)
    assert units == sorted(units, key=lambda u: -seconds[u]) and len(set(units)) == len(units)
    assert sum(int(p.split(" ")[0]) * seconds[u] for p, u in zip(parts, units)) == n


def check_exact_weeks(n, m, weeks, word):
    check_same(n, m)
    assert 7 * int(weeks) == n and plural_ok(int(weeks), word)


def check_weeks(n, m, weeks, week_word, days, day_word):
    check_same(n, m)
    assert 7 * int(weeks) + int(days) == n and 0 < int(days) < 7
    assert plural_ok(int(weeks), week_word) and plural_ok(int(days), day_word)


def check_no_day_0(n):
    assert n == 0


def check_no_such_day(n, m):
    check_same(n, m)
    assert n > 366 == datetime.date(2024, 12, 31).timetuple().tm_yday  # 2024: a leap year, the longest kind


def check_day_366(n):
    assert n == 366 and day_of_year(2024, "December", 31) == 366 and day_of_year(2023, "December", 31) == 365


def check_day(n, m, month, day):
    check_same(n, m)
    assert day_of_year(2023, month, day) == n == day_of_year(2024, month, day)


def check_day_both(n, m, month, day, leap_month, leap_day):
    check_same(n, m)
    assert day_of_year(2023, month, day) == n == day_of_year(2024, leap_month, leap_day)
    assert (month, day) != (leap_month, leap_day)


def check_no_year_0(n):
    assert n == 0


def check_leap(n, proleptic, m, verdict, reason):
    check_same(n, m)
    assert bool(proleptic) == (n < 1583)
    assert (verdict == "is") == calendar.isleap(n)
    assert {"it is divisible by 400": n % 400 == 0,
            "it is divisible by 100 but not by 400": n % 100 == 0 and n % 400 != 0,
            "it is divisible by 4 and not by 100": n % 4 == 0 and n % 100 != 0,
            "it is not divisible by 4": n % 4 != 0}[reason]


def check_new_year(n, weekday):
    expected = new_year_weekday(n)
    if n <= 9999:
        assert datetime.date(n, 1, 1).weekday() == expected
    assert calendar.day_name[expected] == weekday


def check_century(n, m, number, suffix):
    check_same(n, m)
    assert n % 100 != 0 and int(number) == n // 100 + 1 and suffix == ordinal_suffix(int(number))


def check_last_of_century(n, m, number, suffix):
    check_same(n, m)
    assert n % 100 == 0 and int(number) == n // 100 and suffix == ordinal_suffix(int(number))


def check_too_long(n, bits):
    assert int(bits) == n.bit_length() > 3000


N = r"(\d+)"
SENTENCES = [(re.compile(pattern), check) for pattern, check in [
    (N + r" is neither prime nor composite\.", check_neither),
    (N + r" is a prime number\.", check_prime),
    (N + r" is not prime: " + N + r" = ([\d⁰¹²³⁴⁵⁶⁷⁸⁹ ×]+)\.", check_factorization),
    (N + r" is not prime: it is divisible by " + N + r"\.", check_divisible),
    (N + r" is not prime\.", check_composite),
    (N + r" is a perfect number: ([\d +]+) = " + N + r"\.", check_perfect_sum),
    (N + r" is a perfect number: it is the sum of its divisors other than itself\.", check_perfect),
    (N + r" = " + N + r"!, the product of the whole numbers from 1 to " + N + r"\.", check_factorial),
    (N + r" is a narcissistic number: ([\d⁰¹²³⁴⁵⁶⁷⁸⁹ +]+) = " + N + r"\.", check_narcissistic),
    (N + r" is a Fibonacci number: " + N + r" \+ " + N + r" = " + N + r"\.", check_fibonacci),
    (N + r" is a power of two: in binary it is 1 followed by " + N + r" zeros\.", check_power_of_two),
    (N + r" is a perfect cube: " + N + r" = " + N + r"³\.", check_cube),
    (N + r" is a perfect square: " + N + r" = " + N + r"²\.", check_square),
    (N + r" is a triangular number: the sum of the whole numbers from 1 to " + N + r"\.", check_triangular),
    (N + r" is a palindrome: it reads the same backwards\.", check_palindrome),
    (N + r" is a Harshad number: it is divisible by the sum of its digits, " + N + r"\.", check_harshad),
    (r"In binary, " + N + r" is ([01]+)\.", check_binary),
    (r"In hexadecimal, " + N + r" is ([0-9A-F]+)\.", check_hexadecimal),
    (r"In Roman numerals, " + N + r" is written ([MDCLXVI]+)\.", check_roman),
    (r"The digits of " + N + r" add up to " + N + r"\.", check_digit_sum),
    (r"If " + N + r" people all shake hands with each other, that makes " + N + r" (handshakes?)\.",
     check_handshakes),
    (r"A polygon with " + N + r" sides has " + N + r" (diagonals?)\.", check_diagonals),
    (N + r" seconds is ([\w ,]+)\.", check_seconds),
    (N + r" days is exactly " + N + r" (weeks?)\.", check_exact_weeks),
    (N + r" days is " + N + r" (weeks?) and " + N + r" (days?)\.", check_weeks),
    (r"There is no day 0 of the year: day 1 is January 1\.", check_no_day_0),
    (r"A year has at most 366 days, so there is no day " + N + r" of the year\.", check_no_such_day),
    (r"Day 366 exists only in leap years: it is December 31\.", check_day_366),
    (r"Day " + N + r" of the year is (\w+) " + N + r"\.", check_day),
    (r"Day " + N + r" of the year is (\w+) " + N + r" — (\w+) " + N + r" in a leap year\.", check_day_both),
    (r"There is no year 0 in the Gregorian calendar: 1 BC is followed by AD 1\.", check_no_year_0),
    (r"In the (proleptic )?Gregorian calendar, " + N + r" (is|is not) a leap year: ([\w ]+)\.", check_leap),
    (r"Its January 1 is a (\w+)\.", check_new_year),
    (r"The year " + N + r" is in the " + N + r"(st|nd|rd|th) century\.", check_century),
    (r"The year " + N + r" is the last year of the " + N + r"(st|nd|rd|th) century\.", check_last_of_century),
    (r"That number has " + N + r" binary digits — too many for a fact\.", check_too_long),
]]


def problems_in(fact, used=None):
    """What is wrong with an offline fact's sentences ([] if each matches a shape and its claims hold)."""
    found = []
    sentences = re.split(r"(?<=\.) (?=\S)", fact.text)
    for sentence in sentences:
        for index, (pattern, check) in enumerate(SENTENCES):
            match = pattern.fullmatch(sentence)
            if match:
                try:
                    check(fact.number, *match.groups())
                except (AssertionError, ValueError, KeyError, AttributeError) as error:
                    found.append("%s %d: %r is false (%s)" % (fact.kind, fact.number, sentence, error))
                if used is not None:
                    used.add(index)
                break
        else:
            found.append("%s %d: %r has no known shape" % (fact.kind, fact.number, sentence))
    return found


# --- Offline facts ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", facts.KINDS)
def test_every_offline_fact_for_0_to_10000_is_true(kind):
    used, found = set(), []
    for n in range(N_MAX + 1):
        fact = facts.offline_fact(n, kind)
        assert (fact.number, fact.kind, fact.source) == (n, kind, "offline")
        if kind == "trivia" and n in facts.TRIVIA:
            assert fact.text == facts.TRIVIA[n]
            continue
        found += problems_in(fact, used)
    assert not found, "%d false or unknown sentences, e.g.\n" % len(found) + "\n".join(found[:15])
    shapes = {SENTENCES[i][1].__name__.removeprefix("check_") for i in used}
    assert shapes == SHAPES_USED[kind], "every shape of sentence is used and checked"


SHAPES_USED = {
    "trivia": {"handshakes", "diagonals", "seconds", "exact_weeks", "weeks", "roman"},
    "math": {"neither", "prime", "factorization", "perfect_sum", "perfect", "factorial", "narcissistic",
             "fibonacci", "power_of_two", "cube", "square", "triangular", "palindrome", "harshad", "binary",
             "hexadecimal", "roman", "digit_sum"},  # "divisible" and "composite" need numbers past 10**24
    "date": {"no_day_0", "no_such_day", "day_366", "day", "day_both", "exact_weeks", "weeks"},
    "year": {"no_year_0", "leap", "new_year", "century", "last_of_century"},
}


def test_the_checks_catch_false_sentences():
    """The checker above must fail on false claims, or the sweep proves nothing."""
    lies = [("math", 9, "9 is a prime number."), ("math", 12, "12 is not prime: 12 = 2 × 6."),
            ("math", 12, "12 is not prime: 12 = 2² × 3¹."), ("math", 28, "28 is a perfect number: 1 + 2 + 4 + 14 = 28."),
            ("math", 21, "21 is a Fibonacci number: 8 + 12 = 21."), ("math", 49, "In Roman numerals, 49 is written IL."),
            ("math", 42, "In binary, 42 is 101011."), ("date", 60, "Day 60 of the year is March 1."),
            ("year", 1900, "In the Gregorian calendar, 1900 is a leap year: it is divisible by 4 and not by 100."),
            ("year", 2024, "Its January 1 is a Tuesday."), ("year", 2000, "The year 2000 is in the 21st century."),
            ("trivia", 100, "100 seconds is 1 minute and 30 seconds."), ("trivia", 8, "8 days is 1 weeks and 1 day."),
            ("math", 153, "153 is a narcissistic number: 1³ + 5³ + 4³ = 153."),
            ("math", 12, "12 is a Harshad number: it is divisible by the sum of its digits, 4.")]
    for kind, n, text in lies:
        assert problems_in(facts.Fact(text, n, kind, "offline")), text


def test_math_facts_name_what_makes_a_number_special():
    for n in range(2, N_MAX + 1):
        text = facts.offline_fact(n, "math").text
        if SIEVE[n]:
            assert "%d is a prime number." % n in text
        else:
            assert "%d is not prime: %d = " % (n, n) in text
    for n in (6, 28, 496, 8128):
        assert "%d is a perfect number" % n in facts.offline_fact(n, "math").text
    for n in (153, 370, 371, 407, 1634, 8208, 9474):
        assert "%d is a narcissistic number" % n in facts.offline_fact(n, "math").text


def test_hand_written_trivia_covers_the_digits_and_states_true_arithmetic():
    assert set(range(10)) <= set(facts.TRIVIA)
    for n, text in facts.TRIVIA.items():
        assert str(n) in text and text.endswith(".") and len(text) <= facts.MAX_TEXT
        assert facts.offline_fact(n, "trivia").text == text
    assert sum(proper_divisors(6)) == 6 and 1 + 2 + 3 == 6  # "6 is the smallest perfect number"
    assert all(sum(proper_divisors(k)) != k for k in range(2, 6))
    assert [p for p in range(2, 30) if SIEVE[p]][:9] == [2, 3, 5, 7, 11, 13, 17, 19, 23] and 2 + 3 + 5 + 7 + 11 + 13 + 17 + 19 + 23 == 100
    assert {(a, b) for a in range(1, 13) for b in range(a, 13) if a ** 3 + b ** 3 == 1729} == {(1, 12), (9, 10)}
    assert not any(len({(a, b) for a in range(1, 13) for b in range(a, 13) if a ** 3 + b ** 3 == k}) >= 2
                   for k in range(1, 1729))


LARGE = [
    999_983 * 1_000_003,  # two 6-digit primes: needs Pollard's rho
    3_215_031_751,  # a strong pseudoprime to bases 2, 3, 5, 7 (= 151 × 751 × 28351)
    1_234_567_891_011,
    600_851_475_143,
    MERSENNE_61,
    2 ** 64,
    10 ** 30,
    12 ** 20,
    1_000_000_007 * 998_244_353,
    (2 ** 89 - 1) * (2 ** 107 - 1),  # too big to factor quickly: the text must not claim more than it knows
    3_317_044_064_679_887_385_961_981,  # the bound of the 13-base Miller–Rabin test
    10 ** 50 + 1,
    2 ** 4000 + 1,
]


@pytest.mark.parametrize("n", LARGE)
def test_large_numbers_get_true_facts(n):
    for kind in facts.KINDS:
        fact = facts.offline_fact(n, kind)
        assert fact.number == n and fact.source == "offline" and fact.text
        assert not problems_in(fact), problems_in(fact)


def test_large_numbers_get_what_can_be_proven():
    assert facts.offline_fact(999_983 * 1_000_003, "math").text.startswith(
        "999985999949 is not prime: 999985999949 = 999983 × 1000003.")
    assert facts.offline_fact(MERSENNE_61, "math").text.startswith("%d is a prime number." % MERSENNE_61)
    assert "3215031751 = 151 × 751 × 28351." in facts.offline_fact(3_215_031_751, "math").text
    assert "2⁶⁴" in facts.offline_fact(2 ** 64, "math").text
    mersenne_product = (2 ** 89 - 1) * (2 ** 107 - 1)  # two Mersenne primes: Pollard's rho is not tried
    assert facts.offline_fact(mersenne_product, "math").text.startswith("%d is not prime." % mersenne_product)
    assert facts.offline_fact(10 ** 50 + 1, "math").text.startswith("%d is not prime: it is divisible by 101."
                                                                    % (10 ** 50 + 1))
    # A strong pseudoprime to base 2 beyond the exact Miller–Rabin range: its primality is not claimed either way.
    assert "prime" not in facts.offline_fact(3_317_044_064_679_887_385_961_981, "math").text


def test_is_prime_is_exact_below_the_miller_rabin_bound_and_honest_above():
    assert [n for n in range(N_MAX + 1) if facts.is_prime(n)] == list(np.flatnonzero(SIEVE))
    # Carmichael numbers and strong pseudoprimes to the first bases (psi_4, psi_12 of Sorenson & Webster).
    for composite in (561, 41041, 3_215_031_751, 318_665_857_834_031_151_167_461):
        assert facts.is_prime(composite) is False
    assert facts.is_prime(MERSENNE_61) is True
    assert facts.is_prime(3_317_044_064_679_887_385_961_981) is None  # beyond the bound: undecided, not "prime"
    assert facts.is_prime((2 ** 89 - 1) * (2 ** 107 - 1)) is False


@pytest.mark.parametrize("bad", [-1, 1.5, True, "7", None, 10 ** 20 * 1.0])
def test_offline_fact_rejects_what_is_not_a_non_negative_int(bad):
    with pytest.raises(ValueError, match="non-negative whole numbers"):
        facts.offline_fact(bad, "math")


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="trivia, math, date, year"):
        facts.offline_fact(7, "weather")


# --- The API: URLs and answers ------------------------------------------------------------------------------

@pytest.mark.parametrize("override, expected", [
    (None, "/numbers"),
    ("", "/numbers"),
    ("https://facts.example.org/numbers", "/numbers"),  # a crafted link: another site's words in this one's voice
    ("https://evil.example/numbers/", "/numbers"),
    ("HTTPS://facts.example.org:8443", "/numbers"),
    ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
    ("http://127.0.0.1:8123/", "http://127.0.0.1:8123"),
    ("https://127.0.0.1:8443/numbers", "https://127.0.0.1:8443/numbers"),
    ("HTTP://LOCALHOST:5000", "HTTP://LOCALHOST:5000"),
    ("http://127.8.9.10:1", "http://127.8.9.10:1"),
    ("http://localhost:5000/api", "http://localhost:5000/api"),
    ("http://[::1]:9000", "http://[::1]:9000"),
    ("http://numbersapi.com", "/numbers"),  # plain http off this machine
    ("http://128.0.0.1", "/numbers"),
    ("http://localhost.evil.example", "/numbers"),
    ("http://127.0.0.1.evil.example", "/numbers"),
    ("http://user@127.0.0.1:8000", "/numbers"),
    ("https://user:pw@facts.example.org", "/numbers"),
    ("https://facts.example.org/n?x=1", "/numbers"),
    ("https://facts.example.org/n#top", "/numbers"),
    ("https://facts.example.org:99999", "/numbers"),
    ("https://facts.example.org:port", "/numbers"),
    ("https://", "/numbers"),
    ("https:///path", "/numbers"),
    ("https://facts.example .org", "/numbers"),
    ("https://facts.example.org\\@127.0.0.1", "/numbers"),
    ("javascript:alert(1)", "/numbers"),
    ("data:text/plain,hi", "/numbers"),
    ("//facts.example.org", "/numbers"),
    ("/other", "/numbers"),
    ("ftp://127.0.0.1", "/numbers"),
])
def test_resolve_base_accepts_only_loopback_overrides(override, expected):
    assert facts.resolve_base(override) == expected


def test_resolve_base_falls_back_to_the_configured_base():
    assert facts.resolve_base("https://evil.example", "https://facts.example.org/n") == "https://facts.example.org/n"
    assert facts.resolve_base(None, None) is None
    assert facts.resolve_base("http://127.0.0.1:9", None) == "http://127.0.0.1:9"


@pytest.mark.parametrize("text, expected", [
    ("", ("/numbers", "")),
    ("[facts]\n", ("/numbers", "")),
    ('[facts]\nbase = "/numbers"\n', ("/numbers", "")),
    ('[facts]\nbase = "/api/numbers/"\n', ("/api/numbers", "")),
    ('[facts]\nbase = "https://facts.example.org/numbers/"\n', ("https://facts.example.org/numbers", "")),
    ('[facts]\nbase = "http://localhost:8001"\n', ("http://localhost:8001", "")),
    ('[facts]\nbase = ""\n', (None, "")),
])
def test_configured_base_reads_site_toml(text, expected):
    assert facts.configured_base(text) == expected


@pytest.mark.parametrize("text, words", [
    ('[facts]\nbase = "http://numbersapi.com"\n', "is not a same-origin path"),
    ('[facts]\nbase = "//evil.example/numbers"\n', "is not a same-origin path"),
    ('[facts]\nbase = "/"\n', "is not a same-origin path"),
    ('[facts]\nbase = "javascript:alert(1)"\n', "is not a same-origin path"),
    ('[facts]\nbase = "https://u@facts.example.org"\n', "is not a same-origin path"),
    ('[facts]\nbase = 7\n', "is not a same-origin path"),
    ('facts = 1\n', "must be a table"),
    ('[facts\n', "not valid TOML"),
])
def test_a_bad_site_toml_means_offline_facts_and_says_why(text, words):
    base, problem = facts.configured_base(text)
    assert base is None and words in problem and "site.toml" in problem


def test_the_shipped_site_toml_uses_the_sites_own_proxy():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "site.toml").read_text(encoding="utf-8")
    assert facts.configured_base(text) == (facts.DEFAULT_BASE, "")


def test_source_line_names_any_other_host():
    live, offline = facts.Fact("7 is.", 7, "trivia", "api"), facts.Fact("7 is.", 7, "trivia", "offline")
    assert facts.source_line(live, "/numbers") == "from the Numbers API"
    assert facts.source_line(live, "https://facts.example.org:8443/n") == \
        "from facts.example.org:8443 (a facts server on another host)"
    assert facts.source_line(live, "http://127.0.0.1:9") == "from 127.0.0.1:9 (a facts server on another host)"
    assert facts.source_line(offline, "/numbers") == "from Digit Factoid's own facts (offline)"
    assert facts.source_line(offline, None, "site.toml: bad") == \
        "from Digit Factoid's own facts (offline) — site.toml: bad"


def test_no_base_means_the_offline_fact_without_asking():
    async def fetch_text(url, timeout):
        raise AssertionError("asked %s" % url)

    fact = run(facts.get_fact(7, "trivia", fetch_text, base=None))
    assert fact.source == "offline" and "site.toml" in fact.note


def test_api_url():
    assert facts.api_url("/numbers", 42, "trivia") == "/numbers/42/trivia?json"
    assert facts.api_url("https://x.example/n/", 7, "date") == "https://x.example/n/7/date?json"
    assert facts.api_url("http://127.0.0.1:1", 10 ** 15, "year") == "http://127.0.0.1:1/1000000000000000/year?json"
    with pytest.raises(ValueError):
        facts.api_url("/numbers", 3, "weather")
    with pytest.raises(ValueError):
        facts.api_url("/numbers", -3, "math")


def test_api_is_asked_only_what_it_can_answer():
    assert [n for n in (0, 1, 366, 367, 1000) if facts.api_knows(n, "date")] == [1, 366]
    assert facts.api_knows(2 ** 53 - 1, "math") and not facts.api_knows(2 ** 53, "math")


def answer(text="42 is the answer.", number=42, found=True, kind="trivia", **extra):
    import json

    return json.dumps({"text": text, "number": number, "found": found, "type": kind, **extra})


JSON = "application/json; charset=utf-8"


def test_parse_api_accepts_a_real_fact():
    fact = facts.parse_api(200, JSON, answer(), 42, "trivia")
    assert fact == facts.Fact("42 is the answer.", 42, "trivia", "api")
    assert facts.parse_api(200, "application/json", answer(number=42.0), 42, "trivia").source == "api"
    assert facts.parse_api(200, JSON, '{"text": " t ", "number": 5, "found": true}', 5, "math").text == "t"
    big = 2 ** 52 + 1
    assert facts.parse_api(200, JSON, answer(number=big), big, "trivia").number == big
    assert facts.parse_api(200, JSON, answer(text=XSS_TEXT), 42, "trivia").text == XSS_TEXT  # shown as text


@pytest.mark.parametrize("status, content_type, body, reason", [
    (500, JSON, answer(), "HTTP status 500"),
    (404, "text/html", "<h1>Not Found</h1>", "HTTP status 404"),
    (301, JSON, answer(), "HTTP status 301"),
    (200, "text/html; charset=utf-8", "<!doctype html><p>hi</p>", "not JSON"),
    (200, "text/plain", answer(), "not JSON"),
    (200, "", answer(), "not JSON"),
    (200, JSON, "<!doctype html><p>hi</p>", "invalid JSON"),
    (200, JSON, "", "invalid JSON"),
    (200, JSON, '{"text": "x", "number": NaN, "found": true}', "invalid JSON"),
    (200, JSON, "[" * 15000 + "]" * 15000, "too long"),
    (200, JSON, "[" * 9000 + "]" * 9000, "invalid JSON"),
    (200, JSON, "[1, 2]", "not an object"),
    (200, JSON, '"42 is nice"', "not an object"),
    (200, JSON, answer(found=False, text="42 is an unremarkable number."), "no fact found"),
    (200, JSON, answer(found="true"), "no fact found"),
    (200, JSON, '{"text": "x", "number": 42, "type": "trivia"}', "no fact found"),
    (200, JSON, answer(number=43), "not 42"),
    (200, JSON, answer(number="42"), "not 42"),
    (200, JSON, answer(number=42.5), "not 42"),
    (200, JSON, answer(number=None), "not 42"),
    (200, JSON, '{"text": "x", "found": true}', "not 42"),
    (200, JSON, answer(kind="math"), "'math' fact"),
    (200, JSON, answer(text=""), "no text"),
    (200, JSON, answer(text="   "), "no text"),
    (200, JSON, answer(text=["42"]), "no text"),
    (200, JSON, answer(text="4" * 501), "too long"),
])
def test_parse_api_rejects_anything_but_a_fact_about_n(status, content_type, body, reason):
    with pytest.raises(facts.BadAnswer, match=re.escape(reason)):
        facts.parse_api(status, content_type, body, 42, "trivia")


def test_parse_api_does_not_take_true_for_1():
    with pytest.raises(facts.BadAnswer, match="not 1"):
        facts.parse_api(200, JSON, answer(number=True), 1, "trivia")


def test_parse_api_compares_big_numbers_exactly():
    n = 2 ** 53 + 1  # a JS double cannot hold it: the API would send back 2**53
    with pytest.raises(facts.BadAnswer, match="not %d" % n):
        facts.parse_api(200, JSON, answer(number=float(n)), n, "trivia")


# --- get_fact without a network -----------------------------------------------------------------------------

def fake_fetch(result, calls):
    async def fetch_text(url, timeout):
        calls.append((url, timeout))
        if isinstance(result, BaseException):
            raise result
        return result
    return fetch_text


def test_get_fact_uses_the_api_answer():
    calls = []
    fact = run(facts.get_fact(42, "math", fake_fetch((200, JSON, answer(kind="math")), calls)))
    assert (fact.source, fact.text, fact.note) == ("api", "42 is the answer.", "")
    assert calls == [("/numbers/42/math?json", facts.TIMEOUT_S)]


@pytest.mark.parametrize("result, reason", [
    (OSError("connection refused"), "request failed: OSError: connection refused"),
    (RuntimeError("JsException: TypeError: Failed to fetch"), "request failed"),
    ((200, JSON), "request failed"),  # a fetch_text that returns the wrong shape
    ((404, "text/html", "<p>no proxy here</p>"), "HTTP status 404"),  # GitHub Pages: no /numbers proxy
])
def test_get_fact_falls_back_on_any_failure(result, reason):
    fact = run(facts.get_fact(42, "trivia", fake_fetch(result, [])))
    assert fact == facts.Fact(facts.TRIVIA[42], 42, "trivia", "offline", fact.note)
    assert reason in fact.note


def test_get_fact_does_not_ask_about_what_the_api_cannot_answer():
    calls = []
    for n, kind in ((0, "date"), (367, "date"), (2 ** 53, "math"), (10 ** 30, "trivia")):
        fact = run(facts.get_fact(n, kind, fake_fetch((200, JSON, answer(number=n, kind=kind)), calls)))
        assert fact.source == "offline" and "no %s fact" % kind in fact.note
    assert calls == []


def test_get_fact_times_out_a_silent_fetch():
    async def never(url, timeout):
        await asyncio.sleep(60)

    started = time.monotonic()
    fact = run(facts.get_fact(7, "math", never, timeout=0.2))
    assert fact.source == "offline" and "no answer within 0.2 s" in fact.note
    assert time.monotonic() - started < 30


def test_get_fact_rejects_bad_requests_before_any_fetch():
    calls = []
    for n, kind in ((-1, "math"), ("4", "math"), (4, "weather")):
        with pytest.raises(ValueError):
            run(facts.get_fact(n, kind, fake_fetch((200, JSON, answer()), calls)))
    assert calls == []


# --- get_fact against the stub server on loopback, HTTP and HTTPS ------------------------------------------

def urllib_fetch(context=None):
    """A fetch_text for CPython: urllib in a worker thread, no proxies, HTTP errors returned as answers."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))

    def fetch_blocking(url, timeout):
        try:
            with opener.open(url, timeout=timeout) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read().decode("utf-8", "replace")

    async def fetch_text(url, timeout):
        return await asyncio.to_thread(fetch_blocking, url, timeout)

    return fetch_text


@pytest.fixture(params=[False, True], ids=["http", "https"])
def stub(request):
    with FactsStub(tls=request.param) as server:
        yield server


def stub_fact(stub, mode, n=42, kind="trivia"):
    stub.mode = mode
    context = ssl.create_default_context(cafile=str(stub.cert_path)) if stub.tls else None
    base = facts.resolve_base(stub.base_url)
    assert base == stub.base_url, "the page must accept the stub's address as ?facts="
    started = time.monotonic()
    fact = run(facts.get_fact(n, kind, urllib_fetch(context), base=base))
    return fact, time.monotonic() - started


@pytest.mark.parametrize("kind", facts.KINDS)
def test_stub_normal_answer_is_shown_from_the_api(stub, kind):
    fact, _ = stub_fact(stub, "normal", n=42, kind=kind)
    assert fact == facts.Fact(normal_text(42, kind), 42, kind, "api")
    assert stub.requests == ["/42/%s?json" % kind]


def test_stub_xss_text_comes_back_unchanged_as_an_api_fact(stub):
    fact, _ = stub_fact(stub, "xss")
    assert (fact.source, fact.text) == ("api", XSS_TEXT.format(n=42))


@pytest.mark.parametrize("mode, reason", [
    ("error", "HTTP status 500"),
    ("html", "not JSON"),
    ("not-found", "no fact found"),
    ("wrong-number", "the answer is about 43, not 42"),
])
def test_stub_bad_answers_fall_back_to_offline(stub, mode, reason):
    fact, _ = stub_fact(stub, mode, n=42, kind="math")
    assert fact == facts.Fact(facts.offline_fact(42, "math").text, 42, "math", "offline", fact.note)
    assert reason in fact.note
    assert stub.requests == ["/42/math?json"]


def test_stub_delay_falls_back_to_offline_before_the_answer_comes(stub):
    stub.delay_s = 5.0
    fact, elapsed = stub_fact(stub, "delay", n=7)
    assert fact.source == "offline" and fact.text == facts.TRIVIA[7]
    assert "no answer within 3 s" in fact.note or "timed out" in fact.note
    assert elapsed < stub.delay_s


def test_https_stub_with_an_untrusted_certificate_falls_back():
    with FactsStub(tls=True) as stub:
        fetch = urllib_fetch(ssl.create_default_context())  # trusts the system's CAs, not the throwaway one
        fact = run(facts.get_fact(42, "trivia", fetch, base=stub.base_url))
    assert fact.source == "offline" and "CERTIFICATE_VERIFY_FAILED" in fact.note
