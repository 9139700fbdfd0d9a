"""Entry script of the bundled programs (PyInstaller needs a script, not a console_scripts entry)."""
import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
