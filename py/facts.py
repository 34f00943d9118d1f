"""Facts about a number: live from the Numbers API through a proxy, or computed here when that fails.

Pure Python (no DOM, no network library): it runs on CPython 3.11 in the tests and under Pyodide in the page.
The network call is passed in by the caller, as an async function

    fetch_text(url, timeout) -> (status: int, content_type: str, body: str)    # raises on network errors

so the page uses the browser's fetch and the tests use urllib against a stub server:

    base, problem = configured_base(site_toml_text)          # the site's own proxy (site.toml [facts] base)
    fact = await get_fact(42, "math", fetch_text, base=resolve_base(query_parameter, base))
    fact.text, fact.number, fact.kind, fact.source     # source: "api" or "offline"; fact.note says why offline
    source_line(fact, base, problem)                   # "from the Numbers API", or names the other host

Live facts: `{base}/{n}/{kind}?json` answers `{"text", "number", "found", "type"}` (numbersapi.com's format).
The base defaults to DEFAULT_BASE, a same-origin path that netlify.toml proxies to numbersapi.com; a self-hoster
sets another in site.toml, and the `?facts=` parameter may override it with a loopback URL only. Anything
wrong — no answer within TIMEOUT_S, a network or HTTP error, not JSON, the wrong shape, another number,
`found: false` — gives the offline fact instead. The text is returned as sent: the page inserts it as text.

Offline facts are computed (primality and factorization, special forms, calendar arithmetic, …) or
hand-written (TRIVIA). Every one is true: tests/test_facts.py re-derives each sentence's claims for 0..10,000.
"""
import asyncio
import datetime
import ipaddress
import json
import math
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

KINDS = ("trivia", "math", "date", "year")
DEFAULT_BASE = "/numbers"  # the one place the facts URL lives: same origin, proxied by netlify.toml
TIMEOUT_S = 3.0
MAX_TEXT = 500  # characters: the API's facts are one sentence; anything longer is not a fact from it
MAX_BODY = 20_000
API_NUMBERS_BELOW = 2 ** 53  # the API parses numbers as JS doubles: larger ones come back changed


@dataclass(frozen=True)
class Fact:
    """One fact. source: "api" (Numbers API) or "offline" (made here); note: why the API's fact was not used."""
    text: str
    number: int
    kind: str
    source: str
    note: str = ""


class BadAnswer(ValueError):
    """The API's answer cannot be shown; the message says why."""


def check_request(n, kind):
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("facts are about non-negative whole numbers, got %r" % (n,))
    if kind not in KINDS:
        raise ValueError("the kind of fact must be one of %s, got %r" % (", ".join(KINDS), kind))


# --- Live facts -----------------------------------------------------------------------------------------------

def resolve_base(override, configured=DEFAULT_BASE):
    """The facts base URL to use: `override` (the page's `?facts=` parameter) if it is acceptable, else `configured`.

    `configured` is the site's own choice (site.toml, read by `configured_base`); None means no live facts.
    Acceptable overrides go to a loopback host only — `http://` or `https://` to localhost, 127.0.0.0/8 or [::1] —
    for tests and local development. Anything else (any other host, another scheme, user:password@, a query or
    fragment, spaces, a malformed host or port) is ignored, so a crafted link cannot make the page show another
    server's words or tell it what visitors draw. The result has no trailing slash.
    """
    url = checked_url(override)
    if url is not None and is_loopback(urlsplit(url).hostname):
        return url
    return configured


def checked_url(text):
    """`text` without its trailing slash if it is a plain http(s) URL with a host, else None."""
    if not isinstance(text, str) or not text:
        return None
    if any(c <= " " or c in "\x7f\\?#@" for c in text):
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text.rstrip("/")


def configured_base(settings_text):
    """(base, problem): the facts base from the text of site.toml, the site's own settings file.

        [facts]
        base = "/numbers"                                   # this site's own proxy (netlify.toml), the default
        base = "https://facts.example.org/numbers"          # a proxy on another host (add it to the CSP too)
        base = ""                                           # no live facts: always the offline ones

    A missing file section or key gives DEFAULT_BASE. Accepted: a same-origin path ("/x", not "//x"), an https
    URL, or http to a loopback host. Anything else gives (None, why): the page then shows offline facts and says so.
    """
    import tomllib

    try:
        settings = tomllib.loads(settings_text)
    except tomllib.TOMLDecodeError as error:
        return None, "site.toml is not valid TOML: %s" % error
    section = settings.get("facts", {})
    if not isinstance(section, dict):
        return None, "site.toml: [facts] must be a table"
    base = section.get("base", DEFAULT_BASE)
    if base == "":
        return None, ""
    if isinstance(base, str) and base.startswith("/") and not base.startswith("//") and base.strip("/") \
            and not any(c <= " " or c in "\x7f\\?#@" for c in base):
        return base.rstrip("/"), ""
    url = checked_url(base)
    if url is not None and (url.lower().startswith("https://") or is_loopback(urlsplit(url).hostname)):
        return url, ""
    return None, ("site.toml: [facts] base = %r is not a same-origin path, an https URL or a loopback URL"
                  % (base,))


def source_line(fact, base, problem=""):
    """The words under a fact saying where it came from. A live fact from another host than this site's own
    (same-origin) proxy names that host instead of vouching for it; `problem` (from configured_base) is added."""
    if fact.source != "api":
        line = "from Digit Factoid's own facts (offline)"
        return line + (" — " + problem if problem else "")
    if base.startswith("/"):
        return "from the Numbers API"
    return "from %s (a facts server on another host)" % urlsplit(base).netloc


def is_loopback(host):
    """Whether `host` (a URL's hostname) is this machine: localhost, 127.0.0.0/8 or ::1."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_url(base, n, kind):
    """`{base}/{n}/{kind}?json`; for kind "date", n is the day of the year (the API counts in a leap year)."""
    check_request(n, kind)
    return "%s/%d/%s?json" % (base.rstrip("/"), n, kind)


def api_knows(n, kind):
    """Whether asking the API can give a fact about n: dates are days 1..366, other numbers must survive JS."""
    if kind == "date":
        return 1 <= n <= 366
    return n < API_NUMBERS_BELOW


def parse_api(status, content_type, body, n, kind):
    """The API's answer as an "api" Fact. Raises BadAnswer (with the reason) unless it is a real fact about n.

    Accepted only: status 200, a JSON media type, a JSON object with a non-empty `text` of at most MAX_TEXT
    characters, `number` equal to n (int or float, compared exactly), `found` true and, if present, `type` == kind.
    """
    if status != 200:
        raise BadAnswer("HTTP status %s" % status)
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise BadAnswer("not JSON: content type %r" % content_type)
    if len(body) > MAX_BODY:
        raise BadAnswer("answer of %d characters is too long" % len(body))
    try:
        answer = json.loads(body, parse_constant=reject_constant)
    except (ValueError, RecursionError) as error:
        raise BadAnswer("invalid JSON: %s" % error) from None
    if not isinstance(answer, dict):
        raise BadAnswer("JSON is a %s, not an object" % type(answer).__name__)
    text, number = answer.get("text"), answer.get("number")
    if not isinstance(text, str) or not text.strip():
        raise BadAnswer("no text")
    if len(text) > MAX_TEXT:
        raise BadAnswer("text of %d characters is too long" % len(text))
    if isinstance(number, bool) or not isinstance(number, (int, float)) or number != n:
        raise BadAnswer("the answer is about %r, not %d" % (number, n))
    if answer.get("found") is not True:
        raise BadAnswer("no fact found (found: %r)" % (answer.get("found"),))
    if "type" in answer and answer["type"] != kind:
        raise BadAnswer("a %r fact, not %r" % (answer["type"], kind))
    return Fact(text.strip(), n, kind, "api")


def reject_constant(name):
    raise ValueError("%s is not a number" % name)


async def get_fact(n, kind, fetch_text, base=DEFAULT_BASE, timeout=TIMEOUT_S):
    """A fact about n: the API's through `fetch_text` if it answers well within `timeout` s, else the offline one.

    Raises ValueError only for a bad request (n not a non-negative int, unknown kind); never for network trouble.
    """
    check_request(n, kind)
    if base is None:
        note = "no live facts: this site has no facts proxy (site.toml)"
    elif not api_knows(n, kind):
        note = "the Numbers API has no %s fact about %d" % (kind, n)
    else:
        try:
            answer = await asyncio.wait_for(fetch_text(api_url(base, n, kind), timeout), timeout)
            return parse_api(*answer, n, kind)
        except asyncio.TimeoutError:
            note = "no answer within %g s" % timeout
        except BadAnswer as error:
            note = str(error)
        except Exception as error:  # noqa: BLE001 - any network failure (OSError, JsException, …) means offline
            note = "request failed: %s: %s" % (type(error).__name__, error)
    return replace(offline_fact(n, kind), note=note)


# --- Offline facts --------------------------------------------------------------------------------------------

TRIVIA = {
    0: "0 is the only whole number that is neither positive nor negative, and any number multiplied by 0 is 0.",
    1: "1 is neither prime nor composite, and multiplying any number by 1 leaves it unchanged.",
    2: "2 is the only even prime number. Binary, the number system of computers, uses just 2 digits: 0 and 1.",
    3: "A triangle has 3 sides, the fewest a polygon can have.",
    4: "The human heart has 4 chambers: two atria and two ventricles.",
    5: "There are exactly 5 Platonic solids: the tetrahedron, cube, octahedron, dodecahedron and icosahedron.",
    6: "6 is the smallest perfect number: 1 + 2 + 3 = 6. Insects have 6 legs.",
    7: "There are 7 days in a week.",
    8: "Spiders have 8 legs and an octopus has 8 arms. A byte is 8 bits.",
    9: "A whole number is divisible by 9 exactly when the sum of its digits is.",
    10: "Our decimal number system counts in base 10, and a decade is 10 years.",
    11: "An association football (soccer) team has 11 players on the field.",
    12: "A dozen is 12, a year has 12 months, and a cube has 12 edges.",
    13: "A baker's dozen is 13.",
    20: "Children have 20 primary (baby) teeth.",
    24: "A day is divided into 24 hours.",
    26: "The English alphabet has 26 letters.",
    32: "A full set of adult teeth has 32 teeth, including the four wisdom teeth.",
    42: ("In Douglas Adams's The Hitchhiker's Guide to the Galaxy, 42 is the Answer to the Ultimate Question of "
         "Life, the Universe, and Everything."),
    52: "A standard deck has 52 playing cards, not counting the jokers.",
    60: "There are 60 minutes in an hour.",
    64: "A chessboard has 64 squares.",
    88: "A standard modern piano has 88 keys.",
    100: "A century is 100 years, and 100 is the sum of the first nine primes: 2 + 3 + 5 + 7 + 11 + 13 + 17 + 19 + 23.",
    206: "An adult human skeleton usually has 206 bones.",
    360: "A full turn is 360 degrees.",
    365: "A common (non-leap) year has 365 days.",
    1000: "1000 years make a millennium.",
    1729: ("1729 is the Hardy–Ramanujan number: the smallest number that is the sum of two cubes in two different "
           "ways, 1³ + 12³ = 9³ + 10³."),
}

MAX_BITS = 3300  # about 1000 decimal digits: beyond this, only the length is told (str(n) itself gets slow)


def offline_fact(n, kind):
    """A true fact about n of the given kind, computed here: works for any non-negative int, with no network."""
    check_request(n, kind)
    if n.bit_length() > MAX_BITS:
        text = "That number has %d binary digits — too many for a fact." % n.bit_length()
    else:
        text = {"trivia": trivia_fact, "math": math_fact, "date": date_fact, "year": year_fact}[kind](n)
    return Fact(text, n, kind, "offline")


def pick(sentences, n, count):
    """`count` of the sentences, chosen by n so that neighbouring numbers read differently."""
    if len(sentences) <= count:
        return sentences
    start = n % len(sentences)
    return [sentences[(start + i) % len(sentences)] for i in range(count)]


# Trivia: hand-written where we have it, else everyday arithmetic.

def trivia_fact(n):
    if n in TRIVIA:
        return TRIVIA[n]
    sentences = [s for s in (handshakes(n), diagonals(n), as_seconds(n), as_days(n), roman_sentence(n)) if s]
    return " ".join(pick(sentences, n, 2))


def handshakes(n):
    if n >= 2:
        count = n * (n - 1) // 2
        return "If %d people all shake hands with each other, that makes %s." % (n, plural(count, "handshake"))
    return None


def diagonals(n):
    if n >= 4:
        return "A polygon with %d sides has %s." % (n, plural(n * (n - 3) // 2, "diagonal"))
    return None


def as_seconds(n):
    if n < 60:
        return None
    days, rest = divmod(n, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [plural(v, unit) for v, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"),
                                              (seconds, "second")) if v]
    return "%d seconds is %s." % (n, and_list(parts))


def as_days(n):
    if n < 7:
        return None
    weeks, days = divmod(n, 7)
    if days == 0:
        return "%d days is exactly %s." % (n, plural(weeks, "week"))
    return "%d days is %s and %s." % (n, plural(weeks, "week"), plural(days, "day"))


def plural(count, unit):
    return "%d %s%s" % (count, unit, "" if count == 1 else "s")


def and_list(parts):
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# Math: primality first, then the rarest special forms, else how it is written.

def math_fact(n):
    factors, unfactored = factorize(n)
    prime_sentence = primality(n, factors, unfactored)
    sentences = [prime_sentence] if prime_sentence else []
    special_forms = (perfect(n, factors, unfactored), factorial(n), narcissistic(n), fibonacci(n),
                     power_of_two(n), cube(n), square(n), triangular(n), palindrome(n), harshad(n))
    specials = [s for s in special_forms if s][:2]
    sentences += specials
    if len(specials) < 2:
        writings = [s for s in (binary(n), hexadecimal(n), roman_sentence(n), digit_sum(n)) if s]
        sentences += pick(writings, n, 1)
    return " ".join(sentences)


def primality(n, factors, unfactored):
    """A sentence on whether n is prime, or None when that is unknown here (n is huge and passed every test)."""
    if n < 2:
        return "%d is neither prime nor composite." % n
    if factors == {n: 1}:
        return "%d is a prime number." % n
    if factors and not unfactored:
        return "%d is not prime: %d = %s." % (n, n, product_text(factors))
    if factors:
        return "%d is not prime: it is divisible by %d." % (n, min(factors))
    if is_prime(n) is False:
        return "%d is not prime." % n
    return None


def product_text(factors):
    return " × ".join(str(p) + (superscript(e) if e > 1 else "") for p, e in sorted(factors.items()))


def superscript(k):
    return str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def perfect(n, factors, unfactored):
    if n < 2 or unfactored or divisor_sum(factors) != 2 * n:
        return None
    divisors = proper_divisors(factors)
    if len(divisors) <= 10:
        return "%d is a perfect number: %s = %d." % (n, " + ".join(map(str, divisors)), n)
    return "%d is a perfect number: it is the sum of its divisors other than itself." % n


def divisor_sum(factors):
    return math.prod((p ** (e + 1) - 1) // (p - 1) for p, e in factors.items())


def proper_divisors(factors):
    divisors = [1]
    for p, e in factors.items():
        divisors = [d * p ** k for d in divisors for k in range(e + 1)]
    return sorted(divisors)[:-1]


def factorial(n):
    k, product = 1, 1
    while product < n:
        k += 1
        product *= k
    if product == n and k >= 3:
        return "%d = %d!, the product of the whole numbers from 1 to %d." % (n, k, k)
    return None


def narcissistic(n):
    digits = str(n)
    if n >= 10 and sum(int(d) ** len(digits) for d in digits) == n:
        terms = " + ".join(d + superscript(len(digits)) for d in digits)
        return "%d is a narcissistic number: %s = %d." % (n, terms, n)
    return None


def fibonacci(n):
    if n == 0 or not any(is_square(5 * n * n + s) for s in (4, -4)):
        return None
    a, b = 0, 1
    while a + b < n:
        a, b = b, a + b
    return "%d is a Fibonacci number: %d + %d = %d." % (n, a, b, n)


def power_of_two(n):
    if n >= 4 and n & (n - 1) == 0:
        return "%d is a power of two: in binary it is 1 followed by %d zeros." % (n, n.bit_length() - 1)
    return None


def cube(n):
    k = integer_root(n, 3)
    if k >= 2 and k ** 3 == n:
        return "%d is a perfect cube: %d = %d³." % (n, n, k)
    return None


def square(n):
    k = math.isqrt(n)
    if k >= 2 and k * k == n:
        return "%d is a perfect square: %d = %d²." % (n, n, k)
    return None


def triangular(n):
    k = (math.isqrt(8 * n + 1) - 1) // 2
    if k >= 3 and k * (k + 1) // 2 == n:
        return "%d is a triangular number: the sum of the whole numbers from 1 to %d." % (n, k)
    return None


def palindrome(n):
    if n >= 11 and str(n) == str(n)[::-1]:
        return "%d is a palindrome: it reads the same backwards." % n
    return None


def harshad(n):
    total = sum(map(int, str(n)))
    if n >= 10 and total > 1 and n % total == 0:  # a digit sum of 1 (10, 100, …) divides anything
        return "%d is a Harshad number: it is divisible by the sum of its digits, %d." % (n, total)
    return None


def binary(n):
    return "In binary, %d is %s." % (n, format(n, "b")) if n < 2 ** 32 else None


def hexadecimal(n):
    return "In hexadecimal, %d is %s." % (n, format(n, "X")) if n >= 10 else None


def digit_sum(n):
    return "The digits of %d add up to %d." % (n, sum(map(int, str(n)))) if n >= 10 else None


ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
         (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(n):
    """Standard Roman numeral (subtractive forms) for 1..3999."""
    if not 1 <= n <= 3999:
        raise ValueError("Roman numerals are written for 1..3999, got %d" % n)
    letters = []
    for value, symbol in ROMAN:
        count, n = divmod(n, value)
        letters.append(symbol * count)
    return "".join(letters)


def roman_sentence(n):
    return "In Roman numerals, %d is written %s." % (n, roman(n)) if 1 <= n <= 3999 else None


def is_square(m):
    return m >= 0 and math.isqrt(m) ** 2 == m


def integer_root(n, k):
    """The largest r with r**k <= n (exact for big ints, unlike n ** (1 / k))."""
    if n < 2:
        return n
    r = 1 << -(-n.bit_length() // k)  # above the root: Newton's steps come down to it
    while True:
        smaller = ((k - 1) * r + n // r ** (k - 1)) // k
        if smaller >= r:
            return r
        r = smaller


# Primes: trial division, Miller–Rabin (deterministic below MR_EXACT_BELOW), Pollard's rho.

SMALL_PRIMES = [p for p in range(2, 1000) if all(p % d for d in range(2, math.isqrt(p) + 1))]
MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)
MR_EXACT_BELOW = 3317044064679887385961981  # the first 13 primes as bases decide primality below this
RHO_STEPS = 20_000  # total Pollard-rho iterations per number: bounds the time a hard 20-digit number takes
RHO_BELOW = 2 ** 128  # bigger cofactors are left unfactored: each step would cost too much for a page


def is_prime(n):
    """True or False when certain; None when n >= MR_EXACT_BELOW passes every base (probably prime)."""
    if n < 2:
        return False
    for p in SMALL_PRIMES:
        if n % p == 0:
            return n == p
    if n < SMALL_PRIMES[-1] ** 2:
        return True
    bases = MR_BASES if n < MR_EXACT_BELOW else MR_BASES[:1]  # one base still proves most huge n composite
    if any(is_witness(a, n) for a in bases):
        return False
    return True if n < MR_EXACT_BELOW else None


def is_witness(a, n):
    """Whether a proves the odd n composite (the strong probable-prime test fails for base a)."""
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    x = pow(a, d, n)
    if x in (1, n - 1):
        return False
    for _ in range(s - 1):
        x = x * x % n
        if x == n - 1:
            return False
    return True


def factorize(n):
    """({prime: exponent}, [cofactors not factored]) of n >= 1; the list is empty when the factorization is complete.

    Every key is a proven prime. Cofactors stay unfactored when Pollard's rho runs out of steps or they are too
    large to decide (>= MR_EXACT_BELOW).
    """
    factors, unfactored = {}, []
    if n < 2:
        return factors, unfactored
    for p in SMALL_PRIMES:
        while n % p == 0:
            factors[p] = factors.get(p, 0) + 1
            n //= p
    budget = [RHO_STEPS]
    pending = [n] if n > 1 else []
    while pending:
        m = pending.pop()
        prime = is_prime(m)
        if prime:
            factors[m] = factors.get(m, 0) + 1
            continue
        d = pollard_rho(m, budget) if prime is False and m < RHO_BELOW else None
        if d is None:
            unfactored.append(m)
        else:
            pending += [d, m // d]
    return factors, unfactored


def pollard_rho(n, budget):
    """A non-trivial factor of the composite n, or None once budget[0] steps are spent (it is decremented)."""
    for c in range(1, 50):
        x = y = 2
        d = 1
        while d == 1 and budget[0] > 0:
            budget[0] -= 1
            x = (x * x + c) % n
            y = (y * y + c) % n
            y = (y * y + c) % n
            d = math.gcd(x - y, n)
        if 1 < d < n:
            return d
        if budget[0] <= 0:
            return None
    return None


# Dates: n is a day of the year. The Numbers API counts days in a leap year (day 60 is February 29).

def date_fact(n):
    if n == 0:
        return "There is no day 0 of the year: day 1 is January 1."
    if n > 366:
        return "A year has at most 366 days, so there is no day %d of the year. %s" % (n, as_days(n))
    if n == 366:
        return "Day 366 exists only in leap years: it is December 31."
    common, leap = day_name(2023, n), day_name(2024, n)
    sentence = ("Day %d of the year is %s." % (n, common) if common == leap
                else "Day %d of the year is %s — %s in a leap year." % (n, common, leap))
    return sentence + (" " + as_days(n) if n >= 7 else "")


def day_name(year, day_of_year):
    day = datetime.date(year, 1, 1) + datetime.timedelta(days=day_of_year - 1)
    return "%s %d" % (MONTHS[day.month - 1], day.day)


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# Years: the Gregorian calendar, named in the text because its rules differ from the Julian calendar's (and
# are only applied "proleptically" to the years before it began in 1582).

def year_fact(n):
    if n == 0:
        return "There is no year 0 in the Gregorian calendar: 1 BC is followed by AD 1."
    return " ".join((leap_year(n), new_year_weekday(n), century(n)))


def leap_year(n):
    calendar = "Gregorian" if n >= 1583 else "proleptic Gregorian"
    if n % 400 == 0:
        rule = "is a leap year: it is divisible by 400"
    elif n % 100 == 0:
        rule = "is not a leap year: it is divisible by 100 but not by 400"
    elif n % 4 == 0:
        rule = "is a leap year: it is divisible by 4 and not by 100"
    else:
        rule = "is not a leap year: it is not divisible by 4"
    return "In the %s calendar, %d %s." % (calendar, n, rule)


def century(n):
    number = (n - 1) // 100 + 1  # the 1st century is the years 1-100
    if n % 100 == 0:
        return "The year %d is the last year of the %s century." % (n, ordinal(number))
    return "The year %d is in the %s century." % (n, ordinal(number))


def new_year_weekday(n):
    """Gregorian weekdays repeat every 400 years (146,097 days = 20,871 weeks), so any year maps into 1..400."""
    weekday = WEEKDAYS[datetime.date((n - 1) % 400 + 1, 1, 1).weekday()]
    return "Its January 1 is a %s." % weekday


def ordinal(k):
    suffix = "th" if k % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return "%d%s" % (k, suffix)
