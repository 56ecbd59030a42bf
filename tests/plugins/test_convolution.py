"""The convolution plugin: its contract, and `solverq submit convolution` end to end."""

import json

import numpy as np
import pytest
from scipy import signal
from typer.testing import CliRunner

from solverq.cli.main import app
from solverq.plugins import RejectedRequest, SolveFailed
from solverq.plugins.builtin.convolution import ConvolutionPlugin
from solverq.plugins.testing import check_plugin


def solverq(*args: str):
    return CliRunner().invoke(app, list(args))


def test_polynomial_product_from_lists() -> None:
    result = check_plugin(ConvolutionPlugin, {"a": [1, 2, 3], "b": [0, 1, 0.5]})
    assert result.summary == {
        "method": "direct",
        "mode": "full",
        "shape": [5],
        "a_shape": [3],
        "b_shape": [3],
        "dtype": "float64",
        "output": [0.0, 1.0, 2.5, 4.0, 1.5],
    }
    np.testing.assert_array_equal(result.arrays["output"], [0, 1, 2.5, 4, 1.5])


def test_2d_lists_give_2d_convolution() -> None:
    a, b = [[1, 2, 0], [3, 4, 5]], [[1, -1], [2, 0]]
    result = check_plugin(ConvolutionPlugin, {"a": a, "b": b, "mode": "same", "method": "toeplitz"})
    expected = signal.convolve2d(a, b, "same")
    assert result.summary["method"] == "toeplitz" and result.summary["shape"] == [2, 3]
    assert result.summary["output"] == expected.tolist()
    assert result.summary["dtype"] == "int64"


def test_big_integer_lists_stay_exact() -> None:
    result = check_plugin(ConvolutionPlugin, {"a": [2**70, 1], "b": [3, -(2**64)]})
    assert result.summary["dtype"] == "big integers"
    assert result.summary["output"] == [3 * 2**70, -(2**134) + 3, -(2**64)]


def test_complex_data_arrays() -> None:
    a, b = np.array([1 + 2j, 3]), np.array([1j, 1, 2])
    result = check_plugin(ConvolutionPlugin, {"method": "fft"}, {"a": a, "b": b})
    np.testing.assert_allclose(result.arrays["output"], np.convolve(a, b))
    assert result.summary["dtype"] == "complex128"


@pytest.mark.parametrize("method", ["direct", "toeplitz", "fft"])
def test_an_overflowing_result_fails_and_keeps_its_output(method: str) -> None:
    a, b = np.array([1e308, 1e308]), np.array([10.0, 10.0])
    with pytest.raises(SolveFailed, match=r"overflowed: 3 of 3 output values") as failure:
        ConvolutionPlugin().solve(
            ConvolutionPlugin.validate({"method": method}, {"a": a, "b": b}),
            {"a": a, "b": b},
            lambda fraction, message="": None,
        )
    with np.errstate(over="ignore"):
        expected = np.convolve(a, b)
    assert not np.isfinite(expected).any()
    assert not np.isfinite(failure.value.arrays["output"]).any()


def test_long_outputs_are_left_out_of_the_summary() -> None:
    result = check_plugin(ConvolutionPlugin, {"b": [1, 1]}, {"a": np.arange(1000.0)})
    assert result.summary["shape"] == [1001] and "output" not in result.summary
    np.testing.assert_allclose(result.arrays["output"], np.convolve(np.arange(1000.0), [1, 1]))


@pytest.mark.parametrize(
    ("params", "inputs", "message"),
    [
        ({"a": [1]}, {}, "parameter 'b' of convolution is required: a list (-p b=[1,2,3])"),
        ({"a": [1], "b": [1]}, {"b": np.ones(2)}, "'b' is given both as a parameter and as"),
        ({"a": [1], "b": [1]}, {"c": np.ones(2)}, "takes input arrays 'a' and 'b', not 'c'"),
        ({"a": [1]}, {"b": np.array(["x"])}, "input 'b' has dtype <U1; numbers are needed"),
        ({"a": [1]}, {"b": np.array([1.0, np.nan])}, "input array 'b' of convolution holds nan"),
        ({"a": [1]}, {"b": np.ones((2, 2, 2))}, "input 'b' has 3 dimensions"),
        ({"a": [1]}, {"b": np.ones(0)}, "input 'b' is empty"),
        ({"a": [[1, 2]], "b": [[1], [2]], "mode": "valid"}, {}, "mode 'valid' needs one input"),
        ({"method": "toeplitz"}, {"a": np.ones(10**5), "b": np.ones(10**5)}, "Toeplitz matrix"),
        ({"a": [2**70], "b": [1], "method": "fft"}, {}, "cannot be exact for integers beyond"),
    ],
)
def test_inputs_that_cannot_work_are_rejected(params, inputs, message) -> None:
    with pytest.raises(RejectedRequest) as error:
        ConvolutionPlugin.validate(params, inputs)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[]", "parameter 'a' of convolution must be a non-empty list of numbers"),
        ('[1,"x"]', "parameter 'a' of convolution must hold only numbers; entry [1] is 'x'"),
        ("[1,true]", "must hold only numbers; entry [1] is True"),
        ("[1,NaN]", "must hold only finite numbers; entry [1] is NaN"),
        ("[[1,2],[3]]", "must have non-empty rows of equal length; the rows have 2, 1 entries"),
        ("[[[1]]]", "must be 1-D or 2-D; entry [0][0] is a list (3-D or deeper)"),
        ("[1,[2]]", "mixes numbers and rows (entry [1])"),
        ("[1e308,1e400]", "must hold only finite numbers; entry [1] is inf"),
        (f"[0.5,{10**400}]", "mixes floats with an integer too large for one (entry [1])"),
        ("5", "parameter 'a' of convolution must be a valid list, got 5"),
    ],
)
def test_malformed_lists_are_rejected(value, message) -> None:
    outcome = solverq("submit", "convolution", "-p", f"a={value}", "-p", "b=[1]")
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith("error: ") and message in outcome.stderr
    assert outcome.stderr.count("\n") == 1


def test_submit_lists_end_to_end(solverq_env) -> None:
    outcome = solverq(
        "submit", "convolution", "-p", f"a=[{2**70},1]", "-p", "b=[3,-1]", "--wait", "--json"
    )
    assert outcome.exit_code == 0, outcome.output
    record = json.loads(outcome.stdout)
    assert record["summary"]["output"] == [3 * 2**70, 3 - 2**70, -1]
    assert record["params"]["a"] == [2**70, 1]
    stored = solverq_env.result_arrays(record["id"])["output"]
    assert stored.dtype == object and stored.tolist() == [3 * 2**70, 3 - 2**70, -1]


def test_submit_data_files_end_to_end(solverq_env, tmp_path) -> None:
    rng = np.random.default_rng(0)
    image, kernel = rng.standard_normal((30, 20)), rng.standard_normal((3, 5))
    np.savez(tmp_path / "inputs.npz", a=image)
    np.save(tmp_path / "b.npy", kernel)
    outcome = solverq(
        "submit", "convolution", "--data", str(tmp_path / "inputs.npz"),
        "--data", str(tmp_path / "b.npy"), "-p", "mode=valid", "--wait", "--json",
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    record = json.loads(outcome.stdout)
    assert record["summary"]["shape"] == [28, 16]
    output = solverq_env.result_arrays(record["id"])["output"]
    np.testing.assert_allclose(output, signal.convolve2d(image, kernel, "valid"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "a=[1,2]", "-p", "b=[[1]]"], "input 'a' is 1-D and 'b' is 2-D"),
        (["-p", "a=[1]", "-p", "b=[]"], "parameter 'b' of convolution must be a non-empty list"),
        (["-p", "a=[1]", "-p", "b=[1]", "-p", "method=fast"], "parameter 'method' of convolution"),
    ],
)
def test_rejected_requests_store_nothing(solverq_env, args, message) -> None:
    outcome = solverq("submit", "convolution", *args)
    assert outcome.exit_code == 2 and message in outcome.stderr
    assert solverq_env.list() == []


@pytest.mark.parametrize(
    ("arrays", "args", "message"),
    [
        ({"a": np.array([1.0, np.nan]), "b": np.ones(2)}, [], "input array 'a' of convolution"),
        ({"a": np.ones(10**5), "b": np.ones(10**5)}, ["-p", "method=toeplitz"], "Toeplitz matrix"),
        ({"a": np.ones((2, 2, 2)), "b": np.ones(2)}, [], "input 'a' has 3 dimensions"),
        ({"a": np.ones(3), "x": np.ones(2)}, [], "takes input arrays 'a' and 'b', not 'x'"),
    ],
)
def test_rejected_data_exits_2_with_one_line(solverq_env, tmp_path, arrays, args, message) -> None:
    np.savez(tmp_path / "inputs.npz", **arrays)
    outcome = solverq("submit", "convolution", "--data", str(tmp_path / "inputs.npz"), *args)
    assert outcome.exit_code == 2 and message in outcome.stderr
    assert outcome.stderr.count("\n") == 1
    assert solverq_env.list() == []


def test_products_beyond_the_decimal_digit_limit_are_stored_exactly(solverq_env, tmp_path) -> None:
    factor = "[" + str(10**2200 + 3) + "]"
    outcome = solverq("submit", "convolution", "-p", f"a={factor}", "-p", f"b={factor}", "--wait")
    assert outcome.exit_code == 0, outcome.output
    [job] = solverq_env.list()
    assert job.summary["dtype"] == "big integers" and "output" not in job.summary
    expected = (10**2200 + 3) ** 2
    assert solverq_env.result_arrays(job.id)["output"].tolist() == [expected]
    out = tmp_path / "product.npz"
    assert solverq("result", job.id, "--out", str(out)).exit_code == 0
    with np.load(out) as archive:
        [written] = archive["output"].tolist()
    assert written == "1" + "0" * 2199 + "6" + "0" * 2199 + "9"


def test_a_plan_expected_to_outlast_the_time_limit_is_refused(solverq_env) -> None:
    from solverq.solvers.convolution import cost

    factor = "[" + ",".join([str(10**20)] * 20_000) + "]"
    expected = cost.seconds(cost.DIRECT_LOOP_RATES["big integers"], (1, 20_000, 20_000**2))
    assert expected > 10
    refused = solverq(
        "submit", "convolution", "-p", f"a={factor}", "-p", f"b={factor}", "--time-limit", "10"
    )
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"error: convolution would take about {expected / 60:.3g} min by its cost estimate, "
        "more than the time limit of 10 s"
    )
    assert solverq_env.list() == []
