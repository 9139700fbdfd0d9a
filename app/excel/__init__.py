"""Excel, CSV and vCard in and out: readers, column mapping, cell parsing, import plans, exports."""
