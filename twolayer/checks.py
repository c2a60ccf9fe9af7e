"""Type checks the core repeats for every argument that comes from outside."""

import numpy as np


def is_integer(value):
    """True for a Python or NumPy integer; False for a bool (True is an int to Python, but a
    checkbox's value is no count), a float or anything else."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def is_number(value):
    """True for a Python or NumPy int or float, not a bool; finiteness is the caller's test."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
