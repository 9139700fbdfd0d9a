"""The command line: `clientfile [--archive PATH] COMMAND ...`; `clientfile` alone starts the desktop app.

Passwords come from an interactive prompt or CLIENTFILE_PASSWORD — never from an argument.
Errors print one clear Chinese line and exit non-zero.
"""
from __future__ import annotations

import argparse
import contextlib
import getpass
import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from app import __version__
from app.config import MachineSettings, default_archive_path
from app.errors import AppError

logger = logging.getLogger(__name__)

# Modules under app/commands that add sub-commands (each has register(subparsers)).
COMMAND_MODULES = ("core", "stats", "printing", "agenda", "excel", "backup")

EXIT_ERROR = 1
EXIT_USAGE = 2


def read_password(prompt: str = "档案密码：", env: str = "CLIENTFILE_PASSWORD") -> str:
    """The password from the environment variable, else an interactive prompt."""
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise AppError(f"需要密码：请在终端中运行，或设置环境变量 {env}")
    return getpass.getpass(prompt)


def read_new_password(env: str = "CLIENTFILE_PASSWORD", what: str = "新密码") -> str:
    """A new password: from the environment, or typed twice at the prompt."""
    value = os.environ.get(env)
    if value is not None:
        return value
    first = read_password(f"{what}：", env)
    if read_password(f"再输入一次{what}：", env) != first:
        raise AppError("两次输入的密码不一致。")
    return first


def archive_path(args: argparse.Namespace) -> Path:
    """--archive PATH, or the default archive in the user's data folder."""
    return Path(args.archive).expanduser() if args.archive else default_archive_path()


@contextmanager
def opened_services(args: argparse.Namespace) -> Iterator[object]:
    """Open the archive named by args (password from env/prompt) and yield its Services."""
    from app.archive import precheck_file
    from app.db import open_archive
    from app.services import Services

    path = archive_path(args)
    precheck_file(path)  # a missing or empty file is reported before asking for a password
    settings = MachineSettings.load()
    salt_hex = settings.known_salts.get(str(path.resolve()))
    archive = open_archive(path, read_password(), known_salt=bytes.fromhex(salt_hex) if salt_hex else None)
    try:
        yield Services.build(archive)
    finally:
        archive.close()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(prog="clientfile", description="ClientFile 客户档案")
    parser.add_argument("--archive", metavar="PATH", help="档案文件（默认在用户数据目录）")
    parser.add_argument("--sample", action="store_true", help="打开（必要时先生成）示例档案")
    parser.add_argument("--version", action="version", version=f"ClientFile {__version__}")
    parser.add_argument("--self-test", action="store_true", help="自检：验证程序各部分可用")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"app.commands.{name}").register(sub)
    return parser


def configure_logging() -> None:
    """Log to a private file in the log folder; never customer data or passwords (see STYLE.md)."""
    from app.config import log_dir
    from app.fileutil import make_private, make_private_dir

    folder = log_dir()
    make_private_dir(folder)
    path = folder / "clientfile.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    make_private(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `clientfile` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    with contextlib.suppress(OSError):  # a read-only home must not stop the command line
        configure_logging()
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    try:
        if args.self_test:
            from app.selftest import run_self_test

            return run_self_test()
        if handler is None:
            return _start_gui(args)
        return handler(args) or 0
    except AppError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130


def _start_gui(args: argparse.Namespace) -> int:
    try:
        gui = importlib.import_module("ui.main")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("ui"):
            print("桌面界面尚未安装；可用的命令见 clientfile --help", file=sys.stderr)
            return EXIT_ERROR
        raise
    return int(gui.run(args))


if __name__ == "__main__":
    sys.exit(main())
