"""Errors with messages for people: which field, what is allowed."""


class JobError(ValueError):
    """A problem in the job file: the message says which field and what is allowed."""
