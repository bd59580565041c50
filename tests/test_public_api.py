"""The front door: orderkit's public names and its error tree."""

from __future__ import annotations

import orderkit
from orderkit import errors


def test_all_is_exactly_the_public_names():
    for name in orderkit.__all__:
        getattr(orderkit, name)  # lazy names (Store) resolve on first use
    public = {n for n in vars(orderkit) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(orderkit, n)).__name__ == "module"}
    assert set(orderkit.__all__) == public - modules - {"annotations", "importlib", "Any"}


def test_every_name_in_all_is_importable():
    for name in orderkit.__all__:
        assert getattr(orderkit, name) is not None


def test_every_orderkit_error_derives_from_orderkit_error():
    tree = [getattr(errors, n) for n in errors.__all__]
    assert all(issubclass(cls, errors.OrderkitError) for cls in tree)


def test_error_tree_is_drawn_in_the_module_docstring():
    for name in errors.__all__:
        assert name in errors.__doc__
