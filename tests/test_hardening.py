"""Builds that stop half-way stop cleanly: interrupted, killed or out of disk,
they leave the old site as it was and no scratch behind. And record text is
read as the maintainer wrote it (YAML 1.1's surprises), personal numbers in
notices are reported without stopping the build, and nothing generated can
land outside the site."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bench.generate import generate
from portal.catalogue import build_catalogue
from portal.destinations import STAMP, OutsideSite, site_path, write_stamp
from conftest import MINIMAL, ROOT, replace_text, run_portal, today, write_data

MEMORY = Path("/dev/shm")


def old_site(folder: Path) -> Path:
    """A previous build: its stamp and a page the tests can recognise."""
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("上一版站点", encoding="utf-8")
    write_stamp(folder)
    return folder


def leftovers(tmp_path: Path, pid: int) -> list[str]:
    """Scratch of build `pid`: beside the site, in shared memory, and processes still running for it."""
    found = [p.name for p in tmp_path.iterdir() if ".building-" in p.name or ".old-" in p.name]
    if MEMORY.is_dir():
        found += [n for n in os.listdir(MEMORY) if n.startswith(f"portal-search-{pid}-")]
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if str(tmp_path).encode() in cmdline or f"portal-search-{pid}-".encode() in cmdline:
                found.append(f"process {entry}: {cmdline[:120]!r}")
    return found


@pytest.fixture(scope="module")
def many_records(tmp_path_factory) -> Path:
    """Enough records for the build's worker processes and several seconds of work."""
    data = tmp_path_factory.mktemp("many") / "data"
    generate(2500, data)
    return data


def start_build(data: Path, site: Path) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.Popen([sys.executable, "-m", "portal", "build", "--data", str(data), "--site-dir", str(site),
                             "--today", "2024-03-28"], cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_phase(build: subprocess.Popen, phase: str, timeout: float = 120) -> list[str]:
    """Read the build's progress lines until `phase` has started."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = build.stderr.readline()
        if not line:
            raise AssertionError("the build ended before " + phase + ":\n" + "".join(seen))
        seen.append(line)
        if phase in line:
            return seen
    raise AssertionError(f"no {phase} within {timeout} s:\n" + "".join(seen))


@pytest.mark.parametrize("signum, phase, group", [
    (signal.SIGINT, "生成检索文档", True),      # Ctrl+C reaches the workers too
    (signal.SIGTERM, "写入页面", False),        # a CI runner cancelling the job
    (signal.SIGHUP, "建立检索索引", False),     # the terminal closed, Pagefind running
], ids=["SIGINT-while-documents-are-made", "SIGTERM-while-pages-are-written", "SIGHUP-while-pagefind-runs"])
def test_an_interrupted_build_leaves_the_old_site_and_no_scratch(tmp_path, many_records, signum, phase, group):
    site = old_site(tmp_path / "site")
    build = start_build(many_records, site)
    wait_for_phase(build, phase)
    if group:
        os.killpg(build.pid, signum)
    else:
        build.send_signal(signum)
    try:
        _out, rest = build.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(build.pid, signal.SIGKILL)
        raise AssertionError(f"still running 30 s after {signum.name}") from None
    assert build.returncode == 1
    assert "Traceback" not in rest
    assert rest.strip().splitlines()[-1] == f"已中断（{signum.name}）：已停止并清理临时文件，原有站点未改动。", rest
    assert (site / "index.html").read_text(encoding="utf-8") == "上一版站点"
    assert sorted(p.name for p in site.iterdir()) == [STAMP, "index.html"]
    time.sleep(0.5)  # killed children take a moment to go
    assert leftovers(tmp_path, build.pid) == []


@pytest.mark.parametrize("where", ["as-the-job-is-made", "before-the-index-starts", "as-the-index-starts"])
def test_an_interruption_as_pagefind_takes_the_documents_leaves_nothing(tmp_path, monkeypatch, where):
    """The moment the search documents pass to the Pagefind job (the SIGHUP case
    above, hit at an unlucky instant): nothing may be owned by nobody."""
    from portal import interrupt, search_index
    from portal.site import build_site

    def interrupted(*args, **kwargs):
        raise interrupt.Interrupted(signal.SIGHUP)

    if where == "as-the-job-is-made":
        real_init = search_index.SearchIndexJob.__init__

        def made_then_interrupted(self, *args, **kwargs):
            real_init(self, *args, **kwargs)
            raise interrupt.Interrupted(signal.SIGHUP)

        monkeypatch.setattr(search_index.SearchIndexJob, "__init__", made_then_interrupted)
    elif where == "before-the-index-starts":
        monkeypatch.setattr(search_index.SearchIndexJob, "start", interrupted)
    else:
        real_start = search_index.SearchIndexJob.start

        def start_then_interrupted(self):
            real_start(self)
            raise interrupt.Interrupted(signal.SIGHUP)

        monkeypatch.setattr(search_index.SearchIndexJob, "start", start_then_interrupted)
    site = old_site(tmp_path / "site")
    with pytest.raises(interrupt.Interrupted):
        build_site(build_catalogue(write_data(tmp_path / "data"), today()), site)
    assert (site / "index.html").read_text(encoding="utf-8") == "上一版站点"
    time.sleep(0.5)  # a killed Pagefind takes a moment to go
    assert leftovers(tmp_path, os.getpid()) == []


def test_what_a_killed_build_left_is_removed_by_the_next(tmp_path, many_records):
    site = old_site(tmp_path / "site")
    build = start_build(many_records, site)
    wait_for_phase(build, "写入页面")
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    build.stderr.close()
    build.stdout.close()
    time.sleep(0.5)
    assert leftovers(tmp_path, build.pid), "a SIGKILL leaves scratch (else this test shows nothing)"
    assert (site / "index.html").read_text(encoding="utf-8") == "上一版站点"
    # The next build, of other data, removes it at once (no waiting an hour).
    data = write_data(tmp_path / "data")
    result = run_portal("build", "--data", str(data), "--site-dir", str(site), "--today", "2024-03-28", "--quiet")
    assert result.returncode == 0, result.stderr
    assert leftovers(tmp_path, build.pid) == []
    assert "艾灸" in (site / "technologies" / "ai-jiu" / "index.html").read_text(encoding="utf-8")


def test_a_site_moved_aside_by_a_killed_build_comes_back(tmp_path):
    """Killed between moving the old site aside and moving the new one in: the next build puts it back first."""
    from portal.site import _recover

    site = tmp_path / "site"
    aside = old_site(tmp_path / ".site.old-999999999")
    (tmp_path / ".site.building-999999999-abc").mkdir()
    _recover(site)
    assert (site / "index.html").read_text(encoding="utf-8") == "上一版站点"
    assert not aside.exists() and not (tmp_path / ".site.building-999999999-abc").exists()


@pytest.mark.parametrize("where", ["pages", "bundle"])
def test_a_full_disk_is_a_clear_message_and_the_old_site_stays(tmp_path, monkeypatch, capsys, where):
    from portal import bundle, cli
    from portal.render import shell

    data = write_data(tmp_path / "data")
    site = old_site(tmp_path / "site")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(site / "x"))

    if where == "pages":
        monkeypatch.setattr(shell.ShellWriter, "write", disk_full)
    else:
        monkeypatch.setattr(bundle.zipfile.ZipFile, "writestr", disk_full)
    args = ["build", "--data", str(data), "--site-dir", str(site), "--today", "2024-03-28", "--quiet"]
    if where == "bundle":
        args += ["--bundle", str(tmp_path / "offline.zip")]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "磁盘空间不足" in err and "原有站点未改动" in err and "Traceback" not in err, err
    assert (site / "index.html").read_text(encoding="utf-8") == "上一版站点"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "site"]


def test_yaml_values_are_read_as_written(tmp_path):
    """YAML 1.1 would read 0012345 as 5349, 12:30 as 750, 1.50 as 1.5 and yes as true."""
    records = {**MINIMAL,
               **replace_text("mentors/example-a.yaml", "region: 四川", "region: 四川\ncertificate_no: 0012345\ntitle: yes"),
               **replace_text("policies/2024-zhong-yi-yao.yaml", "doc_number: 国中医药医政发〔2024〕1号",
                              "doc_number: 12:30\nkeywords: [1.50, 0x1F, 1_000]")}
    catalogue = build_catalogue(write_data(tmp_path / "data", records), today())
    mentor = catalogue.mentors["example-a"].data
    assert (mentor["certificate_no"], mentor["title"]) == ("0012345", "yes")
    policy = catalogue.policies["2024-zhong-yi-yao"].data
    assert policy["doc_number"] == "12:30"
    assert policy["keywords"] == ["1.50", "0x1F", "1_000"]


def test_contact_numbers_in_a_notice_are_reported_masked_and_published(tmp_path):
    records = {**MINIMAL, **replace_text("policies/2024-zhong-yi-yao.yaml", "kind: 通知",
                                         "kind: 通知\nbody: |\n  联系电话：138 1234 5678，邮箱 office@example.gov.cn")}
    data = write_data(tmp_path / "data", records)
    result = run_portal("validate", "--data", str(data))
    assert result.returncode == 0, result.stderr
    assert "2024-zhong-yi-yao.yaml:9: body: 提醒：含有手机号码（138****5678）" in result.stderr
    assert "电子邮箱地址（o***@example.gov.cn）" in result.stderr
    assert "1234 5678" not in result.stderr and "office@" not in result.stderr
    site = tmp_path / "site"
    result = run_portal("build", "--data", str(data), "--site-dir", str(site), "--today", "2024-03-28", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "提醒：有 2 处需要核对" in result.stderr and "138" not in result.stderr
    assert "138 1234 5678" in (site / "policies" / "2024-zhong-yi-yao" / "index.html").read_text(encoding="utf-8")


def test_generated_paths_cannot_leave_the_site(tmp_path):
    from portal.facets import FACETS
    from portal.routes import facet_url

    assert site_path(tmp_path, "policies/by/region/北京/") == tmp_path / "policies/by/region/北京/"
    for bad in ["../x/", "policies/../../x/", "/etc/passwd", "a/./b", "a\\..\\b", "a\x00b", "C:/x"]:
        with pytest.raises(OutsideSite):
            site_path(tmp_path, bad)
    topic = next(f for f in FACETS["policies"] if f.key == "topic")
    with pytest.raises(ValueError):
        facet_url("policies", topic, "../../../../../PWNED-TOPIC")


def test_the_build_function_never_replaces_a_folder_it_did_not_make(tmp_path):
    from portal.site import BuildError, build_site

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.docx").write_text("报告", encoding="utf-8")
    with pytest.raises(BuildError):
        build_site(build_catalogue(write_data(tmp_path / "data"), today()), mine)
    assert [p.name for p in mine.iterdir()] == ["report.docx"]


def test_a_record_under_data_may_link_to_another_inside_it(tmp_path):
    """Links are refused only when they leave the data directory."""
    data = write_data(tmp_path / "data")
    shared = data / "shared"
    shared.mkdir()
    (data / "technologies" / "ai-jiu.yaml").rename(shared / "ai-jiu.yaml")
    (data / "technologies" / "ai-jiu.yaml").symlink_to(shared / "ai-jiu.yaml")
    assert build_catalogue(data, today()).technologies["ai-jiu"].title == "艾灸"


def test_a_folder_linked_to_the_root_is_not_searched(tmp_path):
    """A sub-folder of a collection is looked into for misplaced records, never through a link."""
    data = write_data(tmp_path / "data")
    (data / "technologies" / "everything").symlink_to("/")
    started = time.monotonic()
    assert build_catalogue(data, today()).technologies
    assert time.monotonic() - started < 5


def test_scaffolded_records_are_clean(tmp_path):
    """`portal new` output passes the personal-data checks (its comments included)."""
    data = write_data(tmp_path / "data")
    for kind, name in (("technology", "zhen-jiu"), ("mentor", "shi-li-yi"), ("policy", "2024-tong-zhi")):
        result = run_portal("new", kind, name, "--data", str(data))
        assert result.returncode == 0, result.stderr
    result = run_portal("validate", "--data", str(data))
    assert "[id-number]" not in result.stderr and "[mobile-number]" not in result.stderr and "[email]" not in result.stderr


def test_a_body_nested_too_deep_names_its_line(tmp_path):
    """The line named for a body nested too deep is the line of the file where it happens."""
    body = "body: |\n  正文\n\n  正文\n  " + "> " * 40 + "引文\n"
    records = {**MINIMAL, "technologies/ai-jiu.yaml": textwrap.dedent(MINIMAL["technologies/ai-jiu.yaml"]) + body}
    with pytest.raises(Exception) as info:
        build_catalogue(write_data(tmp_path / "data", records), today())
    assert any(p.code == "too-deep" and p.line == 19 for p in info.value.problems), info.value.problems


def test_a_really_full_disk(tmp_path):
    """On a 3 MB file system (a private mount, where the machine allows it): a clear message, the old site kept."""
    import shutil as sh

    if os.geteuid() != 0 or not sh.which("unshare"):
        pytest.skip("needs root and unshare to mount a small file system privately")
    small = tmp_path / "small"
    small.mkdir()
    data = write_data(tmp_path / "data")
    script = (f'mount -t tmpfs -o size=3m tmpfs "{small}" && mkdir "{small}/site" && '
              f'echo 上一版站点 > "{small}/site/index.html" && touch "{small}/site/{STAMP}" && '
              f'"{sys.executable}" -m portal build --data "{data}" --site-dir "{small}/site" --today 2024-03-28 --quiet; '
              f'echo "rc=$?"; ls -A "{small}" "{small}/site"; cat "{small}/site/index.html"')
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("this machine does not allow a private mount: " + probe.stderr.decode(errors="replace"))
    result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert "rc=1" in result.stdout, result.stdout + result.stderr
    assert "磁盘空间不足" in result.stderr and "Traceback" not in result.stderr, result.stderr
    listing = result.stdout.split("rc=1", 1)[1].split()
    assert listing.count("site") == 1 and not [n for n in listing if ".building-" in n], result.stdout
    assert result.stdout.rstrip().endswith("上一版站点")
