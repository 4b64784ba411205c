"""The Sakai demo: its organisation (``org``: 7 ward offices, the bureaus and their
departments) and ``seed``, which loads it with six fiscal years of counts, a merger,
notes and one demo user per role, for ``make run`` and the tests. It writes through the
models like an administrator would and may import ``core``, ``access`` and ``models``.
"""
