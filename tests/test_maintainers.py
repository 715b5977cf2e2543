"""Maintainers' workflow: one model for validator, schemas and docs; scaffolds; readable errors."""

from __future__ import annotations

import re

import pytest

from portal.maintain import FIELD_REFERENCE, field_reference
from portal.outputs.schemas import schema_comment
from portal.outputs.schemas import schema_files
from portal.vocab import Vocab
from conftest import MINIMAL, ROOT, replace_text, run_portal, write_data

VOCAB = Vocab.load(ROOT / "data" / "vocab.yaml")


def test_committed_schemas_and_field_reference_are_current():
    for path, content in schema_files(VOCAB).items():
        assert (ROOT / path).read_bytes() == content, f"{path} is stale: run `portal schemas`"
    assert (ROOT / FIELD_REFERENCE).read_text(encoding="utf-8") == field_reference(VOCAB), \
        "docs/字段说明.md is stale: run `portal schemas`"
    reference = field_reference(VOCAB)
    assert "| `management_class` | 管理类别 |" in reference and "限制类" in reference


def test_every_record_names_its_schema():
    for collection in ("technologies", "mentors", "policies"):
        for path in sorted((ROOT / "data" / collection).glob("*.yaml")):
            first = path.read_text(encoding="utf-8").splitlines()[0] + "\n"
            assert first == schema_comment(collection), path
            schema = (path.parent / first.split("$schema=", 1)[1].strip()).resolve()
            assert schema.is_file(), schema


@pytest.mark.parametrize("kind, collection", [("technology", "technologies"), ("mentor", "mentors"), ("policy", "policies")])
def test_scaffolds_validate_and_explain_every_field(tmp_path, kind, collection):
    data = write_data(tmp_path / "data")
    result = run_portal("new", kind, "brand-new", "--data", str(data))
    assert result.returncode == 0, result.stderr
    text = (data / collection / "brand-new.yaml").read_text(encoding="utf-8")
    from portal.schema import COLLECTION_BY_NAME
    for field in COLLECTION_BY_NAME[collection].fields:
        assert re.search(rf"^#? ?{field.name}:", text, flags=re.M), field.name
        assert f"# {field.name}：" in text  # explained in Chinese
    assert run_portal("validate", "--data", str(data)).returncode == 0
    # An existing record is never overwritten; a bad id is refused.
    again = run_portal("new", kind, "brand-new", "--data", str(data))
    assert again.returncode == 1 and "已存在" in again.stderr
    bad = run_portal("new", kind, "Bad_Id", "--data", str(data))
    assert bad.returncode == 1 and "记录编号" in bad.stderr


def test_errors_name_file_line_field_value_allowed_values_and_a_code(tmp_path):
    data = write_data(tmp_path / "data", {**MINIMAL,
                                          **replace_text("technologies/ai-jiu.yaml", "category: 治疗", "category: 治了"),
                                          **replace_text("mentors/example-a.yaml", "tier: 名老中医", "tier: 名老中")})
    result = run_portal("validate", "--data", str(data))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    category = next(l for l in lines if "category" in l)
    assert re.match(r"^\S*ai-jiu\.yaml:5: category: “治了” 不在受控词表 technology\.category 中；是否想输入“治疗”？（允许：.*诊断.*）\[not-in-vocab\]$", category.replace(" [", "[")), category
    tier = next(l for l in lines if ": tier:" in l)
    assert "是否想输入“名老中医”" in tier and tier.endswith("]")
