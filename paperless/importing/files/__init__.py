"""Reading a file safely: limits, pre-read checks, the sandboxed reader. No Django, no counts."""
