"""Work kept under a fingerprint is computed once per fingerprint, and again when it changes."""

from kam.core.cached import fingerprint_cached


def test_the_same_parts_are_computed_once_and_changed_parts_again():
    calls = []

    def compute(value):
        return lambda: calls.append(value) or value

    assert fingerprint_cached("t", (1, "a"), compute("first"), seconds=60) == "first"
    assert fingerprint_cached("t", (1, "a"), compute("second"), seconds=60) == "first"
    assert fingerprint_cached("t", (2, "a"), compute("third"), seconds=60) == "third"
    assert calls == ["first", "third"]
