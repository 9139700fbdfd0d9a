"""`clientfile backup create|verify|restore|list`: encrypted backup files from the command line.

Passwords never come from arguments. The archive's password: CLIENTFILE_PASSWORD or a prompt. A backup's
own password: CLIENTFILE_BACKUP_PASSWORD or a prompt; by default a backup takes the archive's password.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from app.backup import BackupInfo
from app.config import MachineSettings
from app.errors import ArchiveDamaged

BACKUP_ENV = "CLIENTFILE_BACKUP_PASSWORD"


def register(sub: Any) -> None:
    """Add `backup` with its four actions."""
    p = sub.add_parser("backup", help="备份：写出、校验、恢复、列出加密备份文件")
    actions = p.add_subparsers(dest="backup_action", metavar="ACTION", required=True)
    c = actions.add_parser("create", help="写一个加密备份（已校验）；不给 OUT 时写进备份文件夹并轮换旧备份")
    c.add_argument("out", nargs="?", metavar="OUT", help="备份文件（.cfbak）；省略则用备份文件夹和标准文件名")
    c.add_argument("--own-password", action="store_true",
                   help=f"给备份单独设密码（提示输入，或取自 {BACKUP_ENV}）；默认与档案密码相同")
    c.add_argument("--overwrite", action="store_true", help="OUT 已存在时覆盖它")
    c.set_defaults(handler=cmd_create)
    v = actions.add_parser("verify", help="完整校验一个备份文件（每一页、行数、校验值）")
    v.add_argument("file", metavar="FILE")
    v.set_defaults(handler=cmd_verify)
    r = actions.add_parser("restore", help="用备份恢复档案（原档案先改名保留，绝不删除）")
    r.add_argument("file", metavar="FILE")
    r.add_argument("--to", metavar="PATH", help="恢复成哪个档案文件（默认当前档案 --archive）")
    r.set_defaults(handler=cmd_restore)
    ls = actions.add_parser("list", help="列出备份文件夹里的备份")
    ls.add_argument("--folder", metavar="DIR", help="备份文件夹（默认：设置里的备份文件夹）")
    ls.add_argument("--check", action="store_true", help="逐个完整校验（需要备份密码）")
    ls.set_defaults(handler=cmd_list)


def _backup_password(prompt: str = "备份密码（默认是做备份时的档案密码）：") -> str:
    """CLIENTFILE_BACKUP_PASSWORD, else CLIENTFILE_PASSWORD (backups take it by default), else a prompt."""
    from app.cli import read_password

    if BACKUP_ENV in os.environ:
        return os.environ[BACKUP_ENV]
    if "CLIENTFILE_PASSWORD" in os.environ:
        return os.environ["CLIENTFILE_PASSWORD"]
    return read_password(prompt, BACKUP_ENV)


def _own_password(args: argparse.Namespace) -> str | None:
    from app.cli import read_new_password

    if BACKUP_ENV in os.environ:
        return os.environ[BACKUP_ENV]
    return read_new_password(BACKUP_ENV, "备份密码") if args.own_password else None


def _progress(done: int, total: int, text: str) -> bool:
    if sys.stderr.isatty():
        print(f"\r{text} {done}/{total}      ", end="", file=sys.stderr)
    return True


def _describe(info: BackupInfo) -> str:
    return (f"{info.path}\n  时间：{info.when:%Y-%m-%d %H:%M:%S}  客户：{info.customers} 位  "
            f"大小：{info.size / 1024 / 1024:.1f} MB  程序版本：{info.app_version}  结构版本：{info.schema_version}")


def cmd_create(args: argparse.Namespace) -> int:
    """Write a verified backup of the archive (to OUT, or into the backup folder with rotation)."""
    from app.backup import create_backup, free_backup_path
    from app.backup_rotation import backup_folder, rotate_folder
    from app.cli import opened_services

    password = _own_password(args)
    with opened_services(args) as svc:
        archive = svc.archive  # type: ignore[attr-defined]
        now = datetime.now()
        if args.out:
            info = create_backup(archive, Path(args.out).expanduser(), password, progress=_progress,
                                 overwrite=args.overwrite, now=now)
        else:
            folder = backup_folder(MachineSettings.load())
            info = create_backup(archive, free_backup_path(folder, archive.path.stem, now), password,
                                 progress=_progress, now=now)
            rotated = rotate_folder(folder, archive.path.stem, archive.key_for_copy(), now, known_good=[info.path])
            if rotated.deleted:
                print(f"已按保留规则删除 {len(rotated.deleted)} 个旧备份。")
    print("\n已写出并校验备份：" + _describe(info))
    if password is not None:
        print("这个备份有单独的密码：请牢记，忘记后无法打开。")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every page, the counts and the digest of one backup."""
    from app.backup import precheck_backup, verify_backup

    path = Path(args.file).expanduser()
    precheck_backup(path)  # a missing or truncated file is reported before asking for a password
    try:
        info = verify_backup(path, _backup_password(), progress=_progress)
    except ArchiveDamaged as exc:
        print(f"错误：{exc}", file=sys.stderr)
        for line in exc.details[:10]:
            print(f"  {line}", file=sys.stderr)
        return 1
    print("备份完好（每一页、行数和校验值都已核对）：" + _describe(info))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup as the archive (or --to another path), keeping whatever was there."""
    from app.archive import read_salt
    from app.backup import precheck_backup
    from app.backup_restore import restore_detailed
    from app.cli import archive_path

    path = Path(args.file).expanduser()
    precheck_backup(path)
    target = Path(args.to).expanduser() if args.to else archive_path(args)
    done = restore_detailed(path, _backup_password(), target, progress=_progress)
    settings = MachineSettings.load()
    settings.remember_archive(done.archive, read_salt(done.archive))  # the restored file has the backup's salt
    settings.save()
    print(f"\n已恢复档案：{done.archive}（客户 {done.backup.customers} 位，备份时间 {done.backup.when:%Y-%m-%d %H:%M}）")
    if done.kept:
        print(f"原来的档案已改名保留：{done.kept}")
    print("恢复后的档案使用这个备份的密码。")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """List the backups in the backup folder, newest first (with --check: verified one by one)."""
    from app.backup import list_backups
    from app.backup_rotation import backup_folder

    folder = Path(args.folder).expanduser() if args.folder else backup_folder(MachineSettings.load())
    infos = list_backups(folder, _backup_password() if args.check else None, verify=args.check)
    if not infos:
        print(f"备份文件夹里没有备份：{folder}")
        return 0
    print(f"备份文件夹：{folder}（{len(infos)} 个，最新的在前）")
    for info in infos:
        status = "" if info.verified is None else ("  完好" if info.verified else f"  有问题：{info.problem}")
        customers = f"  客户 {info.customers} 位" if info.counts else ""
        print(f"{info.when:%Y-%m-%d %H:%M:%S}  {info.size / 1024 / 1024:8.1f} MB{customers}  {info.path.name}{status}")
    return 0 if all(i.verified is not False for i in infos) else 1
