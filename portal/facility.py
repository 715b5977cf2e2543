"""我的机构: whether a facility of a given level may use a technology, and what it
must do first, worked out from the record and the rules in the vocabulary.

One verdict per facility level (technology.levels), all written into the
technology's page at build time; the browser only shows the one for the level
the reader stored on their device (facility.js). The rules, in order:

1. a class managed as clinical research (technology.research_management_class):
   仅限临床研究, whatever the level;
2. no levels or no class recorded: the page cannot tell (未注明);
3. the level is not among the record's levels: 本级不适用, naming the levels that are;
4. a class with a filing rule (technology.filing, e.g. 限制类): 可开展，首例后须备案,
   with the rule's own words for when and to whom;
5. otherwise (一般): 可开展.
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import Record
from .vocab import Vocab

CAN = "can"
FILE = "file"
RESEARCH = "research"
NOT_HERE = "not-here"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    level: str
    key: str        # CAN | FILE | RESEARCH | NOT_HERE | UNKNOWN (the page's CSS class)
    label: str      # the answer, as a tag
    detail: str     # one plain sentence: why, or what to do first


def verdicts(rec: Record, vocab: Vocab) -> list[Verdict]:
    """The verdict of a technology for every facility level, in the vocabulary's order."""
    return [verdict(rec, level, vocab) for level in vocab.values("technology.levels")]


def verdict(rec: Record, level: str, vocab: Vocab) -> Verdict:
    cls = rec.get("management_class")
    levels = list(rec.get("levels") or [])
    if cls in vocab.values("technology.research_management_class"):
        return Verdict(level, RESEARCH, "仅限临床研究",
                       "本技术按临床研究管理，不得作为常规临床应用，只能在临床研究中开展。")
    if not levels or not cls:
        missing = "、".join(name for name, value in (("适用机构", levels), ("管理类别", cls)) if not value)
        return Verdict(level, UNKNOWN, "无法判断", f"本页资料未注明{missing}，无法判断本机构能否开展。")
    if level not in levels:
        return Verdict(level, NOT_HERE, "本级不适用", f"资料列出的适用机构是：{'、'.join(levels)}。")
    rule = vocab.filing(cls)
    if rule:
        return Verdict(level, FILE, "可开展，首例后须备案",
                       f"{cls}技术：开展前须{rule['before']}；{rule['when']}，向{rule['to']}备案。")
    return Verdict(level, CAN, "可开展", f"{level}在资料列出的适用机构之内，管理类别为{cls}，按技术规范开展。")
