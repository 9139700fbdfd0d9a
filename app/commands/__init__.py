"""Sub-commands of `clientfile`. Each module has `register(subparsers)`; app/cli.py lists the modules."""
