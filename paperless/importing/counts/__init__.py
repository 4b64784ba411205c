"""The monthly-counts pipeline: layout → values → records → validate → commit, and its preview."""
