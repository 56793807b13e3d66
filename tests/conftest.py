"""pytest's settings for every test: hypothesis without its deadline, so that no property fails for being slow.

A test asserts what a user would notice, never a time: on a loaded 2-core
machine (CI, or helpers beside it) hypothesis's default deadline of 200 ms
per example failed a property of the ratings whose first example spent
300 ms loading numpy. Speed belongs in bench/.
"""

from hypothesis import settings

settings.register_profile("no deadline", deadline=None)
settings.load_profile("no deadline")
