"""Master data through one table reader: columns, aliases, header search, row errors."""
