"""Where an arena keeps the outcomes its Results are made of (Admin/arena_outcomes.py): in memory, or, without an event
log on disk, in a temporary file of their own (Remote/arena_exports.py's SpilledOutcomes).

The property drives each with outcomes added and read back in any order,
against a plain list: every reading gives every outcome added before it, in
order, whatever the outcome's JSON holds (a line of the file may hold U+2028).
"""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import given, settings

from Admin.arena_outcomes import KeptOutcomes
from Remote.arena_exports import SpilledOutcomes

NAME = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)
OUTCOME = st.recursive(
    st.none() | st.booleans() | st.integers() | NAME,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAME, inner, max_size=3),
    max_leaves=6,
)
STEPS = st.lists(st.one_of(st.just("read"), st.tuples(st.lists(NAME, min_size=2, max_size=4).map(tuple), OUTCOME)), max_size=40)


@settings(max_examples=60)
@given(STEPS, st.sampled_from([KeptOutcomes, SpilledOutcomes]))
def test_every_reading_gives_the_outcomes_added_before_it_in_order(steps, store):
    kept = store()
    added: list = []
    for step in steps:
        if step == "read":
            assert list(kept) == added and len(kept) == len(added)
        else:
            kept.add(*step)
            added.append(step)
    assert list(kept) == added


def test_a_reading_begun_before_more_outcomes_are_added_gives_those_before_it():
    """The Results are read in a worker thread: what is added meanwhile is not half read."""
    kept = SpilledOutcomes()
    kept.add(("ann", "bob"), ["ann", "bob"])
    reading = iter(kept)
    assert next(reading) == (("ann", "bob"), ["ann", "bob"])
    kept.add(("cal", "dan"), ["dan", "cal", "irregular"])
    assert list(reading) == []
    assert list(kept) == [(("ann", "bob"), ["ann", "bob"]), (("cal", "dan"), ["dan", "cal", "irregular"])]
