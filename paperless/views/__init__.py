"""Thin views: check access with ``access.permissions``, read request parameters with
``params``, call a read or a service, render. No ORM, pandas, openpyxl or plotly here."""
