import json


def test_plugins_lists_name_version_and_summary(solverq, test_plugins) -> None:
    outcome = solverq("plugins")
    assert outcome.exit_code == 0
    assert "echo" in outcome.stdout and "Return the given numbers times a scale" in outcome.stdout
    listed = {p["name"]: p for p in json.loads(solverq("plugins", "--json").stdout)}
    assert listed["sleep"]["version"] == "1.0"
    assert listed["sleep"]["distribution"] == "solverq-testplugins"


def test_show_prints_the_parameter_schema(solverq, test_plugins) -> None:
    outcome = solverq("plugins", "show", "sleep")
    assert outcome.exit_code == 0
    assert "seconds" in outcome.stdout and "How long to run." in outcome.stdout
    assert "(>= 0, <= 3600)" in outcome.stdout
    schema = json.loads(solverq("plugins", "show", "sleep", "--json").stdout)["parameters"]
    assert schema["properties"]["steps"]["default"] == 20
    assert schema["properties"]["steps"]["minimum"] == 1


def test_show_an_unknown_plugin_exits_2(solverq, test_plugins) -> None:
    outcome = solverq("plugins", "show", "nope")
    assert outcome.exit_code == 2 and "unknown plugin 'nope'" in outcome.stderr
