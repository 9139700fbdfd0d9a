"""Core commands: init, demo, info, passwd, verify."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from app.config import MachineSettings


def register(sub: Any) -> None:
    """Add init / demo / info / passwd / verify."""
    p = sub.add_parser("init", help="新建一个加密档案")
    p.set_defaults(handler=cmd_init)
    p = sub.add_parser("demo", help="生成示例档案（真实感的中文客户数据）")
    p.add_argument("--customers", type=int, default=300, metavar="N", help="客户数量（默认 300）")
    p.add_argument("--seed", type=int, default=2026, metavar="S", help="随机种子（同一种子生成相同数据）")
    p.set_defaults(handler=cmd_demo)
    p = sub.add_parser("info", help="显示程序版本、档案结构版本、数量和文件大小")
    p.set_defaults(handler=cmd_info)
    p = sub.add_parser("passwd", help="修改档案密码")
    p.set_defaults(handler=cmd_passwd)
    p = sub.add_parser("verify", help="完整校验档案文件（每一页）")
    p.set_defaults(handler=cmd_verify)


def _remember(path: Any, salt: bytes) -> None:
    settings = MachineSettings.load()
    settings.remember_archive(path, salt)
    settings.save()


def cmd_init(args: argparse.Namespace) -> int:
    """Create a new archive (never overwrites an existing file)."""
    from app.cli import archive_path, read_new_password
    from app.db import create_archive

    path = archive_path(args)
    archive = create_archive(path, read_new_password(what="档案密码"))
    _remember(path, archive.salt)
    archive.close()
    print(f"已新建档案：{path}")
    print("请牢记密码：忘记密码将无法打开档案，也无法找回。")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Create an archive filled with realistic sample customers."""
    from app.cli import archive_path, read_new_password
    from app.db import create_archive
    from app.demo import generate
    from app.services import Services

    if args.customers < 1 or args.customers > 1_000_000:
        print("错误：--customers 应在 1 到 1000000 之间", file=sys.stderr)
        return 2
    path = archive_path(args)
    archive = create_archive(path, read_new_password(what="档案密码"))
    try:
        ids = generate(Services.build(archive), n=args.customers, seed=args.seed, progress=_print_progress)
        _remember(path, archive.salt)
    finally:
        archive.close()
    print(f"\n已生成示例档案：{path}（{len(ids)} 位客户）")
    return 0


def _print_progress(done: int, total: int, text: str) -> bool:
    if sys.stderr.isatty():
        print(f"\r{text} {done}/{total}", end="", file=sys.stderr)
    return True


def cmd_info(args: argparse.Namespace) -> int:
    """Print versions, counts and size."""
    from app.cli import opened_services

    with opened_services(args) as svc:
        info = svc.info.summary()  # type: ignore[attr-defined]
    lines = [
        ("档案文件", info.path), ("程序版本", info.app_version),
        ("结构版本", f"{info.schema_version}（最新 {info.schema_head}）"),
        ("文件大小", f"{info.size_bytes / 1024 / 1024:.1f} MB"), ("客户", info.customers),
        ("回收站", info.deleted), ("联系人", info.contacts), ("成交记录", info.deals),
        ("拜访/服务记录", info.visits), ("投诉", info.complaints), ("生活事件", info.life_events),
    ]
    for label, value in lines:
        print(f"{label}：{value}")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    """Change the password; proved by reopening with the new one and failing with the old one."""
    from app.cli import archive_path, read_new_password, read_password
    from app.db import open_archive

    path = archive_path(args)
    old = read_password("原密码：")
    archive = open_archive(path, old)
    try:
        new = read_new_password("CLIENTFILE_NEW_PASSWORD")
        settings = MachineSettings.load()
        settings.forget_salt(path)  # recorded again below: see MachineSettings.forget_salt
        settings.save()
        try:
            archive.change_password(old, new)
        finally:
            _remember(path, archive.salt)  # the new salt, or the old one if nothing changed
    finally:
        archive.close()
    print("密码已修改（已用新密码重新打开验证，旧密码已失效）。")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every page of the archive (HMAC and b-tree)."""
    from app.cli import opened_services

    with opened_services(args) as svc:
        check = svc.archive.verify()  # type: ignore[attr-defined]
    if check.ok:
        print(f"档案完好（{check.pages} 页全部校验通过）。")
        return 0
    print("档案有问题：\n" + "\n".join(check.problems), file=sys.stderr)
    return 1
