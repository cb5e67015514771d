"""kindroute: which step each pupil case is in, who is at turn, and by when."""

__version__ = "0.1.0"
