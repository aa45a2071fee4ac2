"""Speed of the personal-data detector: median microseconds per 1 KB of scenario text.

    python -m benchmarks.pii [--repeat 200]

Three 1 KB texts (UTF-8 bytes): plain Chinese prose with ordinary numbers (the common case), the
same with contact data planted in every way the corpus knows, and an English one. Each is run
through ``mask`` ``--repeat`` times with the result cache cleared (the detector's own cost), then
once more through the cache (what an unchanged text costs on the next page view); prints one JSON
object and a summary line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from portal.domain import pii

PROSE = (
    "本场景面向全省二级以上公立医院，建设远程影像诊断服务平台，实现基层检查、上级诊断。"
    "预算 1500 万元，2026-11-25 至 2027-03-31 实施，第3批清单，覆盖 88 个乡镇卫生院，"
    "识别准确率≥95%，日处理 30000 张影像，响应时间≤200毫秒。"
)
LEAKY = (
    "联系人王磊，手机 139 0000 1234，座机（0851）8682-3456，邮箱 wanglei＠example．gov．cn，"
    "身份证一一零一零五一九四九一二三一零零二X，备用 zhang at example dot com。"
)
ENGLISH = (
    "Remote imaging diagnosis for county hospitals: budget CNY 15 million, 2026-11-25 to 2027-03-31, "
    "95% accuracy, 30000 images a day, documentation available at github.com/example/portal. "
)


def kilobyte(parts: str) -> str:
    text = ""
    while len(text.encode("utf-8")) < 1024:
        text += parts
    while len(text.encode("utf-8")) > 1024:
        text = text[:-1]
    return text


def median_us(text: str, repeat: int, *, cached: bool = False) -> float:
    pii.mask(text)  # warm up
    times = []
    for _ in range(repeat):
        if not cached:
            pii.clear_cache()  # measure the detector, not the cache
        t0 = time.perf_counter()
        pii.mask(text)
        times.append((time.perf_counter() - t0) * 1e6)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    texts = {
        "chinese_prose": kilobyte(PROSE),
        "chinese_with_contacts": kilobyte(PROSE + LEAKY),
        "english": kilobyte(ENGLISH),
    }
    result = {name: median_us(text, args.repeat) for name, text in texts.items()}
    cached = median_us(texts["chinese_with_contacts"], args.repeat, cached=True)
    report = {
        "median_us_per_kb": result,
        "median_us_per_kb_cached": cached,
        "findings_in_leaky_kb": len(pii.find(texts["chinese_with_contacts"])),
        "repeat": args.repeat,
    }
    print(json.dumps(report, ensure_ascii=False))
    print(
        "pii: median µs per 1 KB: " + ", ".join(f"{k} {v}" for k, v in result.items()) + f"; cached {cached}"
    )


if __name__ == "__main__":
    main()
