"""A synthetic catalogue of N records for benchmarks: all three collections,
cross-links, citations and realistic Chinese text (sentences drawn from the
repository's real notices and technologies).

    python bench/generate.py 20000 /tmp/bench-data

The same N and seed always give the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
from pathlib import Path

import yaml

from portal import privacy

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARES = {"policies": 0.8, "technologies": 0.15, "mentors": 0.05}


def _sentences() -> list[str]:
    """Sentences of the real records, to make bodies that read like notices."""
    found = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(DATA.glob("*/*.yaml")):
        body = (yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}).get("body") or ""
        for sentence in re.split(r"(?<=[。；])", body):
            sentence = sentence.strip().lstrip("#").strip()
            # Not a notice's contact line: mentor and technology records may hold no phone or e-mail.
            if 12 <= len(sentence) <= 160 and "\n" not in sentence and not privacy.find(sentence):
                found.append(sentence)
    # Distinct: a record may not list the same item twice.
    return list(dict.fromkeys(found)) or ["推进卫生健康技术在基层的推广应用。"]


SUBJECTS = ["基层医疗卫生服务能力", "县域医共体建设", "中医药适宜技术推广", "妇幼健康服务", "慢性病健康管理",
            "医疗质量安全", "卫生应急队伍", "职业健康监护", "疫苗接种管理", "家庭医生签约服务", "远程医疗协作",
            "医保基金监管", "药品集中采购", "医疗器械抽检", "老年健康服务", "安宁疗护服务", "临床专科能力"]
VERBS = ["加强", "推进", "规范", "做好", "开展", "深化", "完善", "印发"]
TECH_NAMES = ["针刺", "艾灸", "拔罐", "刮痧", "推拿", "穴位贴敷", "耳穴压豆", "中药熏洗", "超声筛查", "心电监测",
              "血糖管理", "血压管理", "肺功能检查", "眼底照相", "康复训练", "伤口护理", "营养评估", "远程会诊"]
DOC_PREFIX = ["国卫办医政发", "国卫医急函", "医保办函", "国中医药医政发", "京卫医", "沪卫基层", "冀卫发", "川卫办发",
              "粤卫函", "浙卫发", "苏卫医政", "鲁卫基层字"]


def generate(n: int, out: Path, seed: int = 20240328) -> dict[str, int]:
    rng = random.Random(seed)
    vocab = yaml.safe_load((DATA / "vocab.yaml").read_text(encoding="utf-8"))
    regions = vocab["regions"]
    topics = vocab["policy"]["topics"]
    sentences = _sentences()
    if out.exists():
        shutil.rmtree(out)
    for sub in ("technologies", "mentors", "policies"):
        (out / sub).mkdir(parents=True)
    shutil.copy(DATA / "vocab.yaml", out / "vocab.yaml")

    counts = {c: max(1, int(n * share)) for c, share in SHARES.items()}
    counts["policies"] = n - counts["technologies"] - counts["mentors"]

    def body(k: int) -> str:
        parts = []
        for h in range(1, k + 1):
            parts.append(f"## {'一二三四五六七八九十'[h % 10]}、{rng.choice(SUBJECTS)}")
            parts += rng.sample(sentences, min(len(sentences), rng.randint(2, 5)))
        return "\n\n".join(parts) + "\n"

    doc_numbers = []
    policy_ids = []
    for i in range(counts["policies"]):
        year = 2015 + i % 10
        published = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(360))
        number = f"{rng.choice(DOC_PREFIX)}〔{year}〕{i // 10 + 1}号"  # unique: year is i % 10
        pid = f"p{year}-{i:06d}"
        cites = rng.sample(doc_numbers, min(len(doc_numbers), rng.randint(0, 3)))
        record = {
            "title": f"关于{rng.choice(VERBS)}{rng.choice(SUBJECTS)}的通知",
            "doc_number": number, "issuers": ["示例卫生健康委员会"], "region": rng.choice(regions),
            "written": published - dt.timedelta(days=rng.randint(0, 20)), "published": published,
            "topics": rng.sample(topics, rng.randint(1, 2)), "keywords": rng.sample(SUBJECTS, 2), "kind": "通知",
            "cites": cites, "source": {"title": "基准测试合成数据"}, "body": body(rng.randint(2, 5)),
        }
        _write(out / "policies" / f"{pid}.yaml", record)
        doc_numbers.append(number)
        policy_ids.append(pid)

    tech_ids = []
    for i in range(counts["technologies"]):
        tid = f"t-{i:06d}"
        name = f"{rng.choice(TECH_NAMES)}技术{i}"
        warehoused = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1500))
        record = {
            "name": name, "aliases": [f"{name}（简称{i}）"], "summary": rng.choice(sentences),
            "tradition": rng.choice(vocab["technology"]["tradition"]),
            "category": rng.choice(vocab["technology"]["category"]),
            "management_class": rng.choice(["一般", "一般", "一般", "限制类"]),
            "levels": rng.sample(vocab["technology"]["levels"], 2), "entry_example": True,
            "stage": rng.choice(["入库", "推广", "评估"]),
            "warehoused": warehoused, "review_due": warehoused + dt.timedelta(days=1095),
            "indications": rng.sample(sentences, 2),
            "policies": rng.sample(policy_ids, min(len(policy_ids), rng.randint(0, 2))),
            "sources": [{"title": "基准测试合成数据"}], "body": body(2),
        }
        _write(out / "technologies" / f"{tid}.yaml", record)
        tech_ids.append(tid)

    tracks = vocab["mentor"]["tracks"]
    for i in range(counts["mentors"]):
        track = rng.choice(list(tracks))
        record = {
            "name": f"示例传承人{i}", "example": True, "track": track, "tier": rng.choice(list(tracks[track]["tiers"])),
            "title": "主任医师", "institution": "示例医院", "region": rng.choice(regions[1:]),
            "specialties": rng.sample(SUBJECTS, 2), "technologies": rng.sample(tech_ids, min(len(tech_ids), 2)),
            "cycles": ["一年制"], "enrollment": {"status": "招收中", "deadline": dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(400))},
            "summary": rng.choice(sentences), "body": body(1),
        }
        _write(out / "mentors" / f"m-{i:06d}.yaml", record)
    return counts


def _write(path: Path, record: dict) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(record, Dumper=dumper, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="生成基准测试用的合成数据")
    parser.add_argument("n", type=int, help="记录总数")
    parser.add_argument("out", type=Path, help="输出的数据目录")
    parser.add_argument("--seed", type=int, default=20240328)
    args = parser.parse_args()
    print(generate(args.n, args.out, args.seed))


if __name__ == "__main__":
    main()
