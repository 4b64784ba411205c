"""Who may see and do what, and the trail of what was done.

``permissions`` answers every access decision a view, command or e-mail makes (which
units a user may see, upload for, write notes about; who manages alerts and reads the
audit trail); ``audit`` turns the change history into the read-only audit page. Unit
ids and memberships come from ``paperless.reads``; views call ``permissions`` and never
decide access themselves.
"""
