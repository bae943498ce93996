import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Each phase's report on the test item: the cluster fixture prints the processes' logs when a test failed.
    rapport = yield
    setattr(item, f"rapport_{rapport.when}", rapport)
    return rapport
