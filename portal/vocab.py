"""Controlled vocabularies, read from data/vocab.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .loader import Problem


class VocabError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Vocab:
    data: dict
    path: Path

    @classmethod
    def load(cls, path: Path) -> "Vocab":
        try:
            with open(path, encoding="utf-8") as fh:
                data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except FileNotFoundError:
            raise VocabError(Problem(str(path), 1, "vocab", "找不到受控词表文件", "missing-vocab")) from None
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise VocabError(Problem(str(path), line, "vocab", f"YAML 语法错误：{problem}", "yaml-syntax")) from None
        if not isinstance(data, dict):
            raise VocabError(Problem(str(path), 1, "vocab", "受控词表应为映射（mapping）", "not-a-mapping"))
        return cls(data, Path(path))

    def values(self, dotted: str) -> list[str]:
        """Allowed values at a dotted path; a mapping's keys are its values."""
        if dotted == "mentor.tiers":
            seen: list[str] = []
            for track in self.values("mentor.tracks"):
                for tier in self.tiers(track):
                    if tier not in seen:
                        seen.append(tier)
            return seen
        node = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise VocabError(Problem(str(self.path), 1, dotted, "受控词表缺少该项", "missing-vocab"))
            node = node[part]
        if isinstance(node, dict):
            return [str(k) for k in node]
        return [str(v) for v in node or []]

    # Mentor programme helpers: the plan ties tiers to tracks and cycles to hours.
    def track(self, track: str) -> dict:
        return self.data["mentor"]["tracks"].get(track) or {}

    def tiers(self, track: str) -> dict:
        return self.track(track).get("tiers") or {}

    def tier(self, track: str, tier: str) -> dict:
        return self.tiers(track).get(tier) or {}

    def cycle(self, name: str) -> dict:
        return self.data["mentor"]["cycles"].get(name) or {}

    @property
    def cycles(self) -> dict:
        return self.data["mentor"]["cycles"]

    @property
    def regions(self) -> list[str]:
        return self.values("regions")
