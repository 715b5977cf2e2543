"""The `portal` command: validate, build and serve the site."""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import logging
import os
import sys
import time
from pathlib import Path

from . import __version__
from .catalogue import Catalogue, CatalogueError, build_catalogue, china_today
from .destinations import UnsafeDestination
from .schema import COLLECTIONS
from .site import DEFAULT_CONFIG, PROJECT_ROOT
from .validate import MAX_DATE

# Exit statuses: 1 the content or the build failed (or was interrupted), 2 the command was refused as given.
FAILED, REFUSED = 1, 2


# The build date dates the site's files too (gzip and zip headers hold no time
# before 1970 or after 2107), and a portal built before 2000 means a typo.
EARLIEST_BUILD_DAY = dt.date(2000, 1, 1)


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text}") from None
    if not EARLIEST_BUILD_DAY <= day <= MAX_DATE:
        raise argparse.ArgumentTypeError(
            f"日期 {text} 超出范围（统计日期应在 {EARLIEST_BUILD_DAY.year} 年至 {MAX_DATE.year} 年之间）")
    return day


class _Refused(Exception):
    """An argument that names something the command must not use; exit status 2."""


def _data_dir(args) -> Path:
    data = Path(args.data)
    if not data.is_dir():
        what = "不存在" if not os.path.lexists(data) else "不是目录"
        raise _Refused(f"{data}: --data: {what}：应为含有 technologies/、mentors/、policies/ 和 vocab.yaml 的数据目录 [bad-data-dir]")
    return data


def _print_warnings(warnings, *, in_full: bool) -> None:
    """validate lists every warning; build, run far more often, only counts them."""
    if not warnings:
        return
    if not in_full:
        print(f"提醒：有 {len(warnings)} 处需要核对（不影响发布），运行 portal validate 查看。", file=sys.stderr)
        return
    print(f"提醒（{len(warnings)} 处，不影响发布，请核对）：", file=sys.stderr)
    for problem in warnings:
        print(problem, file=sys.stderr)


def _load(args) -> Catalogue | None:
    in_full = args.command == "validate"
    try:
        catalogue = build_catalogue(_data_dir(args), args.today or china_today())
    except CatalogueError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"共 {len(exc.problems)} 个错误。", file=sys.stderr)
        _print_warnings(exc.warnings, in_full=in_full)
        return None
    _print_warnings(catalogue.warnings, in_full=in_full)
    return catalogue


def cmd_validate(args) -> int:
    catalogue = _load(args)  # warnings are printed, and do not fail the check
    if catalogue is None:
        return 1
    print(f"校验通过：{_counts(catalogue)}。")
    return 0


def _counts(catalogue) -> str:
    return "，".join(f"{coll.label} {len(catalogue.records[coll.name])} 条" for coll in COLLECTIONS)


def cmd_build(args) -> int:
    from .destinations import check_bundle, check_site_dir
    from .history import load_history
    from .progress import Progress
    from .site import BuildError, build_site

    # Where the build writes is checked before anything is read or written.
    places = dict(data_dir=_data_dir(args), config_file=Path(args.config), project_root=PROJECT_ROOT)
    check_site_dir(Path(args.site_dir), **places)
    if args.bundle:
        check_bundle(Path(args.bundle), site_dir=Path(args.site_dir), **places)
    progress = Progress(quiet=args.quiet)
    started = time.monotonic()
    catalogue = _load(args)
    if catalogue is None:
        print("构建已取消：未写入任何文件。", file=sys.stderr)
        return 1
    # Reported once loaded: errors, if any, come first and alone.
    progress.line(f"读取并校验记录：完成，{sum(len(r) for r in catalogue.records.values())} 条，"
                  f"用时 {time.monotonic() - started:.1f} 秒")
    try:
        site = build_site(catalogue, Path(args.site_dir), Path(args.config),
                          bundle=Path(args.bundle) if args.bundle else None,
                          history=load_history(Path(args.data)), progress=progress)
    except BuildError as exc:
        print(f"构建失败：{exc}\n原有站点未改动。", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"构建失败：{_os_error(exc)}\n原有站点未改动，临时文件已清理。", file=sys.stderr)
        return 1
    print(f"站点已生成：{site}（{_counts(catalogue)}；统计日期 {catalogue.today.isoformat()}）")
    if args.bundle:
        print(f"离线包已生成：{args.bundle}（解压后打开其中的 index.html 即可离线浏览和搜索）")
    return 0


def cmd_serve(args) -> int:
    from .serve import serve

    # Broken records show their errors in the browser instead of stopping the server;
    # an edited record rewrites only the pages it touches.
    serve(Path(args.config), _data_dir(args), args.today, args.dev_addr)
    return 0


def cmd_import(args) -> int:
    from .importer.command import run_import

    return run_import(args)


def cmd_new(args) -> int:
    from . import privacy
    from .maintain import scaffold
    from .schema import COLLECTIONS, ID_PATTERN, RESERVED_IDS
    from .vocab import Vocab, VocabError

    collection = next(c for c in COLLECTIONS if c.kind == args.kind)
    if not ID_PATTERN.match(args.id) or args.id in RESERVED_IDS:
        print(f"{privacy.mask(args.id)}: 记录编号只能用小写字母、数字和连字符，以字母或数字开头，2–80 个字符（例如 ai-jiu-liao-fa）",
              file=sys.stderr)
        return 1
    personal = privacy.find(args.id)
    if personal:
        print(f"{privacy.mask(args.id)}: 记录编号也是网址，不能含有{personal[0].label}：请改用名称的拼音（例如 ai-jiu-liao-fa）",
              file=sys.stderr)
        return 1
    try:
        vocab = Vocab.load(Path(args.data) / "vocab.yaml")
    except VocabError as exc:
        print(exc, file=sys.stderr)
        return 1
    target = Path(args.data) / collection.name / f"{args.id}.yaml"
    folder = target.parent.resolve()
    if not folder.is_relative_to(Path(args.data).resolve()):  # a collection linked elsewhere
        raise _Refused(f"{target.parent}: --data: 指向数据目录之外（{folder}），不在那里新建记录 [not-regular-file]")
    if os.path.lexists(target):
        print(f"{target}: 已存在，未改动。", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(scaffold(collection, vocab), encoding="utf-8")
    print(f"已创建 {target}：必填字段已填好示例值，其余字段在注释中说明。改好后运行 portal validate。")
    return 0


def cmd_schemas(args) -> int:
    from .maintain import write_maintainer_files
    from .vocab import Vocab, VocabError

    try:
        vocab = Vocab.load(Path(args.data) / "vocab.yaml")
    except VocabError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not (Path(args.root) / "mkdocs.yml").is_file():
        raise _Refused(f"{args.root}: --root: 不是本项目的根目录（没有 mkdocs.yml），不在那里写入 schemas/ 和 docs/ [not-a-project]")
    for path in write_maintainer_files(Path(args.root), vocab):
        print(f"已生成 {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="校验记录、生成站点、预览和导入政策通知。")
    parser.add_argument("--version", action="version", version=f"portal {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--data", default="data", help="记录目录（含 technologies/、mentors/、policies/ 和 vocab.yaml），默认 data/")
        p.add_argument("--today", type=_date, default=None, help="统计状态所用的日期 YYYY-MM-DD，默认北京时间今天")

    p = sub.add_parser("validate", help="校验全部记录")
    common(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="校验并生成站点（含搜索索引）")
    common(p)
    p.add_argument("--site-dir", default="site", help="输出目录，默认 site/")
    p.add_argument("--bundle", metavar="FILE.zip", default=None,
                   help="另外生成可在 U 盘上离线使用的 zip 包（从磁盘直接打开，无需网络和服务器）")
    p.add_argument("--quiet", action="store_true", help="不显示构建进度")
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("new", help="新建一条记录（含全部字段的说明）")
    p.add_argument("kind", choices=["technology", "mentor", "policy"], help="记录类型")
    p.add_argument("id", help="记录编号，也是文件名和网址，例如 ai-jiu-liao-fa")
    p.add_argument("--data", default="data", help="数据目录，默认 data/")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("schemas", help="重新生成 schemas/*.schema.json 和 docs/字段说明.md")
    p.add_argument("--data", default="data", help="数据目录，默认 data/")
    p.add_argument("--root", default=".", help="仓库根目录，默认当前目录")
    p.set_defaults(func=cmd_schemas)

    p = sub.add_parser("import", help="把政策汇编或单篇通知文本导入为政策记录")
    p.add_argument("what", choices=["compilation", "notice"], help="compilation：月度政策汇编；notice：单篇通知")
    p.add_argument("file", help="文本文件（UTF-8）")
    p.add_argument("--out", default="data/policies", help="输出目录，默认 data/policies/")
    p.add_argument("--data", default="data", help="受控词表所在的数据目录，默认 data/")
    p.add_argument("--update", action="store_true", help="覆盖已存在的记录（默认只报告、不覆盖）")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("serve", help="本地预览，修改记录后自动刷新")
    common(p)
    p.add_argument("--dev-addr", default="127.0.0.1:8000", help="监听地址，默认 127.0.0.1:8000")
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)
    return parser


def _os_error(exc: OSError) -> str:
    where = f"{exc.filename}：" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"{where}磁盘空间不足，请清理磁盘后重试"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}没有写入权限（{exc.strerror}）"
    return f"{where}{exc.strerror or exc}"


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure is one clear message and an exit status, never a traceback."""
    from .interrupt import Interrupted, stop_on_signals

    args = build_parser().parse_args(argv)
    # serve reports its address and rebuilds through logging; build stays quiet unless warned.
    level = logging.INFO if args.command == "serve" else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(message)s")
    try:
        with stop_on_signals():
            return args.func(args)
    except (Interrupted, KeyboardInterrupt) as exc:
        name = exc.name if isinstance(exc, Interrupted) else "SIGINT"
        if args.command == "serve":  # the way a preview is meant to end
            print(f"预览已停止（{name}），临时文件已清理。", file=sys.stderr)
            return 0
        kept = "，原有站点未改动" if args.command == "build" else ""
        print(f"已中断（{name}）：已停止并清理临时文件{kept}。", file=sys.stderr)
        return FAILED
    except (_Refused, UnsafeDestination) as exc:
        print(exc, file=sys.stderr)
        return REFUSED
    except OSError as exc:
        print(f"{args.command} 失败：{_os_error(exc)}", file=sys.stderr)
        return FAILED


def run() -> None:
    """The `portal` command: main(), then out at once. A national catalogue's
    objects, freed one by one as the interpreter shuts down, took a second
    after the site was already written; the system reclaims them in one go."""
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
