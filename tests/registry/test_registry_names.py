import pytest

from selfeng.names import InvalidToolName, validate_tool_name


@pytest.mark.parametrize("bad", ["class", "match", "os", "json", "sys", "../x", "a/b", "Foo", "fooBar", "test_x",
                                 "testify", "x_test", "conftest", "", "1abc", "a-b", "a__b", "_x", "x_",
                                 "a" * 65, None, "tools/../../etc"])
def test_rejects(bad):
    with pytest.raises(InvalidToolName):
        validate_tool_name(bad)


def test_invalid_name_is_value_error():
    assert issubclass(InvalidToolName, ValueError)


@pytest.mark.parametrize("good", ["reverse_string", "km_to_miles", "is_prime2", "gcd"])
def test_accepts(good):
    assert validate_tool_name(good) == good
