#!/usr/bin/env python3
"""Cross-check the unified social credit code fixtures (统一社会信用代码, GB 32100-2015).

The Rust type `hongling_domain::uscc::Uscc` is tested against
`crates/domain/src/uscc_fixtures.txt` (lines "CODE<TAB>valid|invalid<TAB>note"; for an
invalid code the note starts with the `UsccError::part()` id, e.g. "final_check: ...").
This script gives that file a second opinion from two independent implementations:

* a small Python reimplementation of every rule the Rust code applies (charset,
  department, organization type, region, GB 11714 check at position 17, final check at
  position 18), which must agree with each line's verdict and part id;
* python-stdnum's `stdnum.cn.uscc`, which only checks length, charset (digits in
  positions 1-8) and the final check character. Its verdict must equal what the
  reimplementation says about exactly those rules. Where stdnum and the fixture verdict
  differ (e.g. a wrong GB 11714 check char with a recomputed final char, which stdnum
  accepts and we reject), the note says so and the script lists those lines.

Usage:

    pip install python-stdnum && python3 scripts/uscc_cross_check.py
    python3 scripts/uscc_cross_check.py --write   # regenerate the fixture file, then check it

Exits non-zero on any disagreement.
"""

from __future__ import annotations

import argparse
import pathlib
import random
import sys

try:
    from stdnum.cn import uscc as stdnum_uscc
except ImportError:  # pragma: no cover
    sys.exit("python-stdnum is missing: pip install python-stdnum")

FIXTURE = pathlib.Path(__file__).resolve().parent.parent / "crates/domain/src/uscc_fixtures.txt"

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FINAL_WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
NATIONAL_REGION = "100000"
PROVINCES = set(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
DEPTS = set("123456789ANY")
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def normalize(code: str) -> str:
    out = []
    for c in code:
        n = ord(c)
        if 0xFF01 <= n <= 0xFF5E:
            c = chr(n - 0xFEE0)
        elif n == 0x3000:
            c = " "
        if c.isspace() or c in INVISIBLE:
            continue
        out.append(c.upper() if c.isascii() else c)
    return "".join(out)


def org_check(body8: str) -> str:
    """GB 11714: letters A-Z are valued 10-35 (full alphabet)."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, ORG_WEIGHTS))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def final_check(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, FINAL_WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def valid_type(dept: str, t: str) -> bool:
    if dept in "15":
        return t in "1239"
    if dept == "9":
        return t in "123"
    if dept == "Y":
        return t == "1"
    return t in "123456789"


def verdict(code: str) -> str | None:
    """None if valid, else the Rust `UsccError::part()` id of the first failing rule."""
    s = normalize(code)
    if not s:
        return "empty"
    if len(s) != 18:
        return "length"
    if any(c not in CHARSET for c in s):
        return "char"
    if s[0] not in DEPTS:
        return "dept"
    if not valid_type(s[0], s[1]):
        return "org_type"
    region = s[2:8]
    if not region.isdigit() or not (region == NATIONAL_REGION or region[:2] in PROVINCES):
        return "region"
    if org_check(s[8:16]) != s[16]:
        return "org_code_check"
    if final_check(s[:17]) != s[17]:
        return "final_check"
    return None


def stdnum_model(code: str) -> bool:
    """What stdnum.cn.uscc should say: only length, charset/digits and the final check."""
    s = normalize(code)
    return (
        len(s) == 18
        and s[:8].isdigit()
        and all(c in CHARSET for c in s)
        and final_check(s[:17]) == s[17]
    )


def stdnum_valid(code: str) -> bool:
    return stdnum_uscc.is_valid(normalize(code))


# Published codes recalled from public records; each passes both check characters, which a
# misremembered code does with probability 1/341.
REAL = [
    ("91350100M000100Y43", "real: GB 32100-2015 worked example"),
    ("91110000600037341L", "real: python-stdnum documentation example"),
    ("914403001922038216", "real: 华为技术有限公司"),
    ("91440300708461136T", "real: 深圳市腾讯计算机系统有限公司"),
    ("91330100716105852F", "real: 阿里巴巴（中国）有限公司"),
    ("91110000802100433B", "real: 北京百度网讯科技有限公司"),
    ("91110108551385082Q", "real: 小米科技有限责任公司"),
    ("91440300100012316L", "real: 中国平安保险（集团）股份有限公司"),
    ("9144030010001686XA", "real: 招商银行股份有限公司 (GB 11714 check char X)"),
    ("53100000500021676K", "real: 中国扶贫基金会（现中国乡村发展基金会）, national level region 100000"),
]

CIVIL_TYPES = {"1": "社会团体", "2": "民办非企业单位（社会服务机构）", "3": "基金会"}
REGIONS = {"370500": "东营市", "370502": "东营区", "511800": "雅安市", "510104": "锦江区"}
BODY_CHARS = CHARSET


def build(dept: str, t: str, region: str, body: str) -> str:
    first16 = dept + t + region + body
    first17 = first16 + org_check(body)
    return first17 + final_check(first17)


def refinal(code: str) -> str:
    return code[:17] + final_check(code[:17])


def put(code: str, pos: int, ch: str) -> str:
    """Replace the 1-based position `pos`."""
    return code[: pos - 1] + ch + code[pos:]


def other_char(c: str, pool: str) -> str:
    return pool[(pool.index(c) + 1) % len(pool)]


def generate() -> list[tuple[str, str, str]]:
    rng = random.Random(32100)
    rows: list[tuple[str, str, str]] = [(c, "valid", n) for c, n in REAL]

    generated = []
    for t, tname in CIVIL_TYPES.items():
        for region, rname in REGIONS.items():
            mj = "MJ" + "".join(rng.choice(BODY_CHARS) for _ in range(6))
            legacy = "5" + "".join(rng.choice("0123456789") for _ in range(7))
            for body in (mj, legacy):
                code = build("5", t, region, body)
                generated.append(code)
                rows.append((code, "valid", f"generated: 民政 {tname} {region} {rname}"))

    others = [
        ("1", "1", "370500", "机构编制 机关"),
        ("1", "2", "370502", "机构编制 事业单位"),
        ("5", "9", "370000", "民政 其他, province level"),
        ("9", "2", "511800", "市场监管 个体工商户"),
        ("9", "3", "510104", "市场监管 农民专业合作社"),
        ("3", "1", "370500", "司法行政 律师执业机构"),
        ("8", "1", "511800", "工会 基层工会"),
        ("A", "1", "110000", "中央军委改革和编制办公室 军队事业单位"),
        ("N", "2", "370502", "农业 村级集体经济组织"),
        ("Y", "1", "510104", "其他"),
    ]
    for dept, t, region, note in others:
        body = "".join(rng.choice(BODY_CHARS) for _ in range(8))
        rows.append((build(dept, t, region, body), "valid", f"generated: {note}"))
    rows.append((generated[0].lower(), "valid", "generated: lower case, normalized"))
    fw = "".join(chr(ord(c) + 0xFEE0) for c in generated[1])
    rows.append((fw, "valid", "generated: full-width, normalized"))
    g = generated[2]
    rows.append((f" {g[:2]} {g[2:8]} {g[8:17]} {g[17]} ", "valid", "generated: spaces, normalized"))

    # Wrong final character.
    for code in generated[3:9]:
        bad = code[:17] + other_char(code[17], CHARSET)
        rows.append((bad, "invalid", f"final_check: position 18 should be {code[17]}"))
    # Wrong GB 11714 check character with a recomputed final character: stdnum accepts these.
    for code in generated[9:15]:
        bad = refinal(code[:16] + other_char(code[16], "0123456789X"))
        rows.append((bad, "invalid", f"org_code_check: position 17 should be {code[16]}, final recomputed"))
    # A change of 11 in GB 11714 value ('1' -> 'C') keeps position 17 valid; the final check catches it.
    base = build("5", "1", "370502", "51370001")
    rows.append((put(base, 16, "C"), "invalid", "final_check: 1->C at position 16 keeps the GB 11714 check"))

    g = generated[15]
    structural = [
        (put(g, 1, "B"), "dept: B is no department"),
        (put(g, 1, "0"), "dept: 0 is no department"),
        (put(g, 2, "4"), "org_type: 民政 has no type 4"),
        (put(g, 2, "0"), "org_type: type 0"),
        (put(put(g, 1, "9"), 2, "9"), "org_type: 市场监管 has no type 9"),
        (put(put(g, 1, "Y"), 2, "2"), "org_type: 其他 has only type 1"),
        (g[:2] + "990000" + g[8:], "region: 99 is no province"),
        (g[:2] + "000000" + g[8:], "region: 00 is no province"),
        (g[:2] + "700000" + g[8:], "region: 70 is no province"),
        (g[:2] + "37A500" + g[8:], "region: letter in the division code"),
    ]
    for code, note in structural:
        rows.append((refinal(code), "invalid", note + ", final recomputed"))

    g = generated[16]
    for pos, ch in [(9, "I"), (10, "O"), (11, "Z"), (12, "S"), (13, "V"), (4, "I")]:
        rows.append((put(g, pos, ch), "invalid", f"char: {ch} at position {pos}"))
    rows.append((g[:17], "invalid", "length: 17 characters"))
    rows.append((g + "0", "invalid", "length: 19 characters"))
    return rows


def annotate(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    out = []
    for code, v, note in rows:
        sv = stdnum_valid(code)
        if sv and v == "invalid":
            note += " [stdnum accepts: it checks only length, charset and position 18]"
        elif not sv and v == "valid":
            note += " [stdnum rejects: it requires digits in positions 1-8]"
        out.append((code, v, note))
    return out


HEADER = """\
# Unified social credit code fixtures for crates/domain/src/uscc.rs (GB 32100-2015).
# CODE<TAB>valid|invalid<TAB>note; an invalid note starts with the UsccError::part() id.
# Generated and checked by scripts/uscc_cross_check.py (python-stdnum + a reimplementation).
# "[stdnum accepts ...]" marks codes python-stdnum calls valid that we reject: it checks
# neither the GB 11714 check char (position 17) nor the department/type/region parts.
"""


def check(lines: list[str]) -> int:
    problems = 0
    differ = []
    n = 0
    for i, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 3 or cols[1] not in ("valid", "invalid"):
            print(f"line {i}: malformed: {line!r}")
            problems += 1
            continue
        code, v, note = cols
        n += 1
        part = verdict(code)
        mine = "valid" if part is None else "invalid"
        if mine != v:
            print(f"line {i}: {code}: fixture says {v}, reimplementation says {mine} ({part})")
            problems += 1
        elif part is not None and note.split(":")[0].strip() != part:
            print(f"line {i}: {code}: note part {note.split(':')[0]!r}, reimplementation {part!r}")
            problems += 1
        sv = stdnum_valid(code)
        if sv != stdnum_model(code):
            print(f"line {i}: {code}: stdnum says {sv}, expected {stdnum_model(code)} from the rules it checks")
            problems += 1
        if sv != (v == "valid"):
            differ.append((i, code, v, part))
            if "[stdnum" not in note:
                print(f"line {i}: {code}: stdnum disagrees with the fixture but the note does not say so")
                problems += 1
    print(f"{n} fixture codes checked; stdnum differs (as expected) on {len(differ)}:")
    for i, code, v, part in differ:
        print(f"  line {i}: {code} fixture {v}{'' if part is None else ' (' + part + ')'}")
    if n < 50:
        print(f"too few fixture codes: {n}")
        problems += 1
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="regenerate the fixture file first")
    args = ap.parse_args()
    text = HEADER + "".join(f"{c}\t{v}\t{n}\n" for c, v, n in annotate(generate()))
    if args.write:
        FIXTURE.write_text(text, encoding="utf-8")
        print(f"wrote {FIXTURE}")
    current = FIXTURE.read_text(encoding="utf-8")
    if current != text:
        print("note: the fixture file differs from what --write would produce (hand edits?)")
    problems = check(current.splitlines())
    if problems:
        print(f"{problems} problem(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
