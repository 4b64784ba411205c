"""The data version: the number the dashboard's cache keys its pages by."""

from __future__ import annotations

from paperless.data_version import VERSION_ROW
from paperless.models import DataVersion


def data_version() -> str:
    """The number of the last committed change of counts, units, predecessor links,
    policies, notes, the device register or meter readings (one query).

    ``paperless.data_version`` raises it in the transaction of every such change, so a
    change and its number become visible together, whatever the commit order.
    """
    number = DataVersion.objects.filter(pk=VERSION_ROW).values_list("number", flat=True).first()
    return str(number or 0)
