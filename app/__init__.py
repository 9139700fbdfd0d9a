"""ClientFile core: everything a salesperson can do, callable without a screen (never imports Qt)."""
from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "ClientFile"
APP_NAME_ZH = "客户档案"
