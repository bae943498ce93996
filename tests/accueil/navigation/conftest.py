# The whole demo, loaded once for this package only (tests/transverse/conftest.py), flushed after it.
from tests.transverse.conftest import demo, demo_chargee  # noqa: F401
