"""ClientFile's desktop interface (PySide6). Holds no business rules: it calls app services."""
