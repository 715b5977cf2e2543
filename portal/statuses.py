"""The states a reader sees: one model per collection, each state with what it means.

A state is worked out from the record at the build date (catalogue.py); its
badge, its one-line meaning beside the badge and the 状态说明 page all come
from here, so a page cannot say one thing in its badge and another in its text.
A meaning tells the reader what to do, not what the system holds (as NICE's
"under review – still current": 评估中，仍可按规范开展).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    label: str      # the badge
    tone: str       # its colour: open | pending | review | closed | normal | unknown
    meaning: str    # one plain line beside the badge
    anchor: str     # its place on the 状态说明 page


@dataclass(frozen=True)
class Model:
    collection: str
    title: str      # what the state is of, as a filter and a heading names it
    intro: str
    states: tuple[State, ...]

    def __getitem__(self, label: str) -> State:
        for state in self.states:
            if state.label == label:
                return state
        raise KeyError(f"{self.collection}: no state {label!r}")

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.states]


TECHNOLOGY = Model("technologies", "推广状态", "技术在推广中的位置，依据技术推广的流程：征集、遴选、入库、推广、评估、退出或迭代。"
                   "只有本站有入库推广记录的技术才有推广状态。能否开展一项技术，还要看它的管理类别和适用机构。", (
    State("遴选中", "pending", "正在征集、遴选，尚未入库推广。", "tech-selecting"),
    State("推广中", "normal", "已入库推广，可按本页的适用机构和管理类别要求开展。", "tech-promoting"),
    State("评估中", "review", "评估中，仍可按规范开展；评估有结论后本页随之更新。", "tech-reviewing"),
    State("已退出", "closed", "已退出推广，不再推荐；有迭代技术的，请改用迭代技术。", "tech-withdrawn"),
))

MENTOR = Model("mentors", "招收状态", "传承人是否在招收学员。报名以主办单位、承办单位发布的正式招录通知为准；"
               "标有“示例”的传承人是虚构的，不能据此报名。", (
    State("招收中", "open", "正在招收学员，报名截止前可以报名。", "mentor-enrolling"),
    State("招收已截止", "closed", "报名截止日期已过，本期不再招收。", "mentor-closed"),
    State("暂停招收", "closed", "暂不招收学员。", "mentor-paused"),
))

POLICY = Model("policies", "效力状态", "通知在生成本站时是否有效，按原文写明的日期和本站核实的效力推算。"
               "是否另有修订或废止，请以发文机关公布为准。", (
    State("征求意见中", "open", "正在公开征求意见，可在截止日期前按通知写明的方式反馈。", "policy-consulting"),
    State("征求意见已结束", "closed", "征求意见已截止；这是草案，以正式发布的文件为准。", "policy-consulted"),
    State("尚未生效", "pending", "已经发布，从施行日期起执行。", "policy-pending"),
    State("现行有效", "normal", "现行有效，可按通知执行。", "policy-in-force"),
    State("在有效期内", "normal", "在通知写明的有效期内，可按通知执行。", "policy-within-period"),
    State("已修订", "closed", "已被修订，请按修订后的文件执行。", "policy-revised"),
    State("已废止", "closed", "已废止，不再执行。", "policy-repealed"),
    State("已失效", "closed", "已过通知写明的有效期，不再执行。", "policy-expired"),
    State("效力未注明", "unknown", "原文没有写明有效期，本站也未核实是否仍然有效；执行前请向发文机关核实。",
          "policy-unstated"),
))

MODELS = {m.collection: m for m in (TECHNOLOGY, MENTOR, POLICY)}
