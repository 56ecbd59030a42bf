"""Parameter grids: parsing `--grid` values and expanding the points."""

import numpy as np
import pytest

from solverq.plugins.errors import RejectedRequest
from solverq.worker.grid import (
    MAX_POINTS,
    build_grid,
    describe_point,
    grid_points,
    parse_grid_option,
    parse_grid_options,
    point_parameters,
)


@pytest.mark.parametrize(
    ("text", "key", "values"),
    [
        ("eta=0.1,0.01", "eta", [0.1, 0.01]),
        ("batch_size=10", "batch_size", [10]),
        ("y0=[1,0],[0,1]", "y0", [[1, 0], [0, 1]]),
        ("hidden=[10],[10, 10]", "hidden", [[10], [10, 10]]),
        ("optimizer=adam,sgd", "optimizer", ["adam", "sgd"]),
        ('label="a,b",c', "label", ["a,b", "c"]),
        ('label="say \\"hi, there\\"",x', "label", ['say "hi, there"', "x"]),
        ('constants={"gamma": 1, "m": 2},{}', "constants", [{"gamma": 1, "m": 2}, {}]),
        ("constants.gamma=1,2.5", "constants.gamma", [1, 2.5]),
        (" eta = 1e-3 , 2E-3 ", "eta", [1e-3, 2e-3]),
        ("flag=true,false", "flag", [True, False]),
    ],
)
def test_values_are_split_at_top_level_commas(text, key, values) -> None:
    assert parse_grid_option(text) == (key, values)


def test_linspace_and_logspace_follow_numpy() -> None:
    key, values = parse_grid_option("eta=linspace(0, 1, 5)")
    assert key == "eta"
    np.testing.assert_array_equal(values, np.linspace(0, 1, 5))
    _, values = parse_grid_option("lambda=logspace(-4,-1,4)")
    np.testing.assert_allclose(values, [1e-4, 1e-3, 1e-2, 1e-1], rtol=1e-12)
    assert all(type(v) is float for v in values)
    assert parse_grid_option("x=linspace(-.5,+2.5e0,1)")[1] == [-0.5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("eta", "expected KEY=V1,V2,... for a grid, got 'eta'"),
        ("=1,2", "expected KEY=V1,V2,..."),
        ("eta=0.1,,0.2", "grid of 'eta': empty value in '0.1,,0.2'"),
        ("eta=0.1,", "empty value"),
        ("eta=", "empty value"),
        ("y0=[1,0", "grid of 'y0': unclosed bracket or quote"),
        ("y0=[1,0]]", "grid of 'y0': unbalanced ']'"),
        ("y0=(1,0]", "unbalanced ']'"),
        ('s="abc', "unclosed bracket or quote"),
        ("eta=linspace(0,1)", "grid of 'eta': expected linspace(start,stop,count) with numbers"),
        ("eta=logspace(0,1,__import__('os'))", "expected logspace(start,stop,count)"),
        ("eta=linspace(0,1,2.5)", "expected linspace(start,stop,count)"),
        ("eta=linspace(0,1,0)", "linspace needs between 1 and 10000 values, got 0"),
        ("eta=linspace(0,1,20000)", "needs between 1 and 10000 values"),
        ("eta=logspace(0,400,3)", "logspace(0,400,3) overflows"),
    ],
)
def test_malformed_grids_are_rejected(text, message) -> None:
    with pytest.raises(RejectedRequest) as raised:
        parse_grid_option(text)
    assert message in str(raised.value)


def test_a_key_is_swept_once() -> None:
    assert parse_grid_options(["eta=1,2", "lambda=0"]) == {"eta": [1, 2], "lambda": [0]}
    with pytest.raises(RejectedRequest, match="'eta' is given more than one grid"):
        parse_grid_options(["eta=1,2", "eta=3"])


def test_points_are_the_cartesian_product_last_key_fastest() -> None:
    grid = build_grid({"eta": [0.1, 0.01], "batch_size": "10,20,40"})
    assert grid_points(grid) == [
        {"eta": eta, "batch_size": size} for eta in (0.1, 0.01) for size in (10, 20, 40)
    ]


def test_point_parameters_set_dotted_keys_without_touching_the_shared_ones() -> None:
    shared = {"problem": "decay", "constants": {"gamma": 1.0, "m": 2.0}}
    params = point_parameters(shared, {"constants.gamma": 3.0, "n": 10})
    assert params == {"problem": "decay", "constants": {"gamma": 3.0, "m": 2.0}, "n": 10}
    assert shared["constants"]["gamma"] == 1.0


def test_a_point_is_described_as_typed() -> None:
    point = {"eta": -1, "y0": [1, 0], "optimizer": "adam"}
    assert describe_point(point) == "eta=-1, y0=[1,0], optimizer=adam"


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({}, "a sweep needs a grid"),
        ({"eta": []}, "grid of 'eta' has no values"),
        ({"constants.": [1]}, "malformed parameter name 'constants.'"),
        ({"a": list(range(101)), "b": list(range(100))}, "the grid has 10100 points (101 x 100)"),
    ],
)
def test_bad_grids_are_refused(grid, message) -> None:
    with pytest.raises(RejectedRequest) as raised:
        build_grid(grid)
    assert message in str(raised.value)


def test_the_largest_grid_is_allowed() -> None:
    assert (
        len(grid_points(build_grid({"a": list(range(100)), "b": list(range(100))}))) == MAX_POINTS
    )
