"""The record model: every field of every collection, declared once.

The validator walks these declarations; the JSON Schemas and the
maintainers' field reference are generated from them too, so a field is
added in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
# Path segments the site uses under each collection (facet pages live at <collection>/by/…).
RESERVED_IDS = frozenset({"by"})

# Field kinds understood by the validator.
STR = "str"          # one line of plain text
TEXT = "text"        # Markdown
INT = "int"
BOOL = "bool"
DATE = "date"        # ISO YYYY-MM-DD
VOCAB = "vocab"      # a value from data/vocab.yaml
REF = "ref"          # id of a record in another (or the same) collection
OBJECT = "object"
LIST = "list"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: str
    required: bool = False
    nullable: bool = False
    # For VOCAB (and LIST of VOCAB): dotted path into vocab.yaml.
    vocab: str | None = None
    # For REF: the collection the id belongs to.
    ref: str | None = None
    # For LIST: the declaration of one item (its name is ignored).
    item: Field | None = None
    min_items: int = 0
    # For STR: a web address, http(s) only (a javascript: link would run script).
    url: bool = False
    # For OBJECT: its fields.
    fields: tuple[Field, ...] = ()
    unique: bool = True


def _list(name, label, item, **kw):
    return Field(name, LIST, label, item=item, **kw)


def _str_list(name, label, **kw):
    return _list(name, label, Field("item", STR, label), **kw)


def _vocab_list(name, label, vocab, **kw):
    return _list(name, label, Field("item", VOCAB, label, vocab=vocab), **kw)


def _ref_list(name, label, collection, **kw):
    return _list(name, label, Field("item", REF, label, ref=collection), **kw)


def _sources(name, label, **kw):
    return _list(name, label, Field("item", OBJECT, label, fields=(
        Field("title", STR, "来源", required=True),
        Field("url", STR, "链接", url=True),
    )), **kw)


# A technology's warehouse entry (入库 under the promotion guideline): what the
# programme did with it, as opposed to what the technology is. No published source
# records such entries yet, so each one is either sourced (entry_sources) or marked
# illustrative (entry_example), and the site shows which everywhere it appears.
ENTRY_FIELDS = ("stage", "selection_method", "promotion_methods", "warehoused", "review_due",
                "successor", "exit_reason", "training_hours", "indicators")


def entry_of(data: dict) -> tuple[str, ...]:
    """The warehouse-entry fields a technology's data holds (empty values do not count)."""
    return tuple(name for name in ENTRY_FIELDS if data.get(name) not in (None, [], ""))

TECHNOLOGY = (
    Field("name", STR, "技术名称", required=True),
    Field("example", BOOL, "示例记录（整条记录为演示用的虚构数据）"),
    _str_list("aliases", "别名"),
    Field("summary", STR, "简介", required=True),
    Field("tradition", VOCAB, "医学体系", vocab="technology.tradition"),
    Field("category", VOCAB, "技术范围", vocab="technology.category"),
    _str_list("specialties", "适用科室"),
    Field("management_class", VOCAB, "管理类别", vocab="technology.management_class"),
    _vocab_list("levels", "适用机构", "technology.levels"),
    Field("entry_example", BOOL, "入库信息为示例（入库、推广、评估等字段是演示用的虚构数据）"),
    _sources("entry_sources", "入库信息来源"),
    Field("stage", VOCAB, "推广阶段", vocab="technology.stage"),
    Field("selection_method", VOCAB, "遴选方式", vocab="technology.selection_method"),
    _vocab_list("promotion_methods", "推广方式", "technology.promotion_methods"),
    Field("warehoused", DATE, "入库日期"),
    Field("review_due", DATE, "评估到期日"),
    Field("successor", REF, "迭代技术", ref="technologies"),
    Field("exit_reason", STR, "退出原因"),
    _str_list("indications", "适应证"),
    _str_list("contraindications", "禁忌证"),
    _str_list("equipment", "所需设备"),
    Field("training_hours", INT, "培训学时"),
    _list("indicators", "评估指标", Field("item", OBJECT, "评估指标", fields=(
        Field("name", STR, "指标", required=True),
        Field("target", STR, "目标值", required=True),
    ))),
    _ref_list("policies", "相关政策", "policies"),
    _sources("sources", "信息来源", required=True, min_items=1),
    # The day a maintainer last checked the page's facts against its sources:
    # written by hand after such a check, never filled in by a tool.
    Field("verified", DATE, "核验日期（维护者最近一次对照信息来源核对本条记录的日期）"),
    Field("body", TEXT, "详细介绍"),
)

MENTOR = (
    Field("name", STR, "姓名", required=True),
    Field("example", BOOL, "示例记录"),
    Field("track", VOCAB, "传承类别", vocab="mentor.tracks", required=True),
    Field("tier", VOCAB, "层级", vocab="mentor.tiers"),
    Field("title", STR, "职称"),
    Field("institution", STR, "工作单位"),
    Field("region", VOCAB, "地区", vocab="regions"),
    _str_list("specialties", "擅长领域"),
    _ref_list("technologies", "传承技术", "technologies"),
    _vocab_list("cycles", "学习周期", "mentor.cycles"),
    _vocab_list("teaching_modes", "带教方式", "mentor.teaching_modes"),
    Field("enrollment", OBJECT, "招收情况", fields=(
        Field("status", VOCAB, "招收状态", vocab="mentor.enrollment_status", required=True),
        Field("deadline", DATE, "报名截止"),
        Field("quota", INT, "招收名额"),
    )),
    Field("certificate_no", STR, "证书编号"),
    Field("summary", STR, "简介"),
    Field("body", TEXT, "详细介绍"),
)

POLICY = (
    Field("title", STR, "标题", required=True),
    Field("doc_number", STR, "发文字号", nullable=True),
    _str_list("issuers", "发文机关", required=True, min_items=1),
    Field("region", VOCAB, "地区", vocab="regions"),
    Field("written", DATE, "成文日期"),
    Field("published", DATE, "发布日期", required=True),
    _vocab_list("topics", "主题分类", "policy.topics"),
    _str_list("keywords", "关键字"),
    Field("kind", VOCAB, "文种", vocab="policy.kind"),
    Field("validity", VOCAB, "效力", vocab="policy.validity"),
    Field("effective", DATE, "施行日期"),
    Field("expires", DATE, "有效期至"),
    Field("replaced_by", REF, "被替代为", ref="policies"),
    Field("comment_deadline", DATE, "意见反馈截止"),
    _list("deadlines", "时间节点", Field("item", OBJECT, "时间节点", fields=(
        Field("date", DATE, "日期", required=True),
        Field("label", STR, "事项", required=True),
    )), unique=False),
    _str_list("cites", "引用文件"),
    Field("source", OBJECT, "来源", fields=(
        Field("title", STR, "来源", required=True),
        Field("page", INT, "页码"),
        Field("url", STR, "链接", url=True),
    )),
    _str_list("attachments", "附件"),
    Field("body", TEXT, "正文"),
)


@dataclass(frozen=True)
class Collection:
    name: str          # directory under data/ and URL prefix
    kind: str          # singular, as in `portal new technology`
    label: str         # Chinese name shown on the site
    fields: tuple[Field, ...]
    title_field: str = "name"
    by_name: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        self.by_name.update({f.name: f for f in self.fields})


COLLECTIONS = (
    Collection("technologies", "technology", "技术资料", TECHNOLOGY),
    Collection("mentors", "mentor", "传承人", MENTOR),
    Collection("policies", "policy", "政策通知", POLICY, title_field="title"),
)
COLLECTION_BY_NAME = {c.name: c for c in COLLECTIONS}
